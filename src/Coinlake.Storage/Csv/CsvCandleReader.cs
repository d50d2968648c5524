using Coinlake.Candles;
using Coinlake.Storage.Internal;
using Coinlake.Time;

namespace Coinlake.Storage.Csv;

/// <summary>
/// Reads candles from one CSV file (also <c>.csv.gz</c>), for audits. Columns are found by header name (open_time or timestamp, open, high, low, close, volume, optional quote_volume and trade_count); times may be ISO-8601 (pandas <c>2023-03-01 00:00:00+00:00</c> too) or integer ms. The series comes from the
/// Coinlake sidecar (<c>&lt;file&gt;.coinlake.json</c> or the folder's <c>.coinlake/sidecar.json</c>), else from the
/// file name (<c>BTCUSDT_1m.csv</c>, freqtrade's <c>UNITTEST_BTC-1m.json</c>), with <see cref="ReaderHints"/> overriding.
/// </summary>
public sealed class CsvCandleReader : ICandleReader
{
    private readonly FileSetReader _reader;

    /// <summary>Opens <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public CsvCandleReader(string path, ReaderHints? hints = null)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"No CSV file at {full}.", full);
        }

        var folderSidecar = Sidecar.ForFolder(Path.GetDirectoryName(full)!);
        var sidecar = File.Exists(Sidecar.ForFile(full)) || !File.Exists(folderSidecar)
            ? new Sidecar(Sidecar.ForFile(full))
            : new Sidecar(folderSidecar);
        _reader = new FileSetReader(() => [full], new CsvCandleFormat(), sidecar, sidecar.Path == folderSidecar ? Path.GetDirectoryName(full) : null, hints);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SeriesKey> ListSeriesAsync(CancellationToken cancellationToken = default) => _reader.ListSeriesAsync(cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<Candle> ReadAsync(SeriesKey series, TimeRange? range = null, CancellationToken cancellationToken = default) =>
        _reader.ReadAsync(series, range, cancellationToken);
}
