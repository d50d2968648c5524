using System.Globalization;
using System.Text.RegularExpressions;
using Coinlake.Candles;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Storage.Parquet;

/// <summary>
/// Rotation of stream part files: a part is closed after <see cref="Every"/> (task key <c>rotate</c>, default 1 hour) or
/// once it holds <see cref="MaxRows"/> rows (task key <c>rotate_rows</c>), whichever comes first.
/// </summary>
/// <param name="Every">Longest time a part stays open (measured on the sink's <see cref="TimeProvider"/>); must be positive.</param>
/// <param name="MaxRows">Most rows in one part (a batch is split across parts to respect it); null = no row limit.</param>
public sealed record PartRotationOptions(TimeSpan Every, long? MaxRows = null)
{
    /// <summary>Hourly, no row limit.</summary>
    public static PartRotationOptions Default { get; } = new(TimeSpan.FromHours(1));

    internal void Validate()
    {
        if (Every <= TimeSpan.Zero)
        {
            throw new ArgumentException($"the part rotation period must be positive (task key 'rotate', e.g. 1h); got {Every}.", nameof(Every));
        }

        if (MaxRows is { } rows && rows <= 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the part row limit must be positive (task key 'rotate_rows'); got {rows}."), nameof(MaxRows));
        }
    }
}

/// <summary>
/// A candle sink for live streams that appends every batch to rotating Parquet part files in one folder,
/// <c>{task}.part-{yyyyMMdd_HHmmss}.parquet</c> (UTC time the part was opened), instead of rewriting monthly files on every
/// flush. <c>coinlake compact</c> (<see cref="ParquetPartCompactor"/>) later merges the parts into the monthly layout of
/// <see cref="ParquetCandleSink"/> through its de-duplicating upsert.
/// <para>
/// Columns as <see cref="ParquetCandleSink"/> (series columns per row, so one part holds every series of the task; a
/// candle updated while in progress appears once per update, the latest last), zstd, one row group per series and write.
/// </para>
/// <para>
/// Durability: a part is closed (written, synced and renamed from <c>.{name}.tmp</c>) when it has been open for
/// <see cref="PartRotationOptions.Every"/>, holds <see cref="PartRotationOptions.MaxRows"/> rows, or the sink is disposed;
/// the period is checked at every upsert and flush. <see cref="FlushAsync"/> appends the buffered rows to the open part's
/// temporary file, which stays a valid Parquet file between writes: after a crash, the next sink of the same task (or
/// <c>coinlake compact --recover</c>) renames a readable leftover into a closed part; an unreadable one is left in place
/// and every reader skips it. Coverage is not tracked: <see cref="GetCoverageAsync"/> reports nothing stored, and
/// known-empty ranges are not recorded (parts only hold candles).
/// </para>
/// </summary>
public sealed partial class ParquetCandlePartSink : ICandleSink
{
    private readonly PartFileWriter<SeriesKey, Candle> _writer;
    private readonly ParquetCandleFormat _format = new();

    /// <summary>Creates a sink writing parts of task <paramref name="task"/> into <paramref name="folder"/>.</summary>
    /// <param name="folder">Output folder (created on first write).</param>
    /// <param name="task">Task name: letters, digits, <c>_ . -</c>, starting with a letter or digit.</param>
    /// <param name="rotation">When to close a part; null = hourly.</param>
    /// <param name="timeProvider">Clock for part names and rotation; null = system clock.</param>
    /// <exception cref="ArgumentException">Empty folder, a task name that is not file-safe, or invalid rotation.</exception>
    public ParquetCandlePartSink(string folder, string task, PartRotationOptions? rotation = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ValidateTask(task);
        rotation ??= PartRotationOptions.Default;
        rotation.Validate();
        Folder = Path.GetFullPath(folder);
        _writer = new PartFileWriter<SeriesKey, Candle>(
            Folder, task, PartKind.Candles, ParquetCandleFormat.FileSchema,
            (w, s, r, start, n, ct) => ParquetCandleFormat.WriteRowGroupAsync(w, s, r, start, n, ct),
            timeProvider ?? TimeProvider.System, rotation.Every, rotation.MaxRows);
        Description = $"parquet parts {Path.Combine(folder, PartFiles.NameOf(task, PartKind.Candles, DateTimeOffset.UnixEpoch).Replace("19700101_000000", "*", StringComparison.Ordinal))}";
    }

    /// <summary>Full path of the output folder.</summary>
    public string Folder { get; }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Full paths of the parts this sink closed, in order.</summary>
    public IReadOnlyList<string> ClosedParts => _writer.ClosedParts;

    /// <summary>Leftover temporary parts of this task (an earlier run crashed) recovered as closed parts when the first part opened.</summary>
    public IReadOnlyList<string> RecoveredParts => _writer.RecoveredParts;

    /// <inheritdoc/>
    /// <remarks>Always <see cref="SeriesCoverage.None"/>: parts are not indexed (compact them, then ask the monthly files).</remarks>
    public ValueTask<SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(SeriesCoverage.None);

    /// <inheritdoc/>
    /// <remarks>Every candle counts as inserted (duplicates collapse at compaction).</remarks>
    /// <exception cref="ArgumentException">A value that DECIMAL(38,18) cannot hold exactly.</exception>
    public async ValueTask<UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(candles);
        foreach (var candle in candles)
        {
            _format.Validate(series, candle);
        }

