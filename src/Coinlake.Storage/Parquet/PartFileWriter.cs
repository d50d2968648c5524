using global::Parquet;
using global::Parquet.Schema;

namespace Coinlake.Storage.Parquet;

/// <summary>
/// The engine of the stream part sinks: appends batches of records (of any number of series) to the open part
/// <c>.{name}.tmp</c>, and closes it, by renaming it to <c>{name}</c>, once it has been open for the rotation period or
/// holds the rotation row count. Rows are buffered in memory and written as row groups (one per series) when the
/// buffer reaches <see cref="RowGroupRows"/> or on <see cref="FlushAsync"/>; each such write appends to the temporary
/// file and rewrites its footer, so between writes the temporary file is itself a valid Parquet file, which a crash
/// leaves behind for recovery (<see cref="PartFiles.RecoverAsync"/>). Thread-safe (one gate).
/// </summary>
internal sealed class PartFileWriter<TSeries, TRecord> : IAsyncDisposable
    where TSeries : notnull
{
    /// <summary>Rows buffered before they are written to the open part without a flush.</summary>
    public const int RowGroupRows = 100_000;

    /// <summary>The write options of Coinlake files (zstd) plus BigDecimal reading, so appending finds the schema it writes.</summary>
    private static readonly ParquetOptions AppendOptions = new()
    {
        CompressionMethod = ParquetCandleFormat.WriteOptions.CompressionMethod,
        CompressionLevel = ParquetCandleFormat.WriteOptions.CompressionLevel,
        UseBigDecimal = true,
    };

    private readonly string _folder;
    private readonly string _task;
    private readonly PartKind _kind;
    private readonly ParquetSchema _schema;
    private readonly string _kindMetadata;
    private readonly Func<ParquetWriter, TSeries, IReadOnlyList<TRecord>, int, int, CancellationToken, ValueTask> _writeGroup;
    private readonly TimeProvider _time;
    private readonly TimeSpan _rotateEvery;
    private readonly long? _rotateRows;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<TSeries, List<TRecord>> _buffer = [];
    private readonly List<string> _closed = [];
    private int _buffered;
    private string? _finalPath;
    private string? _tempPath;
    private bool _tempWritten;
    private DateTimeOffset _openedAt;
    private long _partRows;
    private bool _recovered;

    public PartFileWriter(
        string folder,
        string task,
        PartKind kind,
        ParquetSchema schema,
        Func<ParquetWriter, TSeries, IReadOnlyList<TRecord>, int, int, CancellationToken, ValueTask> writeGroup,
        TimeProvider time,
        TimeSpan rotateEvery,
        long? rotateRows)
    {
        _folder = Path.GetFullPath(folder);
        _task = task;
        _kind = kind;
        _schema = schema;
        _kindMetadata = kind == PartKind.Trades ? "trades" : "candles";
        _writeGroup = writeGroup;
        _time = time;
        _rotateEvery = rotateEvery;
        _rotateRows = rotateRows;
    }

    /// <summary>Full paths of the parts this writer closed, in order.</summary>
    public IReadOnlyList<string> ClosedParts
    {
        get
        {
            lock (_closed)
            {
                return [.. _closed];
            }
        }
    }

    /// <summary>Leftover temporary parts of this task and kind (an earlier run crashed) that were recovered as closed parts.</summary>
    public IReadOnlyList<string> RecoveredParts { get; private set; } = [];

    /// <summary>Leftover temporary parts of this task and kind that could not be read (left in place, skipped by readers).</summary>
    public IReadOnlyList<string> UnreadableLeftovers { get; private set; } = [];

    /// <summary>Full path of the open part's temporary file, or null when no part is open.</summary>
    public string? OpenTempPath => _tempPath;

    /// <summary>Buffers <paramref name="records"/>, opening, writing and closing parts as rotation requires.</summary>
    public async ValueTask AppendAsync(TSeries series, IReadOnlyList<TRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RotateIfDueAsync(cancellationToken).ConfigureAwait(false);
            var offset = 0;
            while (offset < records.Count)
            {
                if (_finalPath is null)
                {
                    await OpenAsync(cancellationToken).ConfigureAwait(false);
                }

                var room = _rotateRows is { } max ? max - _partRows : long.MaxValue;
                var take = (int)Math.Min(room, records.Count - offset);
                if (!_buffer.TryGetValue(series, out var list))
                {
                    _buffer[series] = list = [];
                }

                for (var i = 0; i < take; i++)
                {
                    list.Add(records[offset + i]);
                }

                offset += take;
                _partRows += take;
                _buffered += take;
                if (_rotateRows is { } limit && _partRows >= limit)
                {
                    await CloseAsync(cancellationToken).ConfigureAwait(false);
                }
                else if (_buffered >= RowGroupRows)
                {
                    await WriteBufferAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the open part when its rotation period has passed, then writes buffered rows to the open part's temporary file.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RotateIfDueAsync(cancellationToken).ConfigureAwait(false);
            if (_buffered > 0)
            {
                await WriteBufferAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the open part now (if it holds rows).</summary>
    public async ValueTask RotateAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the open part.</summary>
    public async ValueTask DisposeAsync()
    {
        await RotateAsync(CancellationToken.None).ConfigureAwait(false);
        _gate.Dispose();
    }

    private async ValueTask RotateIfDueAsync(CancellationToken cancellationToken)
    {
        if (_finalPath is not null && _time.GetUtcNow() - _openedAt >= _rotateEvery)
        {
            await CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_folder);
        if (!_recovered)
        {
            _recovered = true;
            await RecoverLeftoversAsync(cancellationToken).ConfigureAwait(false);
        }

        var now = _time.GetUtcNow();
        var second = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        for (var sequence = 0; ; sequence++)
        {
            var name = PartFiles.NameOf(_task, _kind, second, sequence);
            var final = Path.Combine(_folder, name);
            var temp = Path.Combine(_folder, PartFiles.TempNameOf(name));
            if (!File.Exists(final) && !File.Exists(temp))
            {
                _finalPath = final;
                _tempPath = temp;
                break;
            }
        }

        _openedAt = now;
        _partRows = 0;
        _tempWritten = false;
    }

    private async ValueTask RecoverLeftoversAsync(CancellationToken cancellationToken)
    {
        var recovered = new List<string>();
        var unreadable = new List<string>();
        foreach (var (temp, final) in PartFiles.ListTemporary(_folder))
        {
            if (PartFiles.TryParse(final) is not { } part || part.Task != _task || part.Kind != _kind)
            {
                continue;
            }

            if (await PartFiles.RecoverAsync(temp, final, cancellationToken).ConfigureAwait(false))
            {
                recovered.Add(final);
            }
            else
            {
                unreadable.Add(temp);
            }
        }

        RecoveredParts = recovered;
        UnreadableLeftovers = unreadable;
    }

    private async ValueTask WriteBufferAsync(CancellationToken cancellationToken)
    {
        var temp = _tempPath!;
        await using (var stream = new FileStream(temp, _tempWritten ? FileMode.Open : FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1 << 16, FileOptions.Asynchronous))
        {
            await using (var writer = await ParquetWriter.CreateAsync(_schema, stream, AppendOptions, append: _tempWritten, cancellationToken).ConfigureAwait(false))
            {
                writer.CustomMetadata = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["coinlake.kind"] = _kindMetadata,
                    ["coinlake.part.task"] = _task,
                };
                foreach (var (series, records) in _buffer)
                {
                    for (var start = 0; start < records.Count; start += ParquetCandleFormat.RowGroupSize)
                    {
                        await _writeGroup(writer, series, records, start, Math.Min(ParquetCandleFormat.RowGroupSize, records.Count - start), cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        _tempWritten = true;
        _buffer.Clear();
        _buffered = 0;
    }

    private async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        if (_finalPath is null)
        {
            return;
        }

        if (_buffered > 0)
        {
            await WriteBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_tempWritten)
        {
            File.Move(_tempPath!, _finalPath, overwrite: false);
            lock (_closed)
            {
                _closed.Add(_finalPath);
            }
        }

        _finalPath = null;
        _tempPath = null;
        _tempWritten = false;
        _partRows = 0;
    }
}
