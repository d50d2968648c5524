using Coinlake.Storage.Internal;

namespace Coinlake.Storage.Parquet;

/// <summary>
/// Writes public trades to Parquet files, one per series and month by default
/// (<c>{exchange}/{symbol}/trades/{yyyy}-{MM}.parquet</c>, e.g. <c>binance/BTCUSDT/trades/2024-01.parquet</c>), or every
/// trade of the series into one file when the output ends with <c>.parquet</c>.
/// <para>
/// Columns: <c>exchange symbol market_type</c>, <c>trade_id</c> (string), <c>timestamp</c> TIMESTAMP(MILLIS,
/// isAdjustedToUTC=true), <c>price amount</c> DECIMAL(38,18) (exact: a value with more than 18 decimals or 20 integer
/// digits is refused at upsert), <c>cost</c> DECIMAL(38,18) (price × amount rounded to 18 decimals), <c>side</c>
/// (<c>buy</c>/<c>sell</c>/null); zstd. Values read back normalized (<c>23.0</c> reads as <c>23</c>).
/// </para>
/// <para>
/// Upserts are buffered per file and counted against the trade ids already in it; on <see cref="FileTradeSink.FlushAsync"/>, when a
/// series' writes move to another month, or when a file's buffer passes <see cref="MaxBufferedTrades"/>, the file is
/// merged with the buffer (new wins on equal trade id, duplicate ids in the old file collapse), ordered by timestamp
/// then id, written to a temporary file in the same folder and renamed over the old one. The series of each file is
/// recorded in <c>&lt;folder&gt;/.coinlake/trades.json</c> (<c>&lt;file&gt;.coinlake.json</c> for a single file), so
/// candle sinks may share the folder. One writer at a time; dispose flushes.
/// </para>
/// </summary>
public sealed class ParquetTradeSink : FileTradeSink
{
    /// <summary>The default path template.</summary>
    public const string DefaultPathTemplate = "{exchange}/{symbol}/trades/{yyyy}-{MM}.parquet";

    /// <summary>Trades buffered for one file before it is written even without a flush.</summary>
    public const int MaxBufferedTrades = 1_000_000;

    /// <summary>Creates a sink writing to <paramref name="output"/>, a folder or a <c>.parquet</c> file.</summary>
    /// <param name="output">Output folder, or a file path ending with <c>.parquet</c> (every trade of the one series goes there).</param>
    /// <param name="pathTemplate">
    /// Relative path of each file in the folder; placeholders <c>{exchange} {symbol}/{SYMBOL} {base} {quote} {settle}
    /// {market_type}</c> ({symbol} is file-safe: <c>BTCUSDT</c>, <c>BTCUSDT_USDT</c>), and <c>{yyyy} {MM}</c> for one
    /// file per month. Ignored for a file output.
    /// </param>
    /// <exception cref="ArgumentException">Empty output, or an invalid template (unknown placeholder, <c>{timeframe}</c>, absolute path ...).</exception>
    public ParquetTradeSink(string output, string? pathTemplate = null)
        : base(output, pathTemplate, DefaultPathTemplate, ".parquet", "parquet", new ParquetTradeFormat(), MaxBufferedTrades)
    {
    }
}
