using Coinlake.Server.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Coinlake.Server.Endpoints;

/// <summary>Jobs and logs: <c>GET /api/jobs</c>, <c>GET|DELETE /api/jobs/{id}</c>, <c>GET /api/jobs/{id}/logs</c>, <c>GET /api/logs</c>.</summary>
public static class JobsApi
{
    private const int DefaultPage = 50;
    private const int MaxPage = 500;
    private const int MaxLogPage = 5000;

    /// <summary>Maps the job endpoints on <paramref name="api"/> (the <c>/api</c> group).</summary>
    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/jobs", ListAsync).WithName("ListJobs").WithSummary("List jobs, newest first")
            .WithDescription("Filter with state=queued|running|succeeded|failed|cancelled; page with limit (1-500, default 50) and offset.")
            .ProducesValidationProblem();
        api.MapGet("/jobs/{id}", GetAsync).WithName("GetJob").WithSummary("A job's state, progress, rows, errors and timings")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/jobs/{id}", CancelAsync).WithName("CancelJob").WithSummary("Cancel a job")
            .WithDescription("A queued job is removed; a running job's cancellation token fires on whichever node runs it and it ends 'cancelled'. Needs X-Api-Key.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapGet("/jobs/{id}/logs", JobLogsAsync).WithName("GetJobLogs").WithSummary("A job's log lines, oldest first")
            .WithDescription("Page with after (the last sequence seen) and limit (1-5000, default 1000).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem();
        api.MapGet("/logs", LogsAsync).WithName("GetLogs").WithSummary("Log lines of every job, oldest first")
            .WithDescription("Page with after (the last sequence seen) and limit (1-5000, default 1000).")
            .ProducesValidationProblem();
        return api;
    }

    private static async Task<Results<Ok<JobList>, ValidationProblem>> ListAsync(
        JobRecordStore records, TimeProvider time, string? state, int? limit, int? offset, CancellationToken cancellationToken)
    {
        JobState? filter = null;
        if (state is not null)
        {
            if (!JobStates.TryParse(state, out var parsed))
            {
                return Invalid("state", $"unknown state '{state}'; use queued, running, succeeded, failed or cancelled.");
            }

            filter = parsed;
        }

        var size = limit ?? DefaultPage;
        if (size is < 1 or > MaxPage)
        {
            return Invalid("limit", $"limit must be between 1 and {MaxPage}, found {size}.");
        }

        if (offset is < 0)
        {
            return Invalid("offset", "offset must not be negative.");
        }

        var skip = offset ?? 0;
        var (jobs, total) = await records.ListAsync(filter, size, skip, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        int? next = skip + jobs.Count < total ? skip + jobs.Count : null;
        return TypedResults.Ok(new JobList(jobs.Select(j => JobView.From(j, now)).ToList(), total, size, skip, next));
    }

    private static async Task<Results<Ok<JobView>, ProblemHttpResult>> GetAsync(string id, JobRecordStore records, TimeProvider time, CancellationToken cancellationToken) =>
        await records.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } job
            ? TypedResults.Ok(JobView.From(job, time.GetUtcNow().ToUnixTimeMilliseconds()))
            : NotFound(id);

    private static async Task<Results<Ok<JobView>, ProblemHttpResult>> CancelAsync(string id, JobQueue queue, TimeProvider time, CancellationToken cancellationToken)
    {
        var job = await queue.CancelAsync(id, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return NotFound(id);
        }

        if (job.State.IsFinal() && job.State != JobState.Cancelled)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Job already finished",
                detail: $"Job {id} is already {job.State.ToName()}; only queued or running jobs can be cancelled.");
        }

        return TypedResults.Ok(JobView.From(job, time.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    private static async Task<Results<Ok<LogPage>, ProblemHttpResult, ValidationProblem>> JobLogsAsync(
        string id, JobRecordStore records, long? after, int? limit, CancellationToken cancellationToken)
    {
        if (await records.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return NotFound(id);
        }

        return (await PageAsync(records, id, after, limit, cancellationToken).ConfigureAwait(false)).Result switch
        {
            Ok<LogPage> ok => ok,
            ValidationProblem problem => problem,
            var other => throw new InvalidOperationException($"unexpected result {other.GetType().Name}"),
        };
    }

    private static Task<Results<Ok<LogPage>, ValidationProblem>> LogsAsync(JobRecordStore records, long? after, int? limit, CancellationToken cancellationToken) =>
        PageAsync(records, null, after, limit, cancellationToken);

    private static async Task<Results<Ok<LogPage>, ValidationProblem>> PageAsync(JobRecordStore records, string? jobId, long? after, int? limit, CancellationToken cancellationToken)
    {
        var size = limit ?? 1000;
        if (size is < 1 or > MaxLogPage)
        {
            return Invalid("limit", $"limit must be between 1 and {MaxLogPage}, found {size}.");
        }

        var logs = await records.GetLogsAsync(jobId, after ?? 0, size, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new LogPage(logs, logs.Count > 0 ? logs[^1].Sequence : after ?? 0));
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such job", detail: $"There is no job '{id}'; GET /api/jobs lists the jobs.");

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "Invalid query");
}
