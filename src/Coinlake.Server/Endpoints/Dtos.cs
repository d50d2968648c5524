using System.Text.Json.Serialization;
using Coinlake.Server.Jobs;

namespace Coinlake.Server.Endpoints;

/// <summary>Answer of <c>POST /api/ingest</c> (202).</summary>
/// <param name="Id">The job id.</param>
/// <param name="State">Always <c>queued</c>.</param>
/// <param name="StatusUrl">Where to follow it: <c>/api/jobs/{id}</c>.</param>
public sealed record IngestAccepted(string Id, JobState State, string StatusUrl);

/// <summary>
/// The body of <c>POST /api/ingest</c>: a task with the YAML task file's field names (documentation of the shape; the
/// server validates the body with the task-file loader). Dates are UTC (<c>2024-01-01</c>, <c>2024-01-01T12:00:00Z</c>).
/// </summary>
public sealed record IngestRequestDocument
{
    /// <summary>Task name (letters, digits, <c>_ . -</c>); default <c>ingest</c>.</summary>
    public string? Name { get; init; }

    /// <summary>binance, binanceus, binanceusdm, okx, bybit, kraken, kucoin, coinbase.</summary>
    public required string Exchange { get; init; }

    /// <summary>One unified symbol, e.g. <c>BTC/USDT</c>, <c>BTC/USDT:USDT</c>.</summary>
    public string? Symbol { get; init; }

    /// <summary>Several symbols instead of <see cref="Symbol"/>.</summary>
    public IReadOnlyList<string>? Symbols { get; init; }

    /// <summary>1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M.</summary>
    public string? Timeframe { get; init; }

    /// <summary>Several timeframes instead of <see cref="Timeframe"/>.</summary>
    public IReadOnlyList<string>? Timeframes { get; init; }

    /// <summary>Inclusive start, UTC.</summary>
    public required string Start { get; init; }

    /// <summary>Exclusive end, UTC; omitted = now.</summary>
    public string? End { get; init; }

    /// <summary>last (default), mark, index.</summary>
    public string? Price { get; init; }

    /// <summary>spot, swap, future; default implied by the symbols.</summary>
    public string? MarketType { get; init; }

    /// <summary>ohlcv (default), trades, tickers.</summary>
    public string? Stream { get; init; }

    /// <summary>sqlite (default: the server's database), parquet, csv, json.</summary>
    public string? Format { get; init; }

    /// <summary>Output path relative to the server's data folder.</summary>
    public string? Output { get; init; }

    /// <summary>SQLite table; default candles.</summary>
    public string? Table { get; init; }

    /// <summary>Several sinks: objects with format, output, table, path_template.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>>? Sinks { get; init; }

    /// <summary>REST base URL override (mirror, testnet, fake server).</summary>
    public string? BaseUrl { get; init; }
}

/// <summary>A job as <c>GET /api/jobs/{id}</c> shows it (times in ms since the Unix epoch, UTC).</summary>
public sealed record JobView
{
    /// <summary>Job id.</summary>
    public required string Id { get; init; }

    /// <summary><c>ingest</c> or <c>schedule</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Task name.</summary>
    public required string Task { get; init; }

    /// <summary>queued, running, succeeded, failed, cancelled.</summary>
    public JobState State { get; init; }

    /// <summary>Candles done/expected over every series.</summary>
    public required JobProgress Progress { get; init; }

    /// <summary>Rows fetched, inserted, updated.</summary>
    public required JobRows Rows { get; init; }

    /// <summary>Errors of the latest attempt (empty when none).</summary>
    public required IReadOnlyList<string> Errors { get; init; }

    /// <summary>Attempts started (retries and recoveries included).</summary>
    public int Attempts { get; init; }

    /// <summary>Node that ran the latest attempt.</summary>
    public string? Node { get; init; }

    /// <summary>Timestamps and durations.</summary>
    public required JobTimings Timings { get; init; }

    /// <summary><c>/api/jobs/{id}/logs</c>.</summary>
    public required string LogsUrl { get; init; }

    internal static JobView From(JobRecord job, long now) => new()
    {
        Id = job.Id,
        Kind = job.Kind,
        Task = job.TaskName,
        State = job.State,
        Progress = new JobProgress(job.ProgressDone, job.ProgressExpected, job.ProgressExpected > 0 ? Math.Round(100.0 * job.ProgressDone / job.ProgressExpected, 1) : job.State == JobState.Succeeded ? 100 : 0),
        Rows = new JobRows(job.RowsFetched, job.RowsInserted, job.RowsUpdated),
        Errors = job.Error is null || job.State == JobState.Succeeded ? [] : [job.Error],
        Attempts = job.Attempts,
        Node = job.Node,
        Timings = new JobTimings(job.CreatedAt, job.StartedAt, job.FinishedAt,
            (job.StartedAt ?? (job.State.IsFinal() ? job.FinishedAt ?? now : now)) - job.CreatedAt,
            job.StartedAt is { } started ? (job.FinishedAt ?? now) - started : null),
        LogsUrl = $"/api/jobs/{job.Id}/logs",
    };
}

/// <summary>Progress in candles.</summary>
/// <param name="Done">Candles done (stored or fetched) over every series.</param>
/// <param name="Expected">Candles expected (0 while unknown).</param>
/// <param name="Percent">Done / expected in percent, one decimal.</param>
public sealed record JobProgress(long Done, long Expected, double Percent);

