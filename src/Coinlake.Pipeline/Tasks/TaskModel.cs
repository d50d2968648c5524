using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Time;

namespace Coinlake.Pipeline.Tasks;

/// <summary>How a task collects data (task-file key <c>mode</c>).</summary>
public enum TaskMode
{
    /// <summary>Historical backfill over REST from <c>start</c> to <c>end</c>; resumable (only missing candles are fetched).</summary>
    Rest,

    /// <summary>Live collection over WebSocket for <c>duration</c> seconds (or forever).</summary>
    Stream,
}

/// <summary>Storage format of a sink (task-file key <c>format</c>).</summary>
public enum SinkFormat
{
    /// <summary>SQLite database file; rows go to <see cref="SinkDefinition.Table"/>.</summary>
    Sqlite,

    /// <summary>Parquet files under <see cref="SinkDefinition.Output"/>.</summary>
    Parquet,

    /// <summary>CSV files under <see cref="SinkDefinition.Output"/>.</summary>
    Csv,

    /// <summary>JSON files under <see cref="SinkDefinition.Output"/>.</summary>
    Json,

    /// <summary>
    /// PostgreSQL (TimescaleDB when available); <see cref="SinkDefinition.Output"/> is a connection string or
    /// <c>env:NAME</c>, rows go to <see cref="SinkDefinition.Table"/>. Task-file names <c>postgres</c> and <c>postgresql</c>.
    /// </summary>
    Postgres,
}

/// <summary>A position in a task file, for error messages: 1-based line and column.</summary>
/// <param name="File">The task file's path as given to the loader.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <summary>Location of things not read from a file (the built-in default, code, HTTP requests).</summary>
    public static SourceLocation None { get; } = new("(none)", 1, 1);

    /// <summary><c>file:line:column</c>, the form compilers and editors understand.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>Where a task writes its candles.</summary>
/// <param name="Format">SQLite, PostgreSQL, Parquet, CSV or JSON.</param>
/// <param name="Output">
/// Absolute path: the SQLite database file, or the file/folder of a file sink. Task files give it relative to the
/// task file's folder (<c>~</c> is the user's home); the loader resolves it. For PostgreSQL it is not a path but, as
/// written, either a connection string (<c>Host=db;Database=coinlake;Username=u;Password=p</c> or
/// <c>postgres://u:p@db:5432/coinlake</c>) or <c>env:NAME</c>, the name of an environment variable holding one (so
/// secrets stay out of task files); the default is <c>env:COINLAKE_POSTGRES</c>. The variable is read when the sink
/// is opened.
/// </param>
/// <param name="Table">SQLite or PostgreSQL table (a plain identifier, <c>[A-Za-z_][A-Za-z0-9_]*</c>); <see langword="null"/> = the sink's default. Always <see langword="null"/> for file sinks.</param>
/// <param name="PathTemplate">File sinks: relative path template of the files under <paramref name="Output"/>; <see langword="null"/> = the sink's default. Always <see langword="null"/> for SQLite and PostgreSQL.</param>
public sealed record SinkDefinition(SinkFormat Format, string Output, string? Table = null, string? PathTemplate = null)
{
    /// <summary>Lower-case format name as written in task files: <c>sqlite</c>, <c>postgres</c>, <c>parquet</c>, <c>csv</c>, <c>json</c>.</summary>
    public string FormatName => Format.ToString().ToLowerInvariant();

    /// <summary>True for the formats that write to a database table (<see cref="Table"/>): SQLite and PostgreSQL.</summary>
    public bool HasTable => IsDatabase(Format);

    /// <summary>E.g. <c>sqlite /data/coinlake.db (candles)</c>; a PostgreSQL password shows as <c>***</c>.</summary>
    public override string ToString()
    {
        var output = Format == SinkFormat.Postgres ? TaskValues.RedactPassword(Output) : Output;
        return Table is not null ? $"{FormatName} {output} ({Table})"
            : PathTemplate is not null ? $"{FormatName} {output} ({PathTemplate})"
            : $"{FormatName} {output}";
    }

    /// <summary>True for the formats that write to a database table (SQLite, PostgreSQL) rather than files.</summary>
    public static bool IsDatabase(SinkFormat format) => format is SinkFormat.Sqlite or SinkFormat.Postgres;
}

/// <summary>
/// One validated task of a task file: what to collect (exchange, market, symbols, timeframes, price type, time
/// range or stream) and where to write it (sinks). Built by <see cref="TaskFileLoader"/>, which guarantees the
/// invariants listed on each property; code building one by hand (HTTP API, tests) must respect them.
/// </summary>
public sealed record TaskDefinition
{
    /// <summary>Unique name within the file (letters, digits, <c>_ . -</c>); selects the task with <c>--tasks</c>/<c>COINLAKE_TASKS</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Rest (historical backfill) or stream (live WebSocket).</summary>
    public TaskMode Mode { get; init; } = TaskMode.Rest;

    /// <summary>Lower-case exchange id, e.g. <c>binance</c>.</summary>
    public required string Exchange { get; init; }

    /// <summary>Spot, swap or future; every symbol in <see cref="Symbols"/> has this market type's syntax.</summary>
    public MarketType MarketType { get; init; } = MarketType.Spot;

    /// <summary><see cref="MarketSubtype.None"/> for spot; linear or inverse for derivatives, matching every symbol's settle currency.</summary>
    public MarketSubtype Subtype { get; init; } = MarketSubtype.None;

