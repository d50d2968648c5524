using System.Runtime.CompilerServices;
using Coinlake.Candles;
using Coinlake.Time;

namespace Coinlake.Storage.Internal;

/// <summary>
/// The engine behind the file sinks: upserts are buffered per data file (a series, or a series and month when the
/// path template has <c>{yyyy}</c>), counted against the open times already on disk, and written on flush by
/// merging with the file's content (new rows win on equal open time), sorted by open time, atomically.
/// Memory stays bounded: when a series' writes move to another month, the buffers of its other months are written
/// and dropped; a buffer over <c>maxPending</c> candles is written at once.
/// </summary>
internal sealed class FileCandleStore
{
    private readonly PathTemplate? _template;
    private readonly ICandleFileFormat _format;
    private readonly int _maxPending;
    private readonly Dictionary<string, FileBuffer> _buffers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SeriesKey> _owners = new(StringComparer.Ordinal);

    /// <summary>Creates the engine for a folder (<paramref name="template"/> set) or a single file (null).</summary>
    public FileCandleStore(string root, PathTemplate? template, ICandleFileFormat format, int maxPending)
    {
        Root = Path.GetFullPath(root);
        _template = template;
        _format = format;
        _maxPending = maxPending;
        Sidecar = new Sidecar(template is null ? Sidecar.ForFile(Root) : Sidecar.ForFolder(Root));
    }

    /// <summary>Output folder, or the output file for single-file outputs.</summary>
    public string Root { get; }

    /// <summary>True when every candle goes to <see cref="Root"/> itself.</summary>
    public bool IsSingleFile => _template is null;

    /// <summary>The path template (null for a single file).</summary>
    public PathTemplate? Template => _template;

    /// <summary>Known-empty ranges and the series of each file.</summary>
    public Sidecar Sidecar { get; }

    /// <summary>The file format.</summary>
    public ICandleFileFormat Format => _format;

    /// <summary>Full path of the file that holds the candle of <paramref name="series"/> opening at <paramref name="openTime"/>.</summary>
    public string PathOf(SeriesKey series, long openTime) =>
        _template is null ? Root
        : Path.Combine(Root, _template.Render(series, _template.IsMonthly ? SeriesText.MonthStart(openTime) : 0));

