
using Coinlake.Storage.Internal;

namespace Coinlake.Storage.Csv;

/// <summary>
/// Writes candles to CSV files, one per series: <c>{SYMBOL}_{TIMEFRAME}.csv</c> in the output folder by default
/// (<c>BTCUSDT_1m.csv</c>, as the seed downloader writes), or the output path itself when it ends with <c>.csv</c>.
/// <para>Layout: header <c>open_time,open,high,low,close,volume,quote_volume,trade_count</c>, open_time in ISO-8601 UTC (<c>2023-03-01T00:00:00Z</c>), decimals in invariant text exactly as held, empty fields for missing values.</para>
/// <para>
/// Upserts are buffered per file and counted against the open times already in it; on <see cref="FileCandleSink.FlushAsync"/>
/// (or when a file's buffer passes <see cref="MaxBufferedCandles"/>) the file is merged with the buffer (new wins
/// on equal open time, duplicates in the old file collapse), sorted by open time, written to a temporary file in
/// the same folder and renamed over the old one. Each flush rewrites whole files: flush at the end of a run, not
/// after every batch. Known-empty ranges and the series of each file live in <c>&lt;folder&gt;/.coinlake/sidecar.json</c>
/// (<c>&lt;file&gt;.coinlake.json</c> for a single file). One writer at a time; dispose flushes.
/// </para>
/// </summary>
public sealed class CsvCandleSink : FileCandleSink
{
    /// <summary>The default path template.</summary>
    public const string DefaultPathTemplate = "{SYMBOL}_{TIMEFRAME}.csv";

    /// <summary>Candles buffered for one file before it is written even without a flush.</summary>
    public const int MaxBufferedCandles = 1_000_000;

    /// <summary>Creates a sink writing to <paramref name="output"/>, a folder or a <c>.csv</c> file.</summary>
    /// <param name="output">Output folder, or a file path ending with <c>.csv</c> (every candle of the one series goes there).</param>
    /// <param name="pathTemplate">
    /// Relative path of each file in the folder; placeholders <c>{exchange} {symbol}/{SYMBOL} {base} {quote} {settle}
    /// {market_type} {timeframe}/{TIMEFRAME} {price}</c>, and <c>{yyyy} {MM}</c> for one file per month. Ignored for a file output.
    /// </param>
    /// <exception cref="ArgumentException">Empty output, or an invalid template.</exception>
    public CsvCandleSink(string output, string? pathTemplate = null)
        : base(output, pathTemplate, DefaultPathTemplate, ".csv", "csv", new CsvCandleFormat(), MaxBufferedCandles)
    {
    }
}
