using Coinlake.Candles;
using Coinlake.Storage.Internal;
using Coinlake.Time;

namespace Coinlake.Storage.Parquet;

/// <summary>
/// Reads candles from a Parquet file or from every <c>*.parquet</c> file under a folder (any layout), for audits.
/// The series of each file comes from its series columns, else from the Coinlake sidecar, else from its name and
/// <see cref="ReaderHints"/>. Files are read one at a time; candles come in ascending open-time order. In a folder, the
/// part files of live streams (<c>{task}.part-{yyyyMMdd_HHmmss}.parquet</c>, see <see cref="PartFiles"/>) are skipped: they
/// repeat candles (every in-progress update) until <c>coinlake compact</c> merges them into the monthly files; open one
/// part by its path to read it.
/// </summary>
public sealed class ParquetCandleReader : ICandleReader
{
    private readonly FileSetReader _reader;

    /// <summary>Opens <paramref name="path"/>, a <c>.parquet</c> file or a folder.</summary>
    /// <exception cref="FileNotFoundException">Neither a file nor a folder exists at <paramref name="path"/>.</exception>
    public ParquetCandleReader(string path, ReaderHints? hints = null)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            _reader = new FileSetReader(() => [full], new ParquetCandleFormat(), new Sidecar(Sidecar.ForFile(full)), null, hints);
        }
        else if (Directory.Exists(full))
        {
            _reader = new FileSetReader(() => FileCandleStore.EnumerateDataFiles(full, ".parquet").Where(f => PartFiles.TryParse(f) is null), new ParquetCandleFormat(), new Sidecar(Sidecar.ForFolder(full)), full, hints);
        }
        else
        {
            throw new FileNotFoundException($"No Parquet file or folder at {full}.", full);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SeriesKey> ListSeriesAsync(CancellationToken cancellationToken = default) => _reader.ListSeriesAsync(cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<Candle> ReadAsync(SeriesKey series, TimeRange? range = null, CancellationToken cancellationToken = default) =>
        _reader.ReadAsync(series, range, cancellationToken);
}