/// <summary>Row counts.</summary>
/// <param name="Fetched">Rows fetched from the exchange.</param>
/// <param name="Inserted">New rows stored.</param>
/// <param name="Updated">Stored rows replaced.</param>
public sealed record JobRows(long Fetched, long Inserted, long Updated);

/// <summary>Times in ms since the Unix epoch (UTC) and durations in ms.</summary>
/// <param name="CreatedAt">Accepted.</param>
/// <param name="StartedAt">Latest attempt started.</param>
/// <param name="FinishedAt">Reached a final state.</param>
/// <param name="QueuedMs">Time waiting for a worker.</param>
/// <param name="RunMs">Time running (latest attempt; up to now while running).</param>
public sealed record JobTimings(long CreatedAt, long? StartedAt, long? FinishedAt, long QueuedMs, long? RunMs);

/// <summary>A page of jobs, newest first.</summary>
/// <param name="Jobs">The jobs.</param>
/// <param name="Total">Jobs matching the filter.</param>
/// <param name="Limit">Page size.</param>
/// <param name="Offset">Jobs skipped.</param>
/// <param name="NextOffset">Offset of the next page, or null on the last one.</param>
public sealed record JobList(IReadOnlyList<JobView> Jobs, long Total, int Limit, int Offset, int? NextOffset);

/// <summary>A page of log lines, oldest first.</summary>
/// <param name="Logs">The lines.</param>
/// <param name="NextAfter">Pass as <c>after</c> to get the following lines (the last line's sequence).</param>
public sealed record LogPage(IReadOnlyList<JobLogEntry> Logs, long NextAfter);

/// <summary>A page of candles (the SQLite sink's column names; <c>open_time</c> in ms UTC; prices as exact decimals).</summary>
/// <param name="Exchange">Exchange id.</param>
/// <param name="Symbol">Unified symbol.</param>
/// <param name="MarketType">spot, swap, future.</param>
/// <param name="Timeframe">Timeframe.</param>
/// <param name="Price">last, mark, index.</param>
/// <param name="Count">Candles in this page.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last one.</param>
/// <param name="Candles">The candles, ascending by open time.</param>
public sealed record CandlePageDocument(string Exchange, string Symbol, string MarketType, string Timeframe, string Price, int Count, string? NextCursor, IReadOnlyList<CandleRow> Candles);

/// <summary>One candle row.</summary>
/// <param name="OpenTime">ms since the Unix epoch, UTC.</param>
/// <param name="Open">Open price (quote currency).</param>
/// <param name="High">High price.</param>
/// <param name="Low">Low price.</param>
/// <param name="Close">Close price.</param>
/// <param name="Volume">Volume in base currency.</param>
/// <param name="QuoteVolume">Volume in quote currency, when known.</param>
/// <param name="TradeCount">Trades, when known.</param>
public sealed record CandleRow(long OpenTime, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume, decimal? QuoteVolume, long? TradeCount);

/// <summary>What the candle database holds.</summary>
/// <param name="Database">The SQLite database read.</param>
/// <param name="Series">Every stored series matching the filter.</param>
public sealed record CoverageDocument(string Database, IReadOnlyList<SeriesCoverageView> Series);

/// <summary>One stored series: its ranges and gaps.</summary>
/// <param name="Exchange">Exchange id.</param>
/// <param name="Symbol">Unified symbol.</param>
/// <param name="MarketType">spot, swap, future.</param>
/// <param name="Timeframe">Timeframe.</param>
/// <param name="Price">last, mark, index.</param>
/// <param name="Rows">Stored candles.</param>
/// <param name="First">First open time (ms UTC).</param>
/// <param name="Last">Last open time (ms UTC).</param>
/// <param name="Ranges">Covered ranges <c>[start, end)</c> in ms.</param>
/// <param name="Gaps">Missing ranges between first and last.</param>
/// <param name="MissingCandles">Candles missing between first and last.</param>
public sealed record SeriesCoverageView(string Exchange, string Symbol, string MarketType, string Timeframe, string Price, long Rows, long? First, long? Last,
    IReadOnlyList<RangeView> Ranges, IReadOnlyList<GapView> Gaps, long MissingCandles);

/// <summary>A range <c>[start, end)</c> in ms UTC.</summary>
/// <param name="Start">Inclusive start.</param>
/// <param name="End">Exclusive end.</param>
public sealed record RangeView(long Start, long End);

/// <summary>A gap: a range without candles.</summary>
/// <param name="Start">Inclusive start (ms UTC).</param>
/// <param name="End">Exclusive end (ms UTC).</param>
/// <param name="MissingCandles">Candles missing in it.</param>
public sealed record GapView(long Start, long End, long MissingCandles);

/// <summary>Health answer.</summary>
/// <param name="Status">Healthy, Degraded or Unhealthy.</param>
/// <param name="Checks">Each check's status and description.</param>
public sealed record HealthDocument(string Status, IReadOnlyDictionary<string, HealthEntry> Checks);

/// <summary>One health check.</summary>
/// <param name="Status">Healthy, Degraded or Unhealthy.</param>
/// <param name="Description">What was checked.</param>
public sealed record HealthEntry(string Status, string? Description);

/// <summary>Source-generated JSON metadata of the API's documents (snake_case on the wire).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IngestAccepted))]
[JsonSerializable(typeof(IngestRequestDocument))]
[JsonSerializable(typeof(JobView))]
[JsonSerializable(typeof(JobList))]
[JsonSerializable(typeof(LogPage))]
[JsonSerializable(typeof(CandlePageDocument))]
[JsonSerializable(typeof(CoverageDocument))]
[JsonSerializable(typeof(HealthDocument))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
