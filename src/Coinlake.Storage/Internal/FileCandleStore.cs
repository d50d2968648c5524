using System.Runtime.CompilerServices;
using Coinlake.Candles;
using Coinlake.Time;

namespace Coinlake.Storage.Internal;

/// <summary>
/// The candle layer of the file sinks over <see cref="FileRecordStore{TSeries, TKey, TRecord}"/>: candles are keyed
/// and timed by open time, files are ordered by open time; upserts are buffered per data file (a series, or a series
/// and month when the path template has <c>{yyyy}</c>), counted against the open times already on disk, and written
/// on flush by merging with the file's content (new rows win on equal open time), atomically. Adds coverage (stored
/// open times plus the sidecar's known-empty ranges) and reading back.
/// </summary>
internal sealed class FileCandleStore
{
    private readonly FileRecordStore<SeriesKey, long, Candle> _engine;

    /// <summary>Creates the engine for a folder (<paramref name="template"/> set) or a single file (null).</summary>
    public FileCandleStore(string root, PathTemplate? template, ICandleFileFormat format, int maxPending)
    {
        var full = Path.GetFullPath(root);
        Format = format;
        Sidecar = new Sidecar(template is null ? Sidecar.ForFile(full) : Sidecar.ForFolder(full));
        _engine = new FileRecordStore<SeriesKey, long, Candle>(
            full, template, (series, month) => template!.Render(series, month), Sidecar.SeriesText, new CandleRecordFormat(format), maxPending, Sidecar);
    }

    /// <summary>Output folder, or the output file for single-file outputs.</summary>
    public string Root => _engine.Root;

    /// <summary>True when every candle goes to <see cref="Root"/> itself.</summary>
    public bool IsSingleFile => _engine.IsSingleFile;

    /// <summary>The path template (null for a single file).</summary>
    public PathTemplate? Template => _engine.Template;

    /// <summary>Known-empty ranges and the series of each file.</summary>
    public Sidecar Sidecar { get; }

    /// <summary>The file format.</summary>
    public ICandleFileFormat Format { get; }

    /// <summary>Full path of the file that holds the candle of <paramref name="series"/> opening at <paramref name="openTime"/>.</summary>
    public string PathOf(SeriesKey series, long openTime) => _engine.PathOf(series, openTime);

