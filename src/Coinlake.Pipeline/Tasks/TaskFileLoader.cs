using System.Text;
using Coinlake.Markets;
using Coinlake.Text;
using Coinlake.Time;

namespace Coinlake.Pipeline.Tasks;

/// <summary>
/// Loads and validates YAML task files. The format (version 1), with the seed orchestrator's French keys accepted
/// as aliases so its files run unchanged:
/// <code>
/// version: 1                           # required, must be 1
/// tasks:                               # required, at least one task
///   - name: binance_btc_1m_jan2024     # required, unique; letters, digits, _ . -
///     mode: rest                       # rest (default) | stream
///     exchange: binance                # required; a known exchange id (case-insensitive, stored lower case)
///     market_type: spot                # spot | swap | future (alias type_marche); default: implied by the symbols
///     subtype: linear                  # linear | inverse (alias sous_type); default: implied by the symbols
///     symbol: BTC/USDT                 # or symbols: [BTC/USDT, ETH/USDT] (aliases symbole, symboles); required
///     timeframe: 1m                    # or timeframes: [1m, 1h] (aliases interval, intervals); required except for stream: tickers
///     start: 2024-01-01                # rest only, required (alias date_debut); UTC, inclusive
///     end: 2024-02-01                  # rest only, exclusive, omitted = now (alias date_fin)
///     price: last                      # last (default) | mark | index (alias prix_ohlcv); mark/index for derivatives only
///     format: sqlite                   # sqlite | parquet | csv | json, or a list of them
///     output: data/coinlake.db         # alias sortie; relative to the task file's folder, ~ = home
///     table: candles                   # sqlite table (alias sqlite_table): [A-Za-z_][A-Za-z0-9_]*
///     path_template: "{symbol}.parquet" # file sinks: layout of files under output (the sink defines the placeholders)
///     base_url: http://127.0.0.1:8080  # REST base URL override (mirror, testnet, fake server)
///     sinks:                           # instead of format/output/table/path_template: several sinks at once
///       - { format: sqlite, output: data/coinlake.db, table: candles }
///       - { format: parquet, output: data/parquet }
///     stream: ohlcv                    # stream only: ohlcv (default) | trades (aggregated into candles) | tickers
///     duration: 300                    # stream only (alias duree): seconds, or 90s/5m/2h/1d; 0 or empty = until stopped
///     exclude_current_candle: true     # alias exclure_bougie_courante; default true: write closed candles only
///     schedule: "0 9 * * *"            # rest only: cron schedule for coinlake serve/worker (see TaskSchedule)
///     timezone: Europe/Paris           # alias time_zone: IANA zone of the schedule; default UTC
/// </code>
/// Rules and normalizations:
/// <list type="bullet">
/// <item>Dates are UTC: <c>2024-01-01</c> (00:00 UTC), <c>2024-01-01T12:00:00Z</c>, <c>2024-01-01 12:00</c>; an explicit offset (<c>+02:00</c>) is converted to UTC.</item>
/// <item>Symbols are ccxt unified symbols. A task's symbols must share one market type and subtype, and agree with
/// <c>market_type</c>/<c>subtype</c> when given (<c>spot</c> with <c>BTC/USDT:USDT</c> is an error).</item>
/// <item>Seed-style <c>market_type: swap</c> with a spot-syntax symbol (<c>BTC/USDT</c>) is accepted and normalized as ccxt
/// does: to the linear perpetual <c>BTC/USDT:USDT</c>, or with <c>subtype: inverse</c> to <c>BTC/USDT:BTC</c>.</item>
/// <item>Without any sink key a task writes to SQLite at <see cref="TaskFileOptions.DefaultSqlitePath"/>; a file sink without
/// <c>output</c> writes under <see cref="TaskFileOptions.DefaultFileFolder"/>/&lt;format&gt;. Outputs become absolute paths.</item>
/// <item>Tasks can share settings through a YAML anchor and merge key: <c>- &amp;base { exchange: binance, ... }</c>, then
/// <c>- { &lt;&lt;: *base, name: other, timeframe: 1h }</c>; the task's own keys win, errors point at the anchored lines.</item>
/// <item>Keys that do not apply to the task's mode (<c>start</c>/<c>end</c> on a stream, <c>stream</c>/<c>duration</c> on a rest task) are errors.</item>
/// </list>
/// Every problem in a file is reported at once, each as <c>file:line:column: what is wrong; how to fix it</c>.
/// </summary>
public static class TaskFileLoader
{
    /// <summary>Path of the built-in task list returned by <see cref="Default"/>.</summary>
    public const string DefaultPath = "(built-in default)";

