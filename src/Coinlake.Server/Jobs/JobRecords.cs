using System.Text.Json.Serialization;

namespace Coinlake.Server.Jobs;

/// <summary>States of a job, as <c>GET /api/jobs/{id}</c> reports them (lower case on the wire).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    /// <summary>Accepted and waiting for a worker (also between retries).</summary>
    [JsonStringEnumMemberName("queued")]
    Queued,

    /// <summary>A worker is running it.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>Finished; every task of it succeeded.</summary>
    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    /// <summary>Finished with an error (after the retries transient failures get); <see cref="JobRecord.Error"/> says why.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Cancelled through <c>DELETE /api/jobs/{id}</c>.</summary>
    [JsonStringEnumMemberName("cancelled")]
    Cancelled,
}

/// <summary>Wire names of <see cref="JobState"/>.</summary>
public static class JobStates
{
    /// <summary><c>queued</c>, <c>running</c>, <c>succeeded</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    public static string ToName(this JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        _ => "cancelled",
    };

    /// <summary>Parses a wire name (case-insensitive).</summary>
    public static bool TryParse(string? text, out JobState state)
    {
        foreach (var candidate in Enum.GetValues<JobState>())
        {
            if (string.Equals(candidate.ToName(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    /// <summary>True for succeeded, failed and cancelled.</summary>
    public static bool IsFinal(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}

/// <summary>One job as stored in <c>coinlake_jobs</c> (times in ms since the Unix epoch, UTC).</summary>
public sealed record JobRecord
{
    /// <summary>Job id (32 lower-case hex digits).</summary>
    public required string Id { get; init; }

    /// <summary><c>ingest</c> (POST /api/ingest) or <c>schedule</c> (a cron-scheduled task of the <c>--tasks</c> file).</summary>
    public required string Kind { get; init; }

    /// <summary>The task's name.</summary>
    public required string TaskName { get; init; }

    /// <summary>Ingest: the request body (JSON) as accepted; schedule: the task file path.</summary>
    public required string Request { get; init; }

    /// <summary>Current state.</summary>
    public JobState State { get; init; }

    /// <summary>When it was accepted.</summary>
    public long CreatedAt { get; init; }

    /// <summary>When its latest attempt started; null while queued the first time.</summary>
    public long? StartedAt { get; init; }

    /// <summary>When it reached a final state.</summary>
    public long? FinishedAt { get; init; }

    /// <summary>Attempts started so far (a retry or a recovery after a worker died adds one).</summary>
    public int Attempts { get; init; }

    /// <summary>Candles (or trades) done so far over every series, including those already stored.</summary>
    public long ProgressDone { get; init; }

    /// <summary>Candles expected over every series (0 while unknown).</summary>
    public long ProgressExpected { get; init; }

    /// <summary>Rows fetched from the exchange.</summary>
    public long RowsFetched { get; init; }

    /// <summary>Rows inserted (new).</summary>
    public long RowsInserted { get; init; }

    /// <summary>Rows updated (replaced a stored row with the same key).</summary>
    public long RowsUpdated { get; init; }

    /// <summary>Why the latest attempt failed; kept after a final failure.</summary>
    public string? Error { get; init; }

    /// <summary>Node (Quartz instance id) that ran the latest attempt.</summary>
    public string? Node { get; init; }

    /// <summary>Set by DELETE: the job is to stop.</summary>
    public bool CancelRequested { get; init; }
}

/// <summary>One log line of a job (<c>coinlake_job_logs</c>).</summary>
/// <param name="Sequence">Ascending id across all jobs.</param>
/// <param name="JobId">The job.</param>
/// <param name="Time">ms since the Unix epoch, UTC.</param>
/// <param name="Level">trace, debug, information, warning, error or critical.</param>
/// <param name="Category">Logger category (class name).</param>
/// <param name="Message">The formatted message, with the exception's message appended when there is one.</param>
public sealed record JobLogEntry(long Sequence, string JobId, long Time, string Level, string Category, string Message);