        await _writer.AppendAsync(series, candles, cancellationToken).ConfigureAwait(false);
        return new UpsertResult(candles.Count, 0);
    }

    /// <inheritdoc/>
    /// <remarks>A no-op: parts hold candles only.</remarks>
    public ValueTask MarkEmptyAsync(SeriesKey series, IReadOnlyList<TimeRange> ranges, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    /// <remarks>Closes the open part if its rotation period has passed, then appends buffered rows to the open part's temporary file.</remarks>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _writer.FlushAsync(cancellationToken);

    /// <summary>Closes the open part now (no-op when none holds rows).</summary>
    public ValueTask RotateAsync(CancellationToken cancellationToken = default) => _writer.RotateAsync(cancellationToken);

    /// <summary>Closes the open part.</summary>
    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    internal static void ValidateTask(string task)
    {
        if (string.IsNullOrEmpty(task) || !TaskName().IsMatch(task))
        {
            throw new ArgumentException($"'{task}' cannot name part files: a task name holds letters, digits, '_', '.' and '-', starts with a letter or digit, at most 100 characters.", nameof(task));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex TaskName();
}

/// <summary>
/// A trade sink for live streams that appends every batch to rotating Parquet part files in one folder,
/// <c>{task}.trades.part-{yyyyMMdd_HHmmss}.parquet</c>, merged later into the monthly layout of
/// <see cref="ParquetTradeSink"/> by <c>coinlake compact</c>. Columns as <see cref="ParquetTradeSink"/>; rotation,
/// durability and crash recovery as <see cref="ParquetCandlePartSink"/>.
/// </summary>
public sealed class ParquetTradePartSink : ITradeSink
{
    private readonly PartFileWriter<TradeSeriesKey, Trade> _writer;
    private readonly ParquetTradeFormat _format = new();
    private readonly Dictionary<TradeSeriesKey, long> _last = [];

    /// <summary>Creates a sink writing trade parts of task <paramref name="task"/> into <paramref name="folder"/>.</summary>
    /// <param name="folder">Output folder (created on first write).</param>
    /// <param name="task">Task name: letters, digits, <c>_ . -</c>, starting with a letter or digit.</param>
    /// <param name="rotation">When to close a part; null = hourly.</param>
    /// <param name="timeProvider">Clock for part names and rotation; null = system clock.</param>
    /// <exception cref="ArgumentException">Empty folder, a task name that is not file-safe, or invalid rotation.</exception>
    public ParquetTradePartSink(string folder, string task, PartRotationOptions? rotation = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ParquetCandlePartSink.ValidateTask(task);
        rotation ??= PartRotationOptions.Default;
        rotation.Validate();
        Folder = Path.GetFullPath(folder);
        _writer = new PartFileWriter<TradeSeriesKey, Trade>(
            Folder, task, PartKind.Trades, ParquetTradeFormat.FileSchema,
            (w, s, r, start, n, ct) => ParquetTradeFormat.WriteRowGroupAsync(w, s, r, start, n, ct),
            timeProvider ?? TimeProvider.System, rotation.Every, rotation.MaxRows);
        Description = $"parquet parts {Path.Combine(folder, PartFiles.NameOf(task, PartKind.Trades, DateTimeOffset.UnixEpoch).Replace("19700101_000000", "*", StringComparison.Ordinal))}";
    }

    /// <summary>Full path of the output folder.</summary>
    public string Folder { get; }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Full paths of the parts this sink closed, in order.</summary>
    public IReadOnlyList<string> ClosedParts => _writer.ClosedParts;

    /// <inheritdoc/>
    /// <remarks>Every trade counts as inserted (duplicate ids collapse at compaction).</remarks>
    /// <exception cref="ArgumentException">A trade without id, or a value that DECIMAL(38,18) cannot hold exactly.</exception>
    public async ValueTask<UpsertResult> UpsertTradesAsync(TradeSeriesKey series, IReadOnlyList<Trade> trades, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(trades);
        var last = long.MinValue;
        foreach (var trade in trades)
        {
            if (string.IsNullOrEmpty(trade.Id))
            {
                throw new ArgumentException($"a trade of {series} at {TimeRange.FormatTime(trade.Timestamp)} has no id; trade parts are keyed by trade id.", nameof(trades));
            }

            _format.Validate(series, trade);
            last = Math.Max(last, trade.Timestamp);
        }

        await _writer.AppendAsync(series, trades, cancellationToken).ConfigureAwait(false);
        if (trades.Count > 0)
        {
            lock (_last)
            {
                _last[series] = Math.Max(_last.GetValueOrDefault(series, long.MinValue), last);
            }
        }

        return new UpsertResult(trades.Count, 0);
    }

    /// <inheritdoc/>
    /// <remarks>The newest trade this sink accepted for the series (parts are not read back); null before the first.</remarks>
    public ValueTask<long?> LastTradeTimeAsync(TradeSeriesKey series, CancellationToken cancellationToken = default)
    {
        lock (_last)
        {
            return ValueTask.FromResult(_last.TryGetValue(series, out var t) ? t : (long?)null);
        }
    }

    /// <inheritdoc/>
    /// <remarks>As <see cref="ParquetCandlePartSink.FlushAsync"/>.</remarks>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _writer.FlushAsync(cancellationToken);

    /// <summary>Closes the open part now (no-op when none holds rows).</summary>
    public ValueTask RotateAsync(CancellationToken cancellationToken = default) => _writer.RotateAsync(cancellationToken);

    /// <summary>Closes the open part.</summary>
    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
