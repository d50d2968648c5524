
using Coinlake.Storage.Internal;

namespace Coinlake.Storage.Json;

/// <summary>
/// Writes candles to JSON files, one per series: <c>{SYMBOL}_{TIMEFRAME}.json</c> in the output folder by default
/// (<c>BTCUSDT_1m.json</c>, as the seed downloader writes), or the output path itself when it ends with <c>.json</c>.
/// <para>Layout: an array of <c>{"open_time":ms,"timestamp":"ISO","open":23140.48,...,"quote_volume":null,"trade_count":null}</c> objects; values are JSON numbers with their full decimal text, exact for decimal parsers and read as a table by <c>pd.read_json</c>.</para>
/// <para>
/// Upserts are buffered per file and counted against the open times already in it; on <see cref="FileCandleSink.FlushAsync"/>
/// (or when a file's buffer passes <see cref="MaxBufferedCandles"/>) the file is merged with the buffer (new wins
/// on equal open time, duplicates in the old file collapse), sorted by open time, written to a temporary file in
/// the same folder and renamed over the old one. Each flush rewrites whole files: flush at the end of a run, not
/// after every batch. Known-empty ranges and the series of each file live in <c>&lt;folder&gt;/.coinlake/sidecar.json</c>
/// (<c>&lt;file&gt;.coinlake.json</c> for a single file). One writer at a time; dispose flushes.
/// </para>
/// </summary>
public sealed class JsonCandleSink : FileCandleSink
{
    /// <summary>The default path template.</summary>
    public const string DefaultPathTemplate = "{SYMBOL}_{TIMEFRAME}.json";

    /// <summary>Candles buffered for one file before it is written even without a flush.</summary>
    public const int MaxBufferedCandles = 1_000_000;

    /// <summary>Creates a sink writing to <paramref name="output"/>, a folder or a <c>.json</c> file.</summary>
    /// <param name="output">Output folder, or a file path ending with <c>.json</c> (every candle of the one series goes there).</param>
    /// <param name="pathTemplate">
    /// Relative path of each file in the folder; placeholders <c>{exchange} {symbol}/{SYMBOL} {base} {quote} {settle}
    /// {market_type} {timeframe}/{TIMEFRAME} {price}</c>, and <c>{yyyy} {MM}</c> for one file per month. Ignored for a file output.
    /// </param>
    /// <exception cref="ArgumentException">Empty output, or an invalid template.</exception>
    public JsonCandleSink(string output, string? pathTemplate = null)
        : base(output, pathTemplate, DefaultPathTemplate, ".json", "json", new JsonCandleFormat(), MaxBufferedCandles)
    {
    }
}
