using Coinlake.Storage.Internal;

namespace Coinlake.Storage.Json;

/// <summary>
/// Writes public trades to JSON files, one per series: <c>{SYMBOL}_trades.json</c> in the output folder by default
/// (<c>BTCUSDT_trades.json</c>), or the output path itself when it ends with <c>.json</c>.
/// <para>Layout: an array of <c>{"trade_id":"13519807","timestamp":1570752011620,"datetime":"2019-10-11T00:00:11.620Z","side":"sell","price":0.00141342,"amount":23.0,"cost":0.03250866}</c> objects; numbers carry their full decimal text, exact for decimal parsers, and <c>pd.read_json</c> reads the file as a table.</para>
/// <para>
/// Upserts are buffered per file and counted against the trade ids already in it; on <see cref="FileTradeSink.FlushAsync"/>, when a
/// series' writes move to another month, or when a file's buffer passes <see cref="MaxBufferedTrades"/>, the file is
/// merged with the buffer (new wins on equal trade id, duplicate ids in the old file collapse), ordered by timestamp
/// then id, written to a temporary file in the same folder and renamed over the old one. The series of each file is
/// recorded in <c>&lt;folder&gt;/.coinlake/trades.json</c> (<c>&lt;file&gt;.coinlake.json</c> for a single file), so
/// candle sinks may share the folder. One writer at a time; dispose flushes.
/// </para>
/// </summary>
public sealed class JsonTradeSink : FileTradeSink
{
    /// <summary>The default path template.</summary>
    public const string DefaultPathTemplate = "{SYMBOL}_trades.json";

    /// <summary>Trades buffered for one file before it is written even without a flush.</summary>
    public const int MaxBufferedTrades = 1_000_000;

    /// <summary>Creates a sink writing to <paramref name="output"/>, a folder or a <c>.json</c> file.</summary>
    /// <param name="output">Output folder, or a file path ending with <c>.json</c> (every trade of the one series goes there).</param>
    /// <param name="pathTemplate">
    /// Relative path of each file in the folder; placeholders <c>{exchange} {symbol}/{SYMBOL} {base} {quote} {settle}
    /// {market_type}</c> ({symbol} is file-safe: <c>BTCUSDT</c>, <c>BTCUSDT_USDT</c>), and <c>{yyyy} {MM}</c> for one
    /// file per month. Ignored for a file output.
    /// </param>
    /// <exception cref="ArgumentException">Empty output, or an invalid template (unknown placeholder, <c>{timeframe}</c>, absolute path ...).</exception>
    public JsonTradeSink(string output, string? pathTemplate = null)
        : base(output, pathTemplate, DefaultPathTemplate, ".json", "json", new JsonTradeFormat(), MaxBufferedTrades)
    {
    }
}