    /// <summary>Unified symbols (at least one, no duplicates), e.g. <c>BTC/USDT</c>, <c>BTC/USDT:USDT</c>.</summary>
    public required IReadOnlyList<Symbol> Symbols { get; init; }

    /// <summary>Candle intervals (no duplicates); empty only for <c>stream: tickers</c>, rest trades tasks, and stream trades tasks that store raw trades only.</summary>
    public IReadOnlyList<Timeframe> Timeframes { get; init; } = [];

    /// <summary>
    /// Inclusive start, UTC. Rest tasks: from the file (a date means 00:00 UTC). Stream tasks: from the file if given,
    /// else the time the file was loaded.
    /// </summary>
    public DateTimeOffset Start { get; init; }

    /// <summary>Exclusive end, UTC, after <see cref="Start"/>; <see langword="null"/> = now, resolved when the task runs. Always null for stream tasks.</summary>
    public DateTimeOffset? End { get; init; }

    /// <summary>Price the candles follow: last (default), or mark/index (derivatives only).</summary>
    public PriceType Price { get; init; } = PriceType.Last;

    /// <summary>Where candles go (at least one sink; no two identical).</summary>
    public IReadOnlyList<SinkDefinition> Sinks { get; init; } = [];

    /// <summary>REST base URL override (absolute http/https), e.g. a mirror, testnet or fake server; <see langword="null"/> = the exchange's own.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>
    /// What the task collects. Stream tasks: <c>ohlcv</c> (default), <c>trades</c> (aggregated into candles) or
    /// <c>tickers</c>. Rest tasks: null or <c>ohlcv</c> (candle history), <c>trades</c> (public trade history, stored
    /// raw, keyed by trade id) or <c>tickers</c> (24h ticker snapshots, every <see cref="Interval"/>).
    /// </summary>
    public string? Stream { get; init; }

    /// <summary>Stream and tickers tasks: how long to run; <see langword="null"/> = until stopped (a tickers task without <see cref="Interval"/> takes one snapshot).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Tickers tasks: time between snapshots; <see langword="null"/> = a single snapshot.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>True (default) to write only closed candles, whose interval has ended; false also writes the candle in progress.</summary>
    public bool ExcludeCurrentCandle { get; init; } = true;

    /// <summary>
    /// Stream tasks (<c>stall_timeout</c>, seconds): a connection that receives nothing for this long is treated as dead and
    /// reconnected; <see langword="null"/> = the stream's default (30 s, see <c>StreamOptions.StallTimeout</c>).
    /// </summary>
    public TimeSpan? StallTimeout { get; init; }

    /// <summary>Stream tasks (<c>capture</c>): absolute path of a capture file recording every raw frame sent and received; <see langword="null"/> = none.</summary>
    public string? Capture { get; init; }

    /// <summary>Stream tasks (<c>group</c>): put as many subscriptions on one connection as the exchange allows (true, default) or one connection per symbol.</summary>
    public bool Group { get; init; } = true;

    /// <summary>
    /// Stream tasks (<c>grace</c>, seconds): how long after its interval ends a candle built from trades (or a candle the
    /// exchange does not mark closed) waits for late updates before it is closed. Default 2 s.
    /// </summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Stream tasks (<c>heal_lookback</c>): at start, a series a sink already holds is backfilled from its last stored
    /// candle to now, but never further back than this. Default 1 day.
    /// </summary>
    public TimeSpan HealLookback { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Stream tickers tasks: price alerts (<c>alert_percent alert_window alert_table</c>); null = none.</summary>
    public TickerAlertSettings? Alerts { get; init; }

    /// <summary>Stream tasks: when a Parquet sink rotates its part files (<c>rotate rotate_rows</c>); default every hour.</summary>
    public PartRotation Rotation { get; init; } = PartRotation.Default;

    /// <summary>
    /// When <c>coinlake serve</c>/<c>coinlake worker</c> run this task (keys <c>schedule</c> + <c>timezone</c>, rest tasks
    /// only); <see langword="null"/> = not scheduled (<c>coinlake run</c> ignores it either way).
    /// </summary>
    public TaskSchedule? Schedule { get; init; }

    /// <summary>Where the task is defined (the start of its list item).</summary>
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>Every series this task fills: one per symbol x timeframe, in file order.</summary>
    public IEnumerable<SeriesKey> Series()
    {
        foreach (var symbol in Symbols)
        {
            foreach (var timeframe in Timeframes)
            {
                yield return new SeriesKey(Exchange, symbol, MarketType, timeframe, Price);
            }
        }
    }

    /// <summary>
    /// The open-time range <c>[Start, End ?? now)</c> in ms UTC; empty when <paramref name="now"/> is before the start.
    /// </summary>
    /// <param name="now">The current time (from the host's <see cref="TimeProvider"/>).</param>
    public TimeRange RangeAt(DateTimeOffset now)
    {
        var start = Start.ToUnixTimeMilliseconds();
        var end = (End ?? now).ToUnixTimeMilliseconds();
        return new TimeRange(start, Math.Max(start, end));
    }
}

/// <summary>A loaded, validated task file.</summary>
/// <param name="Path">The file's path as given to the loader (used in messages), or <c>(built-in default)</c>.</param>
/// <param name="Version">Format version; always 1.</param>
/// <param name="Tasks">The tasks in file order (at least one, unique names).</param>
public sealed record TaskFile(string Path, int Version, IReadOnlyList<TaskDefinition> Tasks);