    /// <summary>Buffers <paramref name="candles"/> (ascending, unique open times) and counts them against what is stored.</summary>
    /// <exception cref="ArgumentException">Candles out of order, or a value the format cannot hold.</exception>
    /// <exception cref="InvalidOperationException">Two series would share one file.</exception>
    public ValueTask<UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken)
    {
        SeriesText.EnsureAscending(series, candles);
        return _engine.UpsertAsync(series, candles, cancellationToken);
    }

    /// <summary>Writes every buffered file.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken) => _engine.FlushAsync(cancellationToken);

    /// <summary>Coverage of <paramref name="series"/> in <paramref name="range"/>: stored open times (on disk and buffered) plus the sidecar.</summary>
    public async ValueTask<SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken)
    {
        var timeframe = series.Timeframe;
        var from = timeframe.Floor(range.Start);
        var builder = new CoverageBuilder(timeframe);
        foreach (var path in PathsOf(series, from, range.End))
        {
            var times = new List<long>();
            if (_engine.BufferedKeys(path) is { } buffered)
            {
                times.AddRange(buffered);
            }
            else if (File.Exists(path))
            {
                times.AddRange(await Format.ReadOpenTimesAsync(path, cancellationToken));
            }

            times.Sort();
            long? last = null;
            foreach (var t in times)
            {
                if (t >= from && t < range.End && t != last)
                {
                    builder.Add(t);
                    last = t;
                }
            }
        }

        var window = RangeSet.Of(range);
        var empty = await Sidecar.GetEmptyAsync(series, cancellationToken);
        return new SeriesCoverage(builder.Build().Intersect(window), empty.Intersect(window));
    }

    /// <summary>The files that may hold candles of <paramref name="series"/> opening in <c>[from, to)</c>, in time order.</summary>
    public IEnumerable<string> PathsOf(SeriesKey series, long from, long to)
    {
        if (Template?.IsMonthly != true)
        {
            yield return PathOf(series, from);
            yield break;
        }

        for (var m = SeriesText.MonthStart(from); m < to; m = SeriesText.NextMonth(m))
        {
            yield return PathOf(series, m);
        }
    }

    /// <summary>Every data file under the root (or the single file), skipping temporary files and the sidecar folder.</summary>
    public IEnumerable<string> ExistingFiles(string extension) => _engine.ExistingFiles(extension);

    /// <summary>Every data file with <paramref name="extension"/> under <paramref name="folder"/>, sorted.</summary>
    public static IEnumerable<string> EnumerateDataFiles(string folder, string extension) =>
        FileRecordStore<SeriesKey, long, Candle>.EnumerateDataFiles(folder, extension);

    /// <summary>Reads the candles of <paramref name="series"/> in <paramref name="range"/> (all when null) from this store's files, ascending.</summary>
    public async IAsyncEnumerable<Candle> ReadAsync(SeriesKey series, TimeRange? range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var from = range?.Start ?? long.MinValue;
        var to = range?.End ?? long.MaxValue;
        IEnumerable<string> paths;
        if (range is null && Template?.IsMonthly == true)
        {
            // Every month file of the series, found by matching the template with the series' parts filled in.
            var pattern = Template.MonthFilesPattern(series);
            paths = ExistingFiles(Path.GetExtension(Template.Text))
                .Select(f => (File: f, Match: pattern.Match(Path.GetRelativePath(Root, f).Replace('\\', '/'))))
                .Where(x => x.Match.Success)
                .OrderBy(x => x.Match.Groups["y"].Value, StringComparer.Ordinal)
                .ThenBy(x => x.Match.Groups["m"].Value, StringComparer.Ordinal)
                .Select(x => x.File)
                .ToList();
        }
        else
        {
            paths = PathsOf(series, range is null ? 0 : series.Timeframe.Floor(from), to);
        }

        foreach (var path in paths)
        {
            if (!File.Exists(path))
            {
                continue;
            }

            var rows = await Format.ReadAsync(path, cancellationToken);
            var selected = new List<Candle>(rows.Candles.Count);
            for (var k = 0; k < rows.Candles.Count; k++)
            {
                var c = rows.Candles[k];
                if (c.OpenTime >= from && c.OpenTime < to && (rows.RowSeries is null || rows.RowSeries[k] == series))
                {
                    selected.Add(c);
                }
            }

            foreach (var c in selected.OrderBy(c => c.OpenTime))
            {
                yield return c;
            }
        }
    }
}

/// <summary>An <see cref="ICandleFileFormat"/> seen as a record format: candles keyed, timed and ordered by open time.</summary>
internal sealed class CandleRecordFormat(ICandleFileFormat inner) : IRecordFileFormat<SeriesKey, long, Candle>
{
    private static readonly Comparer<Candle> ByOpenTime = Comparer<Candle>.Create(static (a, b) => a.OpenTime.CompareTo(b.OpenTime));

    /// <inheritdoc/>
    public string Name => inner.Name;

    /// <inheritdoc/>
    public IComparer<Candle> Order => ByOpenTime;

    /// <inheritdoc/>
    public long KeyOf(in Candle record) => record.OpenTime;

    /// <inheritdoc/>
    public long TimeOf(in Candle record) => record.OpenTime;

    /// <inheritdoc/>
    public void Validate(SeriesKey series, in Candle record) => inner.Validate(series, record);

    /// <inheritdoc/>
    public ValueTask<List<long>> ReadKeysAsync(string path, CancellationToken cancellationToken) => inner.ReadOpenTimesAsync(path, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<RecordFileRows<SeriesKey, Candle>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var rows = await inner.ReadAsync(path, cancellationToken);
        return new RecordFileRows<SeriesKey, Candle>(rows.Candles, rows.RowSeries);
    }

    /// <inheritdoc/>
    public ValueTask WriteAsync(Stream stream, SeriesKey series, IReadOnlyList<Candle> records, CancellationToken cancellationToken) =>
        inner.WriteAsync(stream, series, records, cancellationToken);
}
