using Coinlake.Candles;
using Coinlake.Time;

namespace Coinlake.Storage;

/// <summary>What a store holds for one series within a range.</summary>
/// <param name="Stored">Ranges covered by stored candles (each candle covers <c>[open, next open)</c>).</param>
/// <param name="KnownEmpty">Ranges the exchange answered with no candles, recorded so they are not fetched again.</param>
public sealed record SeriesCoverage(RangeSet Stored, RangeSet KnownEmpty)
{
    /// <summary>Nothing stored, nothing known.</summary>
    public static readonly SeriesCoverage None = new(RangeSet.Empty, RangeSet.Empty);

    /// <summary>Everything that needs no fetching.</summary>
    public RangeSet Complete => Stored.Union(KnownEmpty);
}

/// <summary>Outcome of an upsert batch.</summary>
/// <param name="Inserted">Rows that were new.</param>
/// <param name="Updated">Rows that replaced a stored candle with the same key.</param>
public readonly record struct UpsertResult(long Inserted, long Updated)
{
    /// <summary>Sum of two results.</summary>
    public static UpsertResult operator +(UpsertResult a, UpsertResult b) => new(a.Inserted + b.Inserted, a.Updated + b.Updated);
}

/// <summary>
/// A destination for candles (SQLite, Parquet, CSV, JSON ...). Writes are idempotent upserts keyed by series +
/// open time; a sink never holds two rows for one key. Implementations must be usable from one writer at a time.
/// </summary>
public interface ICandleSink : IAsyncDisposable
{
    /// <summary>Short description for logs and reports, e.g. <c>sqlite data/coinlake.db (candles)</c>.</summary>
    string Description { get; }

    /// <summary>What is stored (and known empty) for <paramref name="series"/> in <paramref name="range"/>.</summary>
    ValueTask<SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces <paramref name="candles"/> (ascending, unique open times) of <paramref name="series"/>.</summary>
    ValueTask<UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken = default);

    /// <summary>Records ranges the exchange answered with no candles.</summary>
    ValueTask MarkEmptyAsync(SeriesKey series, IReadOnlyList<TimeRange> ranges, CancellationToken cancellationToken = default);

    /// <summary>Makes every accepted write durable (file sinks write their buffered months/files here).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}

/// <summary>Reads stored candles back, for audits, reports and the API.</summary>
public interface ICandleReader
{
    /// <summary>Every series the store holds.</summary>
    IAsyncEnumerable<SeriesKey> ListSeriesAsync(CancellationToken cancellationToken = default);

    /// <summary>The stored candles of <paramref name="series"/> in ascending open-time order (duplicates, if a file has any, included).</summary>
    IAsyncEnumerable<Candle> ReadAsync(SeriesKey series, TimeRange? range = null, CancellationToken cancellationToken = default);
}
