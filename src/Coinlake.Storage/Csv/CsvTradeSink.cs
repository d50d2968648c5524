using Coinlake.Storage.Internal;

namespace Coinlake.Storage.Csv;

/// <summary>
/// Writes public trades to CSV files, one per series: <c>{SYMBOL}_trades.csv</c> in the output folder by default
/// (<c>BTCUSDT_trades.csv</c>), or the output path itself when it ends with <c>.csv</c>.
/// <para>Layout: header <c>timestamp,datetime,trade_id,side,price,amount,cost</c>; timestamp in ms UTC, datetime ISO-8601 UTC, decimals in invariant text exactly as held, cost = price × amount exactly, empty side when unknown.</para>
/// <para>
/// Upserts are buffered per file and counted against the trade ids already in it; on <see cref="FileTradeSink.FlushAsync"/>, when a
/// series' writes move to another month, or when a file's buffer passes <see cref="MaxBufferedTrades"/>, the file is
/// merged with the buffer (new wins on equal trade id, duplicate ids in the old file collapse), ordered by timestamp
/// then id, written to a temporary file in the same folder and renamed over the old one. The series of each file is
/// recorded in <c>&lt;folder&gt;/.coinlake/trades.json</c> (<c>&lt;file&gt;.coinlake.json</c> for a single file), so
/// candle sinks may share the folder. One writer at a time; dispose flushes.
/// </para>
/// </summary>
public sealed class CsvTradeSink : FileTradeSink
{
    /// <summary>The default path template.</summary>
    public const string DefaultPathTemplate = "{SYMBOL}_trades.csv";

    /// <summary>Trades buffered for one file before it is written even without a flush.</summary>
    public const int MaxBufferedTrades = 1_000_000;

    /// <summary>Creates a sink writing to <paramref name="output"/>, a folder or a <c>.csv</c> file.</summary>
    /// <param name="output">Output folder, or a file path ending with <c>.csv</c> (every trade of the one series goes there).</param>
    /// <param name="pathTemplate">
    /// Relative path of each file in the folder; placeholders <c>{exchange} {symbol}/{SYMBOL} {base} {quote} {settle}
    /// {market_type}</c> ({symbol} is file-safe: <c>BTCUSDT</c>, <c>BTCUSDT_USDT</c>), and <c>{yyyy} {MM}</c> for one
    /// file per month. Ignored for a file output.
    /// </param>
    /// <exception cref="ArgumentException">Empty output, or an invalid template (unknown placeholder, <c>{timeframe}</c>, absolute path ...).</exception>
    public CsvTradeSink(string output, string? pathTemplate = null)
        : base(output, pathTemplate, DefaultPathTemplate, ".csv", "csv", new CsvTradeFormat(), MaxBufferedTrades)
    {
    }
}
