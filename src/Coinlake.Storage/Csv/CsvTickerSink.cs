using System.Runtime.CompilerServices;
using Coinlake.Markets;
using Coinlake.Storage.Internal;
using Coinlake.Tickers;
using Coinlake.Time;

namespace Coinlake.Storage.Csv;

/// <summary>
/// Writes 24h ticker snapshots to CSV files, one per exchange, market type and month by default
/// (<c>{exchange}_{market_type}_tickers_{yyyy}-{MM}.csv</c>, e.g. <c>binance_spot_tickers_2024-01.csv</c>), or every
/// snapshot into the output path itself when it ends with <c>.csv</c>.
/// <para>
/// Layout: header <c>exchange,symbol,market_type,timestamp,datetime,last,bid,ask,high,low,open,base_volume,quote_volume,change,change_percent</c>;
/// timestamp in ms UTC (the exchange's snapshot time), datetime ISO-8601 UTC, prices and change in the quote
/// currency, base_volume in the base currency, change_percent in percent, decimals exactly as held, empty where the
/// exchange gives no value.
/// </para>
/// <para>
/// Append-friendly and still de-duplicated: snapshots are keyed by (exchange, market type, symbol, timestamp);
/// buffered snapshots whose keys are all new to the file are appended to its end on <see cref="FlushAsync"/> (the
/// file is not rewritten, so a collector can flush often); when a key is already in the file the file is merged
/// (new wins), ordered by timestamp then symbol and replaced atomically. A buffer over
/// <see cref="MaxBufferedTickers"/> is written without a flush. One writer at a time; dispose flushes.
/// </para>
/// </summary>
public sealed class CsvTickerSink : ITickerSink, ITickerReader
{
    /// <summary>The default path template.</summary>
    public const string DefaultPathTemplate = "{exchange}_{market_type}_tickers_{yyyy}-{MM}.csv";

    /// <summary>Snapshots buffered for one file before it is written even without a flush.</summary>
    public const int MaxBufferedTickers = 100_000;

    private readonly FileRecordStore<TickerSeries, (string Symbol, long Timestamp), Ticker> _engine;

    /// <summary>Creates a sink writing to <paramref name="output"/>, a folder or a <c>.csv</c> file.</summary>
    /// <param name="output">Output folder, or a file path ending with <c>.csv</c>.</param>
    /// <param name="pathTemplate">Relative path of each file in the folder; placeholders <c>{exchange} {market_type} {yyyy} {MM}</c>. Ignored for a file output.</param>
    /// <exception cref="ArgumentException">Empty output, or an invalid template (unknown placeholder, <c>{symbol}</c>, absolute path ...).</exception>
    public CsvTickerSink(string output, string? pathTemplate = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        var single = output.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        var template = single ? null : new PathTemplate(pathTemplate ?? DefaultPathTemplate, PathTemplateKind.Tickers);
        _engine = new FileRecordStore<TickerSeries, (string Symbol, long Timestamp), Ticker>(
            output, template, (series, month) => template!.Render(series.Parts, month), s => s.ToString(), new CsvTickerFormat(), MaxBufferedTickers, sidecar: null);
        Description = single ? $"csv {output} (tickers)" : $"csv {output} ({template!.Text})";
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Full path of the file that holds (or will hold) snapshots of <paramref name="exchange"/>/<paramref name="marketType"/> at <paramref name="timestamp"/> (ms UTC).</summary>
    public string PathOf(string exchange, MarketType marketType, long timestamp) => _engine.PathOf(new TickerSeries(exchange, marketType), timestamp);

    /// <inheritdoc/>
    /// <remarks>A (symbol, timestamp) repeated within the batch is kept once (the last wins) and counted as updated.</remarks>
    /// <exception cref="ArgumentException">Empty exchange id.</exception>
    /// <exception cref="InvalidOperationException">The path template sends two exchanges or market types to one file.</exception>
    public async ValueTask<UpsertResult> UpsertTickersAsync(string exchange, MarketType marketType, IReadOnlyList<Ticker> tickers, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(exchange);
        ArgumentNullException.ThrowIfNull(tickers);
        var last = new Dictionary<(string, long), Ticker>(tickers.Count);
        foreach (var t in tickers)
        {
            last[(t.Symbol.ToString(), t.Timestamp)] = t;
        }

        var sorted = last.Values.ToList();
        sorted.Sort(_engine.Format.Order);
        var result = await _engine.UpsertAsync(new TickerSeries(exchange, marketType), sorted, cancellationToken);
        return result + new UpsertResult(0, tickers.Count - sorted.Count);
    }

    /// <summary>Writes buffered snapshots (appending where possible).</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _engine.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Buffered snapshots are flushed first.</remarks>
    public async IAsyncEnumerable<Ticker> ReadTickersAsync(string exchange, MarketType marketType, TimeRange? range = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken);
        var series = new TickerSeries(exchange, marketType);
        var from = range?.Start ?? long.MinValue;
        var to = range?.End ?? long.MaxValue;
        IEnumerable<string> files;
        if (_engine.Template is not { } template)
        {
            files = _engine.ExistingFiles(".csv");
        }
        else if (template.IsMonthly)
        {
            var pattern = template.MonthFilesPattern(series.Parts);
            files = _engine.ExistingFiles(".csv").Where(f => pattern.IsMatch(Path.GetRelativePath(_engine.Root, f).Replace('\\', '/')));
        }
        else
        {
            files = File.Exists(_engine.PathOf(series, 0)) ? [_engine.PathOf(series, 0)] : [];
        }

        var selected = new List<Ticker>();
        foreach (var path in files)
        {
            var rows = await _engine.Format.ReadAsync(path, cancellationToken);
            for (var k = 0; k < rows.Records.Count; k++)
            {
                var t = rows.Records[k];
                if (t.Timestamp >= from && t.Timestamp < to && rows.RowSeries![k] == series)
                {
                    selected.Add(t);
                }
            }
        }

        selected.Sort(_engine.Format.Order);
        foreach (var t in selected)
        {
            yield return t;
        }
    }

    /// <summary>Flushes buffered snapshots.</summary>
    public ValueTask DisposeAsync() => FlushAsync();
}
