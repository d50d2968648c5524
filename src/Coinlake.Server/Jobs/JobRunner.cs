using System.Data.Common;
using Coinlake.Exchanges;
using Coinlake.Pipeline.Backfill;
using Coinlake.Pipeline.Reports;
using Coinlake.Pipeline.Tasks;
using Coinlake.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Coinlake.Server.Jobs;

/// <summary>How one attempt of a job ended.</summary>
public enum JobOutcome
{
    /// <summary>The job was already final or cancelled before it started: nothing ran.</summary>
    Skipped,

    /// <summary>Every task succeeded.</summary>
    Succeeded,

    /// <summary>Failed for good (permanent error, or transient with no retry left).</summary>
    Failed,

    /// <summary>Failed transiently; the job is queued again and the engine retries it after a backoff.</summary>
    RetryLater,

    /// <summary>Cancelled through the API.</summary>
    Cancelled,
}

/// <summary>
/// Runs one attempt of a job: marks it running, runs its task with <see cref="TaskRunner"/>, writes progress, rows
/// and logs to <see cref="JobRecordStore"/> every second, and records the outcome. Transient failures (network,
/// exchange 5xx/429/timeouts, I/O, a busy database) leave the job queued for a retry while attempts remain.
/// </summary>
public sealed partial class JobRunner(JobRecordStore records, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger<JobRunner>();

    /// <summary>Interval of the progress and log writes while a job runs.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Runs an attempt of job <paramref name="jobId"/>.</summary>
    /// <param name="jobId">The job record.</param>
    /// <param name="node">This node's id (recorded on the job).</param>
    /// <param name="loadTask">Builds the task to run (re-validates the request or reloads the task file).</param>
    /// <param name="retriesLeft">Retries the engine will still make after this attempt.</param>
    /// <param name="cancellationToken">Fires on cancel (DELETE) or shutdown.</param>
    /// <returns>How the attempt ended.</returns>
    /// <exception cref="OperationCanceledException">Interrupted by a shutdown (not a cancel request): the job stays running for recovery.</exception>
    public async Task<JobOutcome> RunAsync(string jobId, string node, Func<TaskDefinition> loadTask, int retriesLeft, CancellationToken cancellationToken = default)
    {
        var job = await records.StartAttemptAsync(jobId, node, Now(), cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            LogSkipped(_logger, jobId);
            return JobOutcome.Skipped;
        }

        var collector = new JobLogCollector(jobId, loggers, time);
        using var jobLoggers = new LoggerFactory([collector]);
        var progress = new ProgressTotals();
        collector.Add(LogLevel.Information, nameof(JobRunner), $"attempt {job.Attempts} started on {node}");

        using var stop = new CancellationTokenSource();
        var flusher = FlushLoopAsync(jobId, collector, progress, stop.Token);
        RunReport? report = null;
        Exception? failure = null;
        try
        {
            var task = loadTask();
            var runner = new TaskRunner(new DefaultTaskComponents(time, jobLoggers), time, jobLoggers);
            report = await runner.RunAsync([task], new BackfillOptions(), progress, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled below; or a shutdown, which hands the job back for recovery.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = ex;
            collector.Add(LogLevel.Error, nameof(JobRunner), $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await flusher.ConfigureAwait(false);
        }

        if (cancellationToken.IsCancellationRequested && report is null && failure is null)
        {
            var current = await records.GetAsync(jobId, CancellationToken.None).ConfigureAwait(false);
            if (current?.CancelRequested != true)
            {
                collector.Add(LogLevel.Warning, nameof(JobRunner), "interrupted by a shutdown; the job will be recovered");
                await FlushAsync(jobId, collector, progress, CancellationToken.None).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }

            collector.Add(LogLevel.Information, nameof(JobRunner), "cancelled");
            await FinishAsync(jobId, collector, progress, JobState.Cancelled, "cancelled").ConfigureAwait(false);
            return JobOutcome.Cancelled;
        }

        if (report is not null)
        {
            var taskReport = report.Tasks[0];
            progress.SetRows(taskReport.Fetched, taskReport.Inserted, taskReport.Updated);
            if (report.Succeeded)
            {
                collector.Add(LogLevel.Information, nameof(JobRunner), $"succeeded: {taskReport.Fetched} fetched, {taskReport.Inserted} inserted, {taskReport.Updated} updated in {taskReport.Duration.TotalSeconds:0.0} s");
                await FinishAsync(jobId, collector, progress, JobState.Succeeded, null).ConfigureAwait(false);
                return JobOutcome.Succeeded;
            }

            failure = collector.LastError ?? new InvalidOperationException(taskReport.Error);
        }

        var message = report?.Tasks[0].Error ?? failure!.Message;
        if (IsTransient(failure!) && retriesLeft > 0)
        {
            collector.Add(LogLevel.Warning, nameof(JobRunner), $"transient failure, {retriesLeft} retr{(retriesLeft == 1 ? "y" : "ies")} left: {message}");
            await FinishAsync(jobId, collector, progress, JobState.Queued, message).ConfigureAwait(false);
            return JobOutcome.RetryLater;
        }

        await FinishAsync(jobId, collector, progress, JobState.Failed, message).ConfigureAwait(false);
        return JobOutcome.Failed;
    }

    /// <summary>
    /// True for failures worth retrying later: an exchange error marked transient (5xx, 429/418, timeouts,
    /// resets), network and I/O errors, and a database reporting a transient condition (busy, locked).
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        ExchangeException e => e.IsTransient,
        HttpRequestException or TimeoutException or IOException => true,
        DbException e => e.IsTransient || e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 },
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };

    private async Task FinishAsync(string jobId, JobLogCollector collector, ProgressTotals progress, JobState state, string? error)
    {
        await FlushAsync(jobId, collector, progress, CancellationToken.None).ConfigureAwait(false);
        await records.SetStateAsync(jobId, state, error, Now(), CancellationToken.None).ConfigureAwait(false);
        LogFinished(_logger, jobId, state.ToName(), error ?? "");
    }

    private async Task FlushLoopAsync(string jobId, JobLogCollector collector, ProgressTotals progress, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await FlushAsync(jobId, collector, progress, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (DbException ex)
        {
            LogFlushFailed(_logger, jobId, ex.Message, ex);
        }
    }

    private async Task FlushAsync(string jobId, JobLogCollector collector, ProgressTotals progress, CancellationToken cancellationToken)
    {
        var (done, expected, fetched, inserted, updated) = progress.Snapshot();
        await records.UpdateProgressAsync(jobId, done, expected, fetched, inserted, updated, cancellationToken).ConfigureAwait(false);
        await records.AppendLogsAsync(collector.Drain(), cancellationToken).ConfigureAwait(false);
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Sums the latest progress of each series.</summary>
    private sealed class ProgressTotals : IProgress<BackfillProgress>
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<Coinlake.Candles.SeriesKey, BackfillProgress> _series = [];
        private (long Fetched, long Inserted, long Updated)? _rows;

        public void Report(BackfillProgress value)
        {
            lock (_gate)
            {
                _series[value.Series] = value;
            }
        }

        public void SetRows(long fetched, long inserted, long updated)
        {
            lock (_gate)
            {
                _rows = (fetched, inserted, updated);
            }
        }

        public (long Done, long Expected, long Fetched, long Inserted, long Updated) Snapshot()
        {
            lock (_gate)
            {
                var done = _series.Values.Sum(s => s.Done);
                var expected = _series.Values.Sum(s => s.Expected);
                var fetched = _rows?.Fetched ?? _series.Values.Sum(s => s.Fetched);
                return (done, expected, fetched, _rows?.Inserted ?? 0, _rows?.Updated ?? 0);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} skipped: unknown, final or cancelled before it started")]
    private static partial void LogSkipped(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} {State} {Error}")]
    private static partial void LogFinished(ILogger logger, string jobId, string state, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: writing progress failed: {Reason}")]
    private static partial void LogFlushFailed(ILogger logger, string jobId, string reason, Exception exception);
}
