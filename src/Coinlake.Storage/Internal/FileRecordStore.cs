namespace Coinlake.Storage.Internal;

/// <summary>Records read from one file: the rows in file order and, when the file has series columns, each row's series.</summary>
/// <param name="Records">Rows in file order (duplicates kept).</param>
/// <param name="RowSeries">Series of each row, or null when the file has no series columns.</param>
internal sealed record RecordFileRows<TSeries, TRecord>(List<TRecord> Records, List<TSeries>? RowSeries);

/// <summary>
/// One file format of one kind of record (candles, trades, tickers) for <see cref="FileRecordStore{TSeries, TKey, TRecord}"/>:
/// how a record is keyed (its identity in a file), timed (which month file holds it) and ordered in a file.
/// </summary>
internal interface IRecordFileFormat<TSeries, TKey, TRecord>
    where TKey : notnull
{
    /// <summary>Short name for descriptions: <c>parquet</c>, <c>csv</c>, <c>json</c>.</summary>
    string Name { get; }

    /// <summary>Order of the records in a written file.</summary>
    IComparer<TRecord> Order { get; }

    /// <summary>True when new records may be appended to an existing file without rewriting it (see <see cref="AppendAsync"/>).</summary>
    bool CanAppend => false;

    /// <summary>The record's key within its series: two records with one key are one record (the newer wins).</summary>
    TKey KeyOf(in TRecord record);

    /// <summary>The record's time, ms UTC: which month file holds it.</summary>
    long TimeOf(in TRecord record);

    /// <summary>Throws an <see cref="ArgumentException"/> when the format cannot hold <paramref name="record"/> exactly.</summary>
    void Validate(TSeries series, in TRecord record);

    /// <summary>The keys in the file, in file order.</summary>
    ValueTask<List<TKey>> ReadKeysAsync(string path, CancellationToken cancellationToken);

    /// <summary>Every row of the file.</summary>
    ValueTask<RecordFileRows<TSeries, TRecord>> ReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="records"/> (ordered, unique keys) of <paramref name="series"/> as a whole file.</summary>
    ValueTask WriteAsync(Stream stream, TSeries series, IReadOnlyList<TRecord> records, CancellationToken cancellationToken);

    /// <summary>Appends <paramref name="records"/> (ordered, keys new to the file) to the end of an existing file.</summary>
    ValueTask AppendAsync(Stream stream, TSeries series, IReadOnlyList<TRecord> records, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"The {Name} format cannot append.");
}