    /// <summary>Reads and validates the task file at <paramref name="path"/> (UTF-8).</summary>
    /// <param name="path">The file; outputs are resolved against its folder and messages name it as given.</param>
    /// <param name="options">Known exchanges, default outputs, clock.</param>
    /// <returns>The validated file.</returns>
    /// <exception cref="TaskFileException">The file cannot be read, is not valid YAML, or breaks a rule; lists every problem.</exception>
    public static TaskFile Load(string path, TaskFileOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        string yaml;
        try
        {
            yaml = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var what = ex is FileNotFoundException or DirectoryNotFoundException
                ? $"task file not found (looked at {Path.GetFullPath(path)}); check the path, or copy one from examples/"
                : $"cannot read the task file: {ex.Message}";
            throw new TaskFileException(new TaskFileError(new SourceLocation(path, 1, 1), what), ex);
        }

        return Parse(yaml, path, options);
    }

    /// <summary>Parses and validates task-file text.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="path">The file the text came from: named in messages; relative outputs resolve against its folder.</param>
    /// <param name="options">Known exchanges, default outputs, clock.</param>
    /// <returns>The validated file.</returns>
    /// <exception cref="TaskFileException">The text is not valid YAML or breaks a rule; lists every problem.</exception>
    public static TaskFile Parse(string yaml, string path, TaskFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        return new TaskFileReader(path, options).Read(yaml);
    }

    /// <summary>
    /// The built-in task list used when no task file exists: one rest task <c>default_binance_spot_1h</c> collecting
    /// Binance spot BTC/USDT, ETH/USDT and SOL/USDT 1h last-price candles from 30 days ago (floored to the hour) to now,
    /// closed candles only, into SQLite <c>data/coinlake.db</c> under <paramref name="baseDirectory"/>.
    /// </summary>
    /// <param name="baseDirectory">Folder the default database path is relative to (usually the working directory).</param>
    /// <param name="time">Clock for "now".</param>
    public static TaskFile Default(string baseDirectory, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseDirectory);
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var start = Timeframe.OneHour.Floor(now - (long)TimeSpan.FromDays(30).TotalMilliseconds);
        var task = new TaskDefinition
        {
            Name = "default_binance_spot_1h",
            Mode = TaskMode.Rest,
            Exchange = "binance",
            MarketType = MarketType.Spot,
            Subtype = MarketSubtype.None,
            Symbols = [Symbol.Parse("BTC/USDT"), Symbol.Parse("ETH/USDT"), Symbol.Parse("SOL/USDT")],
            Timeframes = [Timeframe.OneHour],
            Start = DateTimeOffset.FromUnixTimeMilliseconds(start),
            End = null,
            Price = PriceType.Last,
            Sinks = [new SinkDefinition(SinkFormat.Sqlite, Path.GetFullPath(Path.Combine(baseDirectory, "data", "coinlake.db")))],
            ExcludeCurrentCandle = true,
            Location = new SourceLocation(DefaultPath, 1, 1),
        };
        return new TaskFile(DefaultPath, 1, [task]);
    }

    /// <summary>
    /// The tasks named in <paramref name="names"/> (the CLI's <c>--tasks</c> or <c>COINLAKE_TASKS</c>), in file order.
    /// Entries may themselves be comma-separated lists; blanks are ignored; matching is exact (case-sensitive).
    /// </summary>
    /// <param name="file">A loaded task file.</param>
    /// <param name="names">Task names; <see langword="null"/> or no names = every task.</param>
    /// <returns>The selected tasks, each once, in the order of the file.</returns>
    /// <exception cref="TaskFileException">Some names match no task; each error names the closest task and lists the file's tasks.</exception>
    public static IReadOnlyList<TaskDefinition> Select(TaskFile file, IReadOnlyList<string>? names)
    {
        ArgumentNullException.ThrowIfNull(file);
        var wanted = (names ?? [])
            .SelectMany(n => (n ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        if (wanted.Count == 0)
        {
            return file.Tasks;
        }

        var known = file.Tasks.Select(t => t.Name).ToList();
        var errors = new List<TaskFileError>();
        foreach (var name in wanted.Distinct(StringComparer.Ordinal))
        {
            if (known.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            var closest = Fuzzy.Closest(name, known, 1);
            var hint = closest.Count > 0
                ? $" did you mean '{closest[0]}' (line {file.Tasks.First(t => t.Name == closest[0]).Location.Line})?"
                : "";
            var listed = known.Count <= 20 ? string.Join(", ", known) : string.Join(", ", known.Take(20)) + $", ... ({known.Count} tasks)";
            errors.Add(new TaskFileError(
                new SourceLocation(file.Path, 1, 1),
                $"no task named '{name}' (selected by --tasks or COINLAKE_TASKS);{hint} tasks in this file: {listed}."));
        }

        if (errors.Count > 0)
        {
            throw new TaskFileException(errors);
        }

        return file.Tasks.Where(t => wanted.Contains(t.Name, StringComparer.Ordinal)).ToList();
    }
}
