using System.Globalization;
using System.Runtime.CompilerServices;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Storage.Internal;

/// <summary>
/// The trade layer of the file sinks over <see cref="FileRecordStore{TSeries, TKey, TRecord}"/>: trades are keyed by
/// trade id, placed in month files by timestamp and ordered by timestamp then id; a rewrite merges the file's trades
/// with the buffered ones (new wins on equal id, duplicates in the old file collapse), atomically. Written files are
/// recorded with their series in a trade sidecar (<c>&lt;root&gt;/.coinlake/trades.json</c>, or
/// <c>&lt;file&gt;.coinlake.json</c> for a single file), apart from the candle sinks' sidecar so both can share a folder.
/// </summary>
internal sealed class FileTradeStore
{
    private readonly FileRecordStore<TradeSeriesKey, string, Trade> _engine;

    /// <summary>Creates the store for a folder (<paramref name="template"/> set) or a single file (null).</summary>
    public FileTradeStore(string root, PathTemplate? template, IRecordFileFormat<TradeSeriesKey, string, Trade> format, string extension, int maxPending)
    {
        var full = Path.GetFullPath(root);
        Extension = extension;
        Sidecar = new Sidecar(template is null ? Sidecar.ForFile(full) : SidecarOf(full));
        _engine = new FileRecordStore<TradeSeriesKey, string, Trade>(
            full, template, (series, month) => template!.Render(series, month), TradeText.SeriesText, format, maxPending, Sidecar);
    }

    /// <summary>Output folder, or the output file.</summary>
    public string Root => _engine.Root;

    /// <summary>The path template (null for a single file).</summary>
    public PathTemplate? Template => _engine.Template;

    /// <summary>The series of each written file.</summary>
    public Sidecar Sidecar { get; }

    /// <summary>Data file extension, e.g. <c>.parquet</c>.</summary>
    public string Extension { get; }

    /// <summary>The trade sidecar of a folder output.</summary>
    public static string SidecarOf(string folder) => Path.Combine(folder, ".coinlake", "trades.json");

    /// <summary>Full path of the file that holds a trade of <paramref name="series"/> at <paramref name="timestamp"/> (ms UTC).</summary>
    public string PathOf(TradeSeriesKey series, long timestamp) => _engine.PathOf(series, timestamp);

    /// <summary>
    /// Buffers <paramref name="trades"/> (any order) and counts them against what is stored; an id repeated within the
    /// batch is kept once (the last wins) and counted as updated.
    /// </summary>
    /// <exception cref="ArgumentException">A trade without id, or a value the format cannot hold.</exception>
    /// <exception cref="InvalidOperationException">Two series would share one file.</exception>
    public async ValueTask<UpsertResult> UpsertAsync(TradeSeriesKey series, IReadOnlyList<Trade> trades, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(series);
        TradeText.EnsureIds(series, trades);
        var last = new Dictionary<string, Trade>(trades.Count, StringComparer.Ordinal);
        foreach (var t in trades)
        {
            last[t.Id] = t;
        }

        var sorted = last.Values.ToList();
        sorted.Sort(TradeText.Order);
        var result = await _engine.UpsertAsync(series, sorted, cancellationToken);
        return result + new UpsertResult(0, trades.Count - sorted.Count);
    }

    /// <summary>Writes every buffered file.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken) => _engine.FlushAsync(cancellationToken);

    /// <summary>The newest stored timestamp of <paramref name="series"/> (buffered trades are flushed first), or null.</summary>
    public async ValueTask<long?> LastTradeTimeAsync(TradeSeriesKey series, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        var files = FilesOf(series);
        for (var i = files.Count - 1; i >= 0; i--)
        {
            var rows = await _engine.Format.ReadAsync(files[i].Path, cancellationToken);
            long? max = null;
            for (var k = 0; k < rows.Records.Count; k++)
            {
                if (rows.RowSeries is null || rows.RowSeries[k] == series)
                {
                    max = Math.Max(max ?? long.MinValue, rows.Records[k].Timestamp);
                }
            }

            if (max is not null)
            {
                return max;
            }
        }

        return null;
    }

    /// <summary>The trades of <paramref name="series"/> in <paramref name="range"/> (all when null), by timestamp then id.</summary>
    public async IAsyncEnumerable<Trade> ReadAsync(TradeSeriesKey series, TimeRange? range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        var from = range?.Start ?? long.MinValue;
        var to = range?.End ?? long.MaxValue;
        foreach (var (path, span) in FilesOf(series))
        {
            if (span is { } s && (s.End <= from || s.Start >= to))
            {
                continue;
            }

            var rows = await _engine.Format.ReadAsync(path, cancellationToken);
            var selected = new List<Trade>(rows.Records.Count);
            for (var k = 0; k < rows.Records.Count; k++)
            {
                var t = rows.Records[k];
                if (t.Timestamp >= from && t.Timestamp < to && (rows.RowSeries is null || rows.RowSeries[k] == series))
                {
                    selected.Add(t);
                }
            }

            selected.Sort(TradeText.Order);
            foreach (var t in selected)
            {
                yield return t;
            }
        }
    }

    /// <summary>Every trade series stored under the root (buffered trades are flushed first).</summary>
    public async IAsyncEnumerable<TradeSeriesKey> ListSeriesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        var reader = new TradeFileSetReader(() => _engine.ExistingFiles(Extension), Sidecar, Template is null ? null : Root, null, explicitFiles: Template is null);
        await foreach (var series in reader.ListTradeSeriesAsync(cancellationToken))
        {
            yield return series;
        }
    }

    /// <summary>The existing files of <paramref name="series"/> in time order, with the span of time each holds (null when not monthly).</summary>
    private List<(string Path, TimeRange? Span)> FilesOf(TradeSeriesKey series)
    {
        if (Template?.IsMonthly != true)
        {
            var path = PathOf(series, 0);
            return File.Exists(path) ? [(path, null)] : [];
        }

        var pattern = Template.MonthFilesPattern(PathParts.Of(series));
        var files = new List<(string Path, TimeRange? Span)>();
        foreach (var file in _engine.ExistingFiles(Extension))
        {
            var match = pattern.Match(Path.GetRelativePath(Root, file).Replace('\\', '/'));
            var year = match.Success ? int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture) : 0;
            var month = match.Groups["m"].Success ? int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture) : 1;
            if (!match.Success || year < 1 || month is < 1 or > 12)
            {
                continue;
            }

            var start = new DateTimeOffset(year, month, 1, 0, 0, 0, TimeSpan.Zero);
            var end = match.Groups["m"].Success ? start.AddMonths(1) : start.AddYears(1);
            files.Add((file, new TimeRange(start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds())));
        }

        files.Sort((a, b) => a.Span!.Value.Start.CompareTo(b.Span!.Value.Start));
        return files;
    }
}