    /// <summary>Buffers <paramref name="candles"/> and counts them against what is stored.</summary>
    public async ValueTask<UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken)
    {
        SeriesText.EnsureAscending(series, candles);
        for (var k = 0; k < candles.Count; k++)
        {
            _format.Validate(series, candles[k]);
        }

        long inserted = 0, updated = 0;
        var i = 0;
        while (i < candles.Count)
        {
            var monthly = _template?.IsMonthly == true;
            var monthStart = monthly ? SeriesText.MonthStart(candles[i].OpenTime) : 0;
            var monthEnd = monthly ? SeriesText.NextMonth(monthStart) : long.MaxValue;
            var buffer = await GetBufferAsync(series, PathOf(series, candles[i].OpenTime), monthStart, cancellationToken);
            if (monthly)
            {
                await FlushOtherMonthsAsync(series, buffer, cancellationToken);
            }

            for (; i < candles.Count && candles[i].OpenTime < monthEnd; i++)
            {
                var candle = candles[i];
                if (buffer.Pending.ContainsKey(candle.OpenTime) || buffer.Existing.Contains(candle.OpenTime))
                {
                    updated++;
                }
                else
                {
                    inserted++;
                }

                buffer.Pending[candle.OpenTime] = candle;
            }

            if (buffer.Pending.Count >= _maxPending)
            {
                await WriteAsync(buffer, cancellationToken);
            }
        }

        return new UpsertResult(inserted, updated);
    }

    /// <summary>Writes every buffered file.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var buffer in _buffers.Values.ToList())
        {
            await WriteAsync(buffer, cancellationToken);
        }
    }

    /// <summary>Coverage of <paramref name="series"/> in <paramref name="range"/>: stored open times (on disk and buffered) plus the sidecar.</summary>
    public async ValueTask<SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken)
    {
        var timeframe = series.Timeframe;
        var from = timeframe.Floor(range.Start);
        var builder = new CoverageBuilder(timeframe);
        foreach (var path in PathsOf(series, from, range.End))
        {
            var times = new List<long>();
            if (_buffers.TryGetValue(path, out var buffer))
            {
                times.AddRange(buffer.Existing);
                times.AddRange(buffer.Pending.Keys.Where(t => !buffer.Existing.Contains(t)));
            }
            else if (File.Exists(path))
            {
                times.AddRange(await _format.ReadOpenTimesAsync(path, cancellationToken));
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
        if (_template?.IsMonthly != true)
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
    public IEnumerable<string> ExistingFiles(string extension) => IsSingleFile
        ? File.Exists(Root) ? [Root] : []
        : EnumerateDataFiles(Root, extension);

    /// <summary>Every data file with <paramref name="extension"/> under <paramref name="folder"/>, sorted.</summary>
    public static IEnumerable<string> EnumerateDataFiles(string folder, string extension)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var sidecarFolder = Path.Combine(folder, ".coinlake") + Path.DirectorySeparatorChar;
        return Directory.EnumerateFiles(folder, "*" + extension, SearchOption.AllDirectories)
            .Where(f => !AtomicFile.IsTemp(f) && !f.StartsWith(sidecarFolder, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Reads the candles of <paramref name="series"/> in <paramref name="range"/> (all when null) from this store's files, ascending.</summary>
    public async IAsyncEnumerable<Candle> ReadAsync(SeriesKey series, TimeRange? range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var from = range?.Start ?? long.MinValue;
        var to = range?.End ?? long.MaxValue;
        IEnumerable<string> paths;
        if (range is null && _template?.IsMonthly == true)
        {
            // Every month file of the series, found by matching the template with the series' parts filled in.
            var pattern = _template.MonthFilesPattern(series);
            paths = ExistingFiles(Path.GetExtension(_template.Text))
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

            var rows = await _format.ReadAsync(path, cancellationToken);
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

    private async ValueTask<FileBuffer> GetBufferAsync(SeriesKey series, string path, long monthStart, CancellationToken cancellationToken)
    {
        if (_owners.TryGetValue(path, out var owner) && owner != series)
        {
            throw new InvalidOperationException(
                $"Both {owner} and {series} would be written to {path}; add the placeholders that tell them apart ({{exchange}} {{market_type}} {{price}} {{timeframe}} {{symbol}}) to the path template '{_template?.Text ?? Root}'.");
        }

        _owners[path] = series;
        if (_buffers.TryGetValue(path, out var buffer))
        {
            return buffer;
        }

        var existing = File.Exists(path) ? await _format.ReadOpenTimesAsync(path, cancellationToken) : [];
        buffer = new FileBuffer(path, series, monthStart, [.. existing]);
        _buffers[path] = buffer;
        return buffer;
    }

    private async ValueTask FlushOtherMonthsAsync(SeriesKey series, FileBuffer current, CancellationToken cancellationToken)
    {
        foreach (var other in _buffers.Values.Where(b => b != current && b.Series == series).ToList())
        {
            await WriteAsync(other, cancellationToken);
            _buffers.Remove(other.Path);
        }
    }

    private async ValueTask WriteAsync(FileBuffer buffer, CancellationToken cancellationToken)
    {
        if (buffer.Pending.Count == 0)
        {
            return;
        }

        var merged = new Dictionary<long, Candle>(buffer.Existing.Count + buffer.Pending.Count);
        if (File.Exists(buffer.Path))
        {
            var rows = await _format.ReadAsync(buffer.Path, cancellationToken);
            if (rows.RowSeries?.FirstOrDefault(s => s != buffer.Series) is { } stranger)
            {
                throw new InvalidOperationException(
                    $"{buffer.Path} holds candles of {stranger}, not only of {buffer.Series}; refusing to rewrite it. Write {buffer.Series} to another file or folder.");
            }

            foreach (var c in rows.Candles)
            {
                merged[c.OpenTime] = c;
            }
        }

        foreach (var (t, c) in buffer.Pending)
        {
            merged[t] = c;
        }

        var sorted = merged.Values.ToList();
        sorted.Sort((a, b) => a.OpenTime.CompareTo(b.OpenTime));
        await AtomicFile.WriteAsync(buffer.Path, (stream, ct) => _format.WriteAsync(stream, buffer.Series, sorted, ct), cancellationToken);
        var relative = IsSingleFile ? Path.GetFileName(Root) : Path.GetRelativePath(Root, buffer.Path);
        if (await Sidecar.RecordFileAsync(relative, buffer.Series, cancellationToken))
        {
            await Sidecar.SaveAsync(cancellationToken);
        }

        buffer.Existing.UnionWith(buffer.Pending.Keys);
        buffer.Pending.Clear();
    }

    private sealed class FileBuffer(string path, SeriesKey series, long monthStart, HashSet<long> existing)
    {
        public string Path { get; } = path;

        public SeriesKey Series { get; } = series;

        public long MonthStart { get; } = monthStart;

        public HashSet<long> Existing { get; } = existing;

        public Dictionary<long, Candle> Pending { get; } = [];
    }
}
