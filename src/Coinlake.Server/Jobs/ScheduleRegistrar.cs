using Coinlake.Pipeline.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Coinlake.Server.Jobs;

/// <summary>
/// At start-up, puts every task of the <c>--tasks</c> file that has a <c>schedule</c> on a Quartz cron trigger
/// (job <c>schedule.&lt;task name&gt;</c>, time zone from <c>timezone</c>, default UTC), replacing what an earlier run or
/// another node stored, and removes scheduled tasks the file no longer has. Every node of a cluster should be given the
/// same file. A missed firing (all nodes down at that time) is skipped, not caught up: the next firing's backfill fetches
/// whatever is missing anyway.
/// </summary>
internal sealed partial class ScheduleRegistrar(ISchedulerFactory schedulers, ServerOptions options, TimeProvider time, ILogger<ScheduleRegistrar> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.TasksFile is null)
        {
            return;
        }

        var path = Path.GetFullPath(options.TasksFile, options.BaseDirectory);
        var file = TaskFileLoader.Load(path, ServerTaskFiles.Options());
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        var scheduled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in file.Tasks)
        {
            if (task.Schedule is not { } schedule)
            {
                LogUnscheduled(logger, task.Name);
                continue;
            }

            var (detail, trigger) = Build<CoinlakeJob>(task.Name, schedule, path, time);
            await scheduler.ScheduleJob(detail, [trigger], ScheduleJobOptions.Replacing, cancellationToken).ConfigureAwait(false);
            scheduled.Add(task.Name);
            LogScheduled(logger, task.Name, schedule.Cron, schedule.TimeZone.Id, schedule.NextAfter(time.GetUtcNow())?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "never");
        }

        foreach (var key in await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(CoinlakeJob.ScheduleGroup), cancellationToken).ConfigureAwait(false))
        {
            if (!scheduled.Contains(key.Name))
            {
                await scheduler.DeleteJob(key, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The durable job and the cron trigger of a scheduled task (Unix cron read by Quartz's <see cref="CronFormat.Unix"/>).</summary>
    internal static (IJobDetail Job, ITrigger Trigger) Build<TJob>(string taskName, TaskSchedule schedule, string taskFile, TimeProvider time)
        where TJob : IJob
    {
        var detail = JobBuilder.Create<TJob>()
            .WithIdentity(taskName, CoinlakeJob.ScheduleGroup)
            .WithDescription($"scheduled task {taskName} ({schedule.Cron} {schedule.TimeZone.Id})")
            .UsingJobData(CoinlakeJob.TaskFileKey, taskFile)
            .UsingJobData(CoinlakeJob.TaskNameKey, taskName)
            .StoreDurably()
            .RequestRecovery()
            .Build();
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity(taskName, CoinlakeJob.ScheduleGroup)
            .ForJob(detail)
            .WithCronSchedule(CronExpression.Parse(schedule.Cron, CronFormat.Unix), b => b.InTimeZone(schedule.TimeZone).WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing))
            .Build();
        return (detail, trigger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Task} scheduled: '{Cron}' ({Zone}), next run {Next}")]
    private static partial void LogScheduled(ILogger logger, string task, string cron, string zone, string next);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Task} has no schedule; serve/worker run only scheduled tasks (use 'coinlake run' or POST /api/ingest for the others)")]
    private static partial void LogUnscheduled(ILogger logger, string task);
}
