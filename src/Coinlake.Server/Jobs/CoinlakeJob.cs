using Coinlake.Pipeline.Tasks;
using Coinlake.Server.Ingest;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Coinlake.Server.Jobs;

/// <summary>
/// The Quartz.NET job behind every Coinlake job. An ingest job (group <see cref="IngestGroup"/>, one per
/// <c>POST /api/ingest</c>, data <c>job_id</c>) re-validates its stored request and runs it; a scheduled job (group
/// <see cref="ScheduleGroup"/>, one per task with a <c>schedule</c>, data <c>task_file</c> + <c>task_name</c>) creates
/// a job record per run (a retry or recovery continues the unfinished one) and runs the task as the file says now. Never two at once per job key; a firing of a node
/// that died is recovered by another node (RequestRecovery) and resumes, the backfill being idempotent.
/// </summary>
[DisallowConcurrentExecution]
internal sealed partial class CoinlakeJob(JobRecordStore records, JobRunner runner, ServerOptions options, TimeProvider time, ILogger<CoinlakeJob> logger) : IJob
{
    /// <summary>Job group of ingest jobs (job name = job id).</summary>
    public const string IngestGroup = "ingest";

    /// <summary>Job group of scheduled tasks (job name = task name).</summary>
    public const string ScheduleGroup = "schedule";

    /// <summary>Job data key: the job record id (ingest).</summary>
    public const string JobIdKey = "job_id";

    /// <summary>Job data key: absolute path of the task file (schedule).</summary>
    public const string TaskFileKey = "task_file";

    /// <summary>Job data key: the task's name (schedule).</summary>
    public const string TaskNameKey = "task_name";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var data = context.MergedJobDataMap;
        var node = context.Scheduler.SchedulerInstanceId;
        var retriesLeft = Math.Max(0, (context.RetryPolicy?.MaxAttempts ?? 0) - context.RetryAttempt);
        string jobId;
        Func<TaskDefinition> load;
        if (data.TryGetValue(JobIdKey, out var idValue) && idValue is string id)
        {
            jobId = id;
            var record = await records.GetAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                LogUnknownJob(logger, jobId);
                return;
            }

            load = () =>
            {
                using var document = System.Text.Json.JsonDocument.Parse(record.Request);
                return IngestRequestParser.Parse(document.RootElement, options, time);
            };
        }
        else
        {
            var file = data[TaskFileKey] as string ?? throw new InvalidOperationException($"Scheduled job {context.JobDetail.Key} has no '{TaskFileKey}'.");
            var name = data[TaskNameKey] as string ?? throw new InvalidOperationException($"Scheduled job {context.JobDetail.Key} has no '{TaskNameKey}'.");
            // No two firings of one scheduled task run at once (DisallowConcurrentExecution), so an unfinished record of
            // it belongs to a firing that failed transiently or died with its node: this firing (a retry or a recovery)
            // continues it. Otherwise this is a new run.
            var open = await records.FindOpenScheduledAsync(name, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
            jobId = open?.Id ?? Guid.NewGuid().ToString("N");
            if (open is null)
            {
                await records.InsertAsync(new JobRecord
                {
                    Id = jobId,
                    Kind = ScheduleGroup,
                    TaskName = name,
                    Request = file,
                    State = JobState.Queued,
                    CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
                }, cancellationToken).ConfigureAwait(false);
            }

            load = () => TaskFileLoader.Select(TaskFileLoader.Load(file, ServerTaskFiles.Options()), [name])[0];
        }

        var outcome = await runner.RunAsync(jobId, node, load, retriesLeft, cancellationToken).ConfigureAwait(false);
        context.Result = outcome;
        if (outcome == JobOutcome.RetryLater)
        {
            throw new JobExecutionException($"Job {jobId} failed transiently; retrying with backoff.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quartz fired job {JobId}, which has no record; ignored")]
    private static partial void LogUnknownJob(ILogger logger, string jobId);
}
