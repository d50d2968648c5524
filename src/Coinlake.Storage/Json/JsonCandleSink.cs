using Coinlake.Candles;
using Coinlake.Storage.Internal;
using Coinlake.Time;

namespace Coinlake.Storage.Json;

/// <summary>
/// Writes candles to JSON files, one per series: <c>{SYMBOL}_{TIMEFRAME}.json</c> in the output folder by default
/// (<c>BTCUSDT_1m.json</c>, as the seed downloader writes), or the output path itself when it ends with <c>.json</c>.
/// <para>Layout: an array of <c>{"open_time":ms,"timestamp":"ISO","open":23140.48,...,"quote_volume":null,"trade_count":null}</c> objects; values are JSON numbers with their full decimal text, exact for decimal parsers and read as a table by <c>pd.read_json</c>.</para>
/// <para>
/// Upserts are buffered per file and counted against the open times already in it; on <see cref="FlushAsync"/>
/// (or when a file's buffer passes <see cref="MaxBufferedCandles"/>) the file is merged with the buffer (new wins
/// on equal open time, duplicates in the old file collapse), sorted by open time, written to a temporary file in
/// the same folder and renamed over the old one. Each flush rewrites whole files: flush at the end of a run, not
/// after every batch. Known-empty ranges and the series of each file live in <c>&lt;folder&gt;/.coinlake/sidecar.json</c>
/// (<c>&lt;file&gt;.coinlake.json</c> for a single file). One writer at a time; dispose flushes.
/// </para>
/// </summary>
public sealed class JsonCandleSink : ICandleSink, ICandleReader
{
    /// <summary>The default path template.</summary>
    public const string DefaultPathTemplate = "{SYMBOL}_{TIMEFRAME}.json";

    /// <summary>Candles buffered for one file before it is written even without a flush.</summary>
    public const int MaxBufferedCandles = 1_000_000;

    private readonly FileCandleStore _store;

    /// <summary>Creates a sink writing to <paramref name="output"/>, a folder or a <c>.json</c> file.</summary>
    /// <param name="output">Output folder, or a file path ending with <c>.json</c> (every candle of the one series goes there).</param>
    /// <param name="pathTemplate">
    /// Relative path of each file in the folder; placeholders <c>{exchange} {symbol}/{SYMBOL} {base} {quote} {settle}
    /// {market_type} {timeframe}/{TIMEFRAME} {price}</c>, and <c>{yyyy} {MM}</c> for one file per month. Ignored for a file output.
    /// </param>
    /// <exception cref="ArgumentException">Empty output, or an invalid template.</exception>
    public JsonCandleSink(string output, string? pathTemplate = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        var single = output.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        _store = new FileCandleStore(output, single ? null : new PathTemplate(pathTemplate ?? DefaultPathTemplate), new JsonCandleFormat(), MaxBufferedCandles);
        Description = single ? $"json {output}" : $"json {output} ({_store.Template!.Text})";
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Full path of the file that holds (or will hold) the candle of <paramref name="series"/> opening at <paramref name="openTime"/> (ms UTC).</summary>
    public string PathOf(SeriesKey series, long openTime) => _store.PathOf(series, openTime);

    /// <inheritdoc/>
    public ValueTask<SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken = default) =>
        _store.GetCoverageAsync(series, range, cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Candles out of order.</exception>
    /// <exception cref="InvalidOperationException">Two series would share one file (add placeholders to the template).</exception>
    public ValueTask<UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken = default) =>
        _store.UpsertAsync(series, candles, cancellationToken);

    /// <inheritdoc/>
    public ValueTask MarkEmptyAsync(SeriesKey series, IReadOnlyList<TimeRange> ranges, CancellationToken cancellationToken = default) =>
        _store.Sidecar.AddEmptyAsync(series, ranges, cancellationToken);

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _store.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Buffered candles are flushed first. The series of each file comes from the sidecar, else from its name.</remarks>
    public async IAsyncEnumerable<SeriesKey> ListSeriesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken);
        var reader = new FileSetReader(() => _store.ExistingFiles(".json"), _store.Format, _store.Sidecar, _store.IsSingleFile ? null : _store.Root, null);
        await foreach (var series in reader.ListSeriesAsync(cancellationToken))
        {
            yield return series;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Buffered candles are flushed first.</remarks>
    public async IAsyncEnumerable<Candle> ReadAsync(SeriesKey series, TimeRange? range = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken);
        await foreach (var candle in _store.ReadAsync(series, range, cancellationToken))
        {
            yield return candle;
        }
    }

    /// <summary>Flushes buffered candles.</summary>
    public ValueTask DisposeAsync() => FlushAsync();
}
