
using Coinlake.Storage.Internal;

namespace Coinlake.Storage.Parquet;

/// <summary>
/// Writes candles to Parquet files, one per series and month by default
/// (<c>{exchange}/{symbol}/{timeframe}/{yyyy}-{MM}.parquet</c>, e.g. <c>binance/BTCUSDT/1m/2023-03.parquet</c>), or
/// every candle of the series into one file when <c>root</c> ends with <c>.parquet</c>.
/// <para>
/// Columns: <c>exchange symbol market_type timeframe price</c> (strings), <c>open_time</c> TIMESTAMP(MILLIS,
/// isAdjustedToUTC=true) so pandas, polars and DuckDB read UTC datetimes, <c>open high low close volume</c>
/// DECIMAL(38,18) (exact: up to 20 integer and 18 fractional digits; a value with more is refused with an
/// <see cref="ArgumentException"/> at upsert), <c>quote_volume</c> nullable DECIMAL(38,18), <c>trade_count</c>
/// nullable INT64; zstd compression. Values read back normalized (<c>23140.48000000</c> reads as <c>23140.48</c>).
/// </para>
/// <para>
/// Upserts are buffered per month file and counted against the open times on disk; a file is rewritten on
/// <see cref="FileCandleSink.FlushAsync"/>, when the series' writes move to another month, or when its buffer passes
/// <see cref="MaxBufferedCandles"/>: the file's rows and the new ones are merged (new wins on equal open time),
/// sorted by open time, written to a temporary file in the same folder and renamed over the old one. Known-empty
/// ranges live in <c>&lt;root&gt;/.coinlake/sidecar.json</c> (<c>&lt;file&gt;.coinlake.json</c> for a single file).
/// One writer at a time; dispose flushes.
/// </para>
/// </summary>
public sealed class ParquetCandleSink : FileCandleSink
{
    /// <summary>The default path template.</summary>
    public const string DefaultPathTemplate = "{exchange}/{symbol}/{timeframe}/{yyyy}-{MM}.parquet";

    /// <summary>Candles buffered for one file before it is written even without a flush.</summary>
    public const int MaxBufferedCandles = 500_000;

    /// <summary>Creates a sink writing under <paramref name="root"/> (a folder, or a <c>.parquet</c> file for a single-file output).</summary>
    /// <param name="root">Output folder, or a file path ending with <c>.parquet</c>.</param>
    /// <param name="pathTemplate">
    /// Relative path of each file under <paramref name="root"/>; placeholders <c>{exchange} {symbol} {base} {quote}
    /// {settle} {market_type} {timeframe} {price} {yyyy} {MM}</c> ({symbol} is file-safe: <c>BTCUSDT</c>,
    /// <c>BTCUSDT_USDT</c>). Ignored for a single-file root.
    /// </param>
    /// <exception cref="ArgumentException">Empty root, or an invalid template (unknown placeholder, absolute path ...).</exception>
    public ParquetCandleSink(string root, string? pathTemplate = null)
        : base(root, pathTemplate, DefaultPathTemplate, ".parquet", "parquet", new ParquetCandleFormat(), MaxBufferedCandles)
    {
    }
}
