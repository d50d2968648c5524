using System.Globalization;

namespace Coinlake.Server;

/// <summary>Which database holds the Quartz job store and Coinlake's job records.</summary>
public enum JobStoreProvider
{
    /// <summary>An embedded SQLite file (the default; one node, no server needed).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by any number of <c>coinlake serve</c>/<c>coinlake worker</c> nodes (Quartz clustered).</summary>
    Postgres,
}

/// <summary>Where the API reads candles (and ingest requests without a sink write them).</summary>
public enum CandleStoreKind
{
    /// <summary>The SQLite database <see cref="ServerOptions.Database"/> (default).</summary>
    Sqlite,

    /// <summary>The PostgreSQL database <see cref="ServerOptions.CandleConnectionString"/>.</summary>
    Postgres,
}

/// <summary>
/// Settings of <c>coinlake serve</c> and <c>coinlake worker</c>, bound from the configuration section <c>Coinlake</c>
/// (the <c>--config</c> JSON file, then <c>COINLAKE_</c>-prefixed environment variables such as
/// <c>COINLAKE_API_KEY</c>). Defaults inline; <see cref="Validate"/> runs at start-up.
/// </summary>
public sealed class ServerOptions
{
    /// <summary>Configuration section the options bind from.</summary>
    public const string Section = "Coinlake";

    /// <summary>URLs Kestrel listens on; default <c>http://127.0.0.1:8080</c> (loopback only).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Folder of the data: relative outputs of ingest requests resolve here and must stay under it; default <c>data</c> (of the working directory).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The SQLite candle database the API reads (<c>/api/candles</c>, <c>/api/coverage</c>) and ingest requests write by default; default <c>{DataDirectory}/coinlake.db</c>.</summary>
    public string? Database { get; set; }

    /// <summary>Store the API reads candles from and ingest requests without a sink write to; default SQLite.</summary>
    public CandleStoreKind CandleStore { get; set; } = CandleStoreKind.Sqlite;

    /// <summary>
    /// PostgreSQL candle store (<see cref="CandleStore"/> = Postgres): a connection string or <c>env:NAME</c>;
    /// default <c>env:COINLAKE_POSTGRES</c>.
    /// </summary>
    public string CandleConnectionString { get; set; } = "env:COINLAKE_POSTGRES";

    /// <summary>Candle table of the candle store; default <c>candles</c>.</summary>
    public string CandleTable { get; set; } = "candles";

    /// <summary>Job store database: SQLite (default) or PostgreSQL (clustered).</summary>
    public JobStoreProvider JobStore { get; set; } = JobStoreProvider.Sqlite;

    /// <summary>
    /// Connection string of the job store. SQLite: default <c>Data Source={DataDirectory}/coinlake-jobs.db</c>.
    /// PostgreSQL: required, e.g. <c>Host=db;Database=coinlake;Username=coinlake;Password=...</c>.
    /// </summary>
    public string? JobStoreConnectionString { get; set; }

    /// <summary>Whether this node runs jobs (<c>serve --no-worker</c> and API-only nodes set it false; they still queue jobs).</summary>
    public bool RunJobs { get; set; } = true;

    /// <summary>Jobs this node runs at once; default 2.</summary>
    public int MaxConcurrentJobs { get; set; } = 2;

    /// <summary>Quartz instance id of this node; default generated (host name + ticks). Must be unique in a cluster.</summary>
    public string? NodeId { get; set; }

    /// <summary>Clustered store: how often a node checks in; a node silent for about this long is declared dead and its jobs recovered. Default 5 s.</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The API key write endpoints (<c>POST /api/ingest</c>, <c>DELETE /api/jobs/{id}</c>) require in <c>X-Api-Key</c>
    /// (environment <c>COINLAKE_API_KEY</c> or config <c>Coinlake:ApiKey</c>). When unset, write requests are accepted
    /// from loopback clients only.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Whether read endpoints (<c>GET /api/*</c>) require the API key too; default false. Health endpoints never do.</summary>
    public bool RequireApiKeyForReads { get; set; }

    /// <summary>Transient failures (network, 5xx, rate limits, busy database) are retried this many times; default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Wait before the first retry, doubled each time (capped at 10 minutes); default 30 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest ingest request in candles (symbols x timeframes x candles in the range); default 50,000,000.</summary>
    public long MaxIngestCandles { get; set; } = 50_000_000;

    /// <summary>Largest page of <c>/api/candles</c>; default 10,000 (default page 1,000).</summary>
    public int MaxCandlePage { get; set; } = 10_000;

    /// <summary>YAML task file whose tasks with a <c>schedule</c> run on it (<c>--tasks FILE</c>); null = none.</summary>
    public string? TasksFile { get; set; }

    /// <summary>Folder relative paths in these options resolve against (the working directory).</summary>
    public string BaseDirectory { get; set; } = Environment.CurrentDirectory;

    /// <summary>Absolute data folder.</summary>
    public string DataPath => Path.GetFullPath(DataDirectory, BaseDirectory);

    /// <summary>Absolute path of the candle database.</summary>
    public string DatabasePath => Path.GetFullPath(Database ?? Path.Combine(DataPath, "coinlake.db"), BaseDirectory);

    /// <summary>The job store connection string with the SQLite default filled in.</summary>
    public string ResolvedJobStoreConnectionString => JobStoreConnectionString
        ?? (JobStore == JobStoreProvider.Sqlite
            ? $"Data Source={Path.Combine(DataPath, "coinlake-jobs.db")}"
            : throw new InvalidOperationException("Coinlake:JobStoreConnectionString is required with JobStore = Postgres; set it in the --config file or COINLAKE_JOBSTORECONNECTIONSTRING."));

    /// <summary>Checks the settings; the message says which setting and how to fix it.</summary>
    /// <exception cref="InvalidOperationException">A setting is out of range or missing.</exception>
    public void Validate()
    {
        if (MaxConcurrentJobs < 1)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Coinlake:MaxConcurrentJobs must be at least 1, found {MaxConcurrentJobs}."));
        }

        if (MaxRetries < 0 || RetryDelay < TimeSpan.Zero)
        {
            throw new InvalidOperationException("Coinlake:MaxRetries and Coinlake:RetryDelay must not be negative.");
        }

        if (MaxCandlePage < 1)
        {
            throw new InvalidOperationException("Coinlake:MaxCandlePage must be at least 1.");
        }

        if (ClusterCheckinInterval < TimeSpan.FromMilliseconds(100))
        {
            throw new InvalidOperationException("Coinlake:ClusterCheckinInterval must be at least 100 ms.");
        }

        _ = ResolvedJobStoreConnectionString;
        if (TasksFile is not null && !File.Exists(Path.GetFullPath(TasksFile, BaseDirectory)))
        {
            throw new InvalidOperationException($"The task file {Path.GetFullPath(TasksFile, BaseDirectory)} (--tasks) does not exist.");
        }
    }
}
