using Coinlake.Candles;
using Coinlake.Storage;
using Coinlake.Time;

namespace Coinlake.Benchmarks.EndToEnd;

/// <summary>
/// A sink that stores nothing and reports nothing stored: <c>e2e --sink none</c> measures the exchange client and
/// the pipeline alone (the ceiling the storage is compared against). Every upsert counts its rows as inserted.
/// </summary>
public sealed class NullSink : ICandleSink
{
    /// <inheritdoc/>
    public string Description => "none (candles are discarded)";

    /// <inheritdoc/>
    public ValueTask<SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(SeriesCoverage.None);

    /// <inheritdoc/>
    public ValueTask<UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new UpsertResult(candles.Count, 0));

    /// <inheritdoc/>
    public ValueTask MarkEmptyAsync(SeriesKey series, IReadOnlyList<TimeRange> ranges, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
