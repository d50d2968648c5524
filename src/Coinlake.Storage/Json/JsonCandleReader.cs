using Coinlake.Candles;
using Coinlake.Storage.Internal;
using Coinlake.Time;

namespace Coinlake.Storage.Json;

/// <summary>
/// Reads candles from one JSON file (also <c>.json.gz</c>), for audits. It holds an array of candle objects, freqtrade arrays <c>[[ms, o, h, l, c, v], ...]</c> or Binance raw klines. The series comes from the
/// Coinlake sidecar (<c>&lt;file&gt;.coinlake.json</c> or the folder's <c>.coinlake/sidecar.json</c>), else from the
/// file name (<c>BTCUSDT_1m.json</c>, freqtrade's <c>UNITTEST_BTC-1m.json</c>), with <see cref="ReaderHints"/> overriding.
/// </summary>
public sealed class JsonCandleReader : ICandleReader
{
    private readonly FileSetReader _reader;

    /// <summary>Opens <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public JsonCandleReader(string path, ReaderHints? hints = null)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"No JSON file at {full}.", full);
        }

        var folderSidecar = Sidecar.ForFolder(Path.GetDirectoryName(full)!);
        var sidecar = File.Exists(Sidecar.ForFile(full)) || !File.Exists(folderSidecar)
            ? new Sidecar(Sidecar.ForFile(full))
            : new Sidecar(folderSidecar);
        _reader = new FileSetReader(() => [full], new JsonCandleFormat(), sidecar, sidecar.Path == folderSidecar ? Path.GetDirectoryName(full) : null, hints);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SeriesKey> ListSeriesAsync(CancellationToken cancellationToken = default) => _reader.ListSeriesAsync(cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<Candle> ReadAsync(SeriesKey series, TimeRange? range = null, CancellationToken cancellationToken = default) =>
        _reader.ReadAsync(series, range, cancellationToken);
}