/// <summary>
/// The engine behind every file sink (candles, trades, tickers): upserts are buffered per data file (a series, or a
/// series and month when the path template has <c>{yyyy}</c>), counted against the keys already on disk, and written
/// on flush by merging with the file's content (new rows win on equal key), ordered, atomically
/// (<see cref="AtomicFile"/>). Memory stays bounded: when a series' writes move to another month, the buffers of its
/// other months are written and dropped; a buffer over <c>maxPending</c> records is written at once. Formats that
/// can append (<see cref="IRecordFileFormat{TSeries, TKey, TRecord}.CanAppend"/>) get a buffer whose keys are all
/// new appended to the file instead of a rewrite. Each written file is recorded with its series in the sidecar.
/// </summary>
/// <typeparam name="TSeries">The series a file belongs to (e.g. <c>SeriesKey</c>, <c>TradeSeriesKey</c>).</typeparam>
/// <typeparam name="TKey">A record's identity within its series (open time, trade id ...).</typeparam>
/// <typeparam name="TRecord">The record.</typeparam>
internal sealed class FileRecordStore<TSeries, TKey, TRecord>
    where TSeries : notnull
    where TKey : notnull
{
    private readonly Func<TSeries, long, string> _render;
    private readonly Func<TSeries, string> _seriesText;
    private readonly int _maxPending;
    private readonly Dictionary<string, FileBuffer> _buffers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TSeries> _owners = new(StringComparer.Ordinal);

    /// <summary>Creates the engine for a folder (<paramref name="template"/> set) or a single file (null).</summary>
    /// <param name="root">Output folder, or the output file.</param>
    /// <param name="template">Path template under the folder, or null for a single file.</param>
    /// <param name="render">Relative path of the file of a series and month start (ms UTC), usually the template's rendering.</param>
    /// <param name="seriesText">Text of a series for the sidecar and messages.</param>
    /// <param name="format">The file format.</param>
    /// <param name="maxPending">Records buffered for one file before it is written without a flush.</param>
    /// <param name="sidecar">Where written files are recorded with their series; null to record nothing.</param>
    public FileRecordStore(
        string root,
        PathTemplate? template,
        Func<TSeries, long, string> render,
        Func<TSeries, string> seriesText,
        IRecordFileFormat<TSeries, TKey, TRecord> format,
        int maxPending,
        Sidecar? sidecar)
    {
        Root = Path.GetFullPath(root);
        Template = template;
        _render = render;
        _seriesText = seriesText;
        Format = format;
        _maxPending = maxPending;
        Sidecar = sidecar;
    }

    /// <summary>Output folder, or the output file for single-file outputs.</summary>
    public string Root { get; }

    /// <summary>True when every record goes to <see cref="Root"/> itself.</summary>
    public bool IsSingleFile => Template is null;

    /// <summary>The path template (null for a single file).</summary>
    public PathTemplate? Template { get; }

    /// <summary>The file format.</summary>
    public IRecordFileFormat<TSeries, TKey, TRecord> Format { get; }

    /// <summary>Where written files are recorded with their series (null: nowhere).</summary>
    public Sidecar? Sidecar { get; }

    /// <summary>Full path of the file that holds the record of <paramref name="series"/> at <paramref name="time"/> (ms UTC).</summary>
    public string PathOf(TSeries series, long time) =>
        Template is null ? Root
        : Path.Combine(Root, _render(series, Template.IsMonthly ? SeriesText.MonthStart(time) : 0));

    /// <summary>
    /// Buffers <paramref name="records"/> and counts them against what is stored: a key already on disk or buffered
    /// counts as updated. Records of one month should be contiguous (sort by time first) so each file is visited once.
    /// </summary>
    /// <exception cref="ArgumentException">The format cannot hold a record.</exception>
    /// <exception cref="InvalidOperationException">Two series would share one file.</exception>
    public async ValueTask<UpsertResult> UpsertAsync(TSeries series, IReadOnlyList<TRecord> records, CancellationToken cancellationToken)
    {
        for (var k = 0; k < records.Count; k++)
        {
            Format.Validate(series, records[k]);
        }

        long inserted = 0, updated = 0;
        var monthly = Template?.IsMonthly == true;
        var i = 0;
        while (i < records.Count)
        {
            var monthStart = monthly ? SeriesText.MonthStart(Format.TimeOf(records[i])) : 0;
            var monthEnd = monthly ? SeriesText.NextMonth(monthStart) : long.MaxValue;
            var buffer = await GetBufferAsync(series, PathOf(series, Format.TimeOf(records[i])), cancellationToken);
            if (monthly)
            {
                await FlushOtherMonthsAsync(series, buffer, cancellationToken);
            }

            for (; i < records.Count && (!monthly || (Format.TimeOf(records[i]) >= monthStart && Format.TimeOf(records[i]) < monthEnd)); i++)
            {
                var record = records[i];
                var key = Format.KeyOf(record);
                if (buffer.Pending.ContainsKey(key) || buffer.Existing.Contains(key))
                {
                    updated++;
                }
                else
                {
                    inserted++;
                }

                buffer.Pending[key] = record;
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

    /// <summary>The keys of <paramref name="path"/> as this store knows them (on disk and buffered), or null when the file is not buffered.</summary>
    public IEnumerable<TKey>? BufferedKeys(string path) =>
        _buffers.TryGetValue(path, out var buffer)
            ? buffer.Existing.Concat(buffer.Pending.Keys.Where(k => !buffer.Existing.Contains(k)))
            : null;

    /// <summary>True when records of <paramref name="series"/> wait in a buffer.</summary>
    public bool HasPending(TSeries series) =>
        _buffers.Values.Any(b => b.Pending.Count > 0 && EqualityComparer<TSeries>.Default.Equals(b.Series, series));

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

    private async ValueTask<FileBuffer> GetBufferAsync(TSeries series, string path, CancellationToken cancellationToken)
    {
        if (_owners.TryGetValue(path, out var owner) && !EqualityComparer<TSeries>.Default.Equals(owner, series))
        {
            throw new InvalidOperationException(
                $"Both {_seriesText(owner)} and {_seriesText(series)} would be written to {path}; add the placeholders that tell them apart ({Distinguishing(Template?.Kind)}) to the path template '{Template?.Text ?? Root}'.");
        }

        _owners[path] = series;
        if (_buffers.TryGetValue(path, out var buffer))
        {
            return buffer;
        }

        var existing = File.Exists(path) ? await Format.ReadKeysAsync(path, cancellationToken) : [];
        buffer = new FileBuffer(path, series, [.. existing]);
        _buffers[path] = buffer;
        return buffer;
    }

    private static string Distinguishing(PathTemplateKind? kind) => kind switch
    {
        PathTemplateKind.Trades => "{exchange} {market_type} {symbol}",
        PathTemplateKind.Tickers => "{exchange} {market_type}",
        _ => "{exchange} {market_type} {price} {timeframe} {symbol}",
    };

    private async ValueTask FlushOtherMonthsAsync(TSeries series, FileBuffer current, CancellationToken cancellationToken)
    {
        foreach (var other in _buffers.Values.Where(b => b != current && EqualityComparer<TSeries>.Default.Equals(b.Series, series)).ToList())
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

        if (Format.CanAppend && File.Exists(buffer.Path) && !buffer.Pending.Keys.Any(buffer.Existing.Contains))
        {
            var added = buffer.Pending.Values.ToList();
            SortUnlessOrdered(added, Format.Order);
            await using (var stream = new FileStream(buffer.Path, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous))
            {
                await Format.AppendAsync(stream, buffer.Series, added, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }
        }
        else
        {
            List<TRecord> sorted;
            if (File.Exists(buffer.Path))
            {
                var merged = new Dictionary<TKey, TRecord>(buffer.Existing.Count + buffer.Pending.Count);
                var rows = await Format.ReadAsync(buffer.Path, cancellationToken);
                var strangerIndex = rows.RowSeries?.FindIndex(s => !EqualityComparer<TSeries>.Default.Equals(s, buffer.Series)) ?? -1;
                if (strangerIndex >= 0)
                {
                    var stranger = rows.RowSeries![strangerIndex];
                    throw new InvalidOperationException(
                        $"{buffer.Path} holds rows of {_seriesText(stranger)}, not only of {_seriesText(buffer.Series)}; refusing to rewrite it. Write {_seriesText(buffer.Series)} to another file or folder.");
                }

                foreach (var r in rows.Records)
                {
                    merged[Format.KeyOf(r)] = r;
                }

                foreach (var (k, r) in buffer.Pending)
                {
                    merged[k] = r;
                }

                sorted = [.. merged.Values];
            }
            else
            {
                // A new file holds the buffered records only; no merge dictionary needed.
                sorted = [.. buffer.Pending.Values];
            }

            SortUnlessOrdered(sorted, Format.Order);
            await AtomicFile.WriteAsync(buffer.Path, (stream, ct) => Format.WriteAsync(stream, buffer.Series, sorted, ct), cancellationToken);
        }

        if (Sidecar is not null)
        {
            var relative = IsSingleFile ? Path.GetFileName(Root) : Path.GetRelativePath(Root, buffer.Path);
            if (await Sidecar.RecordFileAsync(relative, _seriesText(buffer.Series), cancellationToken))
            {
                await Sidecar.SaveAsync(cancellationToken);
            }
        }

        buffer.Existing.UnionWith(buffer.Pending.Keys);
        buffer.Pending.Clear();
    }

    /// <summary>Sorts <paramref name="records"/> unless already in order (the usual case: batches arrive by time), checked in O(n).</summary>
    private static void SortUnlessOrdered(List<TRecord> records, IComparer<TRecord> order)
    {
        for (var i = 1; i < records.Count; i++)
        {
            if (order.Compare(records[i - 1], records[i]) > 0)
            {
                records.Sort(order);
                return;
            }
        }
    }

    private sealed class FileBuffer(string path, TSeries series, HashSet<TKey> existing)
    {
        public string Path { get; } = path;

        public TSeries Series { get; } = series;

        public HashSet<TKey> Existing { get; } = existing;

        public Dictionary<TKey, TRecord> Pending { get; } = [];
    }
}
