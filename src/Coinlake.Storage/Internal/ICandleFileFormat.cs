using Coinlake.Candles;

namespace Coinlake.Storage.Internal;

/// <summary>Candles read from one file: the rows in file order and, when the file has series columns, each row's series.</summary>
/// <param name="Candles">Rows in file order (duplicates kept).</param>
/// <param name="RowSeries">Series of each row, or null when the file has no series columns.</param>
internal sealed record CandleFileRows(List<Candle> Candles, List<SeriesKey>? RowSeries);

/// <summary>One file format of the file sinks (Parquet, CSV, JSON).</summary>
internal interface ICandleFileFormat
{
    /// <summary>Short name for descriptions: <c>parquet</c>, <c>csv</c>, <c>json</c>.</summary>
    string Name { get; }

    /// <summary>Throws an <see cref="ArgumentException"/> when the format cannot hold <paramref name="candle"/> exactly.</summary>
    void Validate(SeriesKey series, in Candle candle);

    /// <summary>The open times in the file (ms UTC), in file order.</summary>
    ValueTask<List<long>> ReadOpenTimesAsync(string path, CancellationToken cancellationToken);

    /// <summary>Every row of the file.</summary>
    ValueTask<CandleFileRows> ReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="candles"/> (ascending, unique) of <paramref name="series"/> as a whole file.</summary>
    ValueTask WriteAsync(Stream stream, SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken);
}
