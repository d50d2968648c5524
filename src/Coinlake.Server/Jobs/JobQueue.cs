using Coinlake.Pipeline.Tasks;
using Quartz;

namespace Coinlake.Server.Jobs;

/// <summary>
/// Queues and cancels jobs: a job record in <see cref="JobRecordStore"/> plus a durable Quartz job with a one-shot
/// trigger (retried with exponential backoff on transient failures, recovered on another node if its node dies).
/// </summary>
public sealed class JobQueue(ISchedulerFactory schedulers, JobRecordStore records, ServerOptions options, TimeProvider time)
{
    /// <summary>Stores a job for <paramref name="task"/> and queues it; returns the record (state queued).</summary>
    /// <param name="task">The validated task.</param>
    /// <param name="requestJson">The request body as accepted (re-validated when the job runs).</param>
    /// <param name="cancellationToken">Cancels the enqueue.</param>
    public async Task<JobRecord> EnqueueAsync(TaskDefinition task, string requestJson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var job = new JobRecord
        {
            Id = Guid.NewGuid().ToString("N"),
            Kind = CoinlakeJob.IngestGroup,
            TaskName = task.Name,
            Request = requestJson,
            State = JobState.Queued,
            CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await records.InsertAsync(job, cancellationToken).ConfigureAwait(false);

        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        var detail = JobBuilder.Create<CoinlakeJob>()
            .WithIdentity(job.Id, CoinlakeJob.IngestGroup)
            .WithDescription($"ingest {task.Name}")
            .UsingJobData(CoinlakeJob.JobIdKey, job.Id)
            .RequestRecovery()
            .Build();
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity(job.Id, CoinlakeJob.IngestGroup)
            .ForJob(detail)
            .StartNow()
            .WithRetryPolicy(RetryPolicyFor(options))
            .Build();
        await scheduler.ScheduleJob(detail, trigger, cancellationToken: cancellationToken).ConfigureAwait(false);
        return job;
    }

    /// <summary>
    /// Cancels a job: a queued one is removed from the engine and marked cancelled; a running one gets its
    /// cancellation token fired (on whichever node runs it) and marks itself cancelled when it stops. Returns the
    /// record after the request, or null when unknown.
    /// </summary>
    public async Task<JobRecord?> CancelAsync(string id, CancellationToken cancellationToken = default)
    {
        var before = await records.RequestCancelAsync(id, cancellationToken).ConfigureAwait(false);
        if (before is null || before.State.IsFinal())
        {
            return before;
        }

        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        var key = before.Kind == CoinlakeJob.IngestGroup ? new JobKey(id, CoinlakeJob.IngestGroup) : new JobKey(before.TaskName, CoinlakeJob.ScheduleGroup);
        var interrupted = await scheduler.Interrupt(key, cancellationToken).ConfigureAwait(false);
        if (before.Kind == CoinlakeJob.IngestGroup && !interrupted)
        {
            // Not running anywhere: drop it from the engine (a queued job, or one waiting for a retry).
            await scheduler.DeleteJob(key, cancellationToken).ConfigureAwait(false);
            await records.SetStateAsync(id, JobState.Cancelled, "cancelled", time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
        }
        else if (before.State == JobState.Queued && !interrupted)
        {
            await records.SetStateAsync(id, JobState.Cancelled, "cancelled", time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
        }

        return await records.GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The retry policy of every Coinlake trigger: exponential from <see cref="ServerOptions.RetryDelay"/>, doubling, at most 10 minutes.</summary>
    internal static RetryPolicy RetryPolicyFor(ServerOptions options) =>
        options.MaxRetries == 0
            ? RetryPolicy.None
            : RetryPolicy.Exponential(options.MaxRetries, options.RetryDelay, 2, TimeSpan.FromTicks(Math.Max(options.RetryDelay.Ticks, TimeSpan.FromMinutes(10).Ticks)));
}
