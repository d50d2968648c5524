using System.Collections.Concurrent;
using System.Globalization;
using Coinlake.Pipeline.Tasks;
using Coinlake.Server.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Coinlake.Server.Tests;

/// <summary>The <c>schedule</c>/<c>timezone</c> task keys and the Quartz cron triggers built from them.</summary>
public sealed class ScheduleTests
{
    private static TaskFile Parse(string extra) => TaskFileLoader.Parse($"""
        version: 1
        tasks:
          - name: daily
            exchange: binance
            symbol: BTC/USDT
            timeframe: 1h
            start: 2024-01-01
        {extra}
        """, "/tmp/tasks.yaml", new TaskFileOptions());

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [Fact]
    public void Load_ScheduleAndTimezone_AreReadIntoTheTask()
    {
        var task = Parse("    schedule: \"0 9 * * *\"\n    timezone: Europe/Paris").Tasks[0];

        task.Schedule.ShouldNotBeNull();
        task.Schedule.Cron.ShouldBe("0 9 * * *");
        task.Schedule.TimeZone.Id.ShouldBe("Europe/Paris");
        task.Schedule.NextAfter(Utc("2024-06-01T06:00:00Z")).ShouldBe(Utc("2024-06-01T07:00:00Z"));
    }

    [Fact]
    public void Load_ScheduleWithoutTimezone_IsUtc() =>
        Parse("    schedule: \"*/5 * * * *\"").Tasks[0].Schedule!.TimeZone.ShouldBe(TimeZoneInfo.Utc);

    [Fact]
    public void Load_NoSchedule_IsNull() => Parse("").Tasks[0].Schedule.ShouldBeNull();

    [Theory]
    [InlineData("    schedule: \"0 9 * *\"", "has 4 field(s)")]
    [InlineData("    schedule: \"0 25 * * *\"", "is not a cron schedule")]
    [InlineData("    schedule: \"0 9 1 * MON\"", "restricts both")]
    [InlineData("    schedule: \"@every_minute\"", "unknown schedule macro")]
    [InlineData("    schedule: \"0 9 * * *\"\n    timezone: Europe/Pariss", "did you mean 'Europe/Paris'")]
    [InlineData("    timezone: UTC", "is the time zone of a 'schedule'")]
    public void Load_BadSchedule_ReportsWhatToFix(string extra, string fragment)
    {
        var error = Should.Throw<TaskFileException>(() => Parse(extra));

        error.Errors.ShouldContain(e => e.Message.Contains(fragment, StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public void Load_ScheduleOnAStreamTask_IsAnError()
    {
        var error = Should.Throw<TaskFileException>(() => TaskFileLoader.Parse("""
            version: 1
            tasks:
              - name: live
                mode: stream
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1m
                schedule: "0 9 * * *"
            """, "/tmp/tasks.yaml", new TaskFileOptions()));

        error.Message.ShouldContain("applies to rest tasks");
    }

    [Theory]
    [InlineData("0 9 * * *", "UTC")]
    [InlineData("*/5 * * * *", "UTC")]
    [InlineData("30 4 * * 1-5", "America/New_York")]
    [InlineData("0 0 1 * *", "Europe/Paris")]
    [InlineData("15 */6 * * SUN", "UTC")]
    [InlineData("@hourly", "UTC")]
    public void Build_CronTrigger_FiresWhenTheCronExpressionSays(string cron, string zone)
    {
        var schedule = new TaskSchedule(cron, zone == "UTC" ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(zone));
        var (_, trigger) = ScheduleRegistrar.Build<CoinlakeJob>("t", schedule, "/tmp/tasks.yaml", TimeProvider.System);
        var cronTrigger = (ICronTrigger)trigger;
        cronTrigger.TimeZone.ShouldBe(schedule.TimeZone);
        var quartz = new CronExpression(cronTrigger.CronExpressionString!, schedule.TimeZone);

        var at = Utc("2024-02-27T10:07:00Z");
        for (var i = 0; i < 20; i++)
        {
            var expected = schedule.NextAfter(at)!.Value;
            var actual = quartz.GetNextValidTimeAfter(at)!.Value;
            actual.ShouldBe(expected, $"{cron} after {at:O}");
            at = expected;
        }
    }

    [Fact]
    public async Task Scheduler_FakeClockReachesNine_FiresTheDailyTaskOnceOnTime()
    {
        var clock = new FakeTimeProvider(Utc("2024-03-01T08:58:00Z"));
        var fires = new ConcurrentQueue<DateTimeOffset>();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(fires);
        services.AddTransient<RecordingJob>();
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s => { s.InstanceName = $"fake-clock-{Guid.NewGuid():N}"; s.IdleWaitTime = TimeSpan.FromSeconds(1); });
            q.UseTimeProvider(clock);
            q.UseInMemoryStore();
        });
        await using var provider = services.BuildServiceProvider();
        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var (job, trigger) = ScheduleRegistrar.Build<RecordingJob>("daily", new TaskSchedule("0 9 * * *", TimeZoneInfo.Utc), "/tmp/tasks.yaml", clock);
        await scheduler.ScheduleJob(job, trigger);
        await scheduler.Start();
        try
        {
            clock.Advance(TimeSpan.FromSeconds(119));
            await Task.Delay(1500);
            fires.ShouldBeEmpty("08:59:59 is before the schedule");

            clock.Advance(TimeSpan.FromSeconds(1));
            var deadline = Environment.TickCount64 + 15_000;
            while (fires.IsEmpty && Environment.TickCount64 < deadline)
            {
                await Task.Delay(50);
            }

            fires.ShouldHaveSingleItem().ShouldBe(Utc("2024-03-01T09:00:00Z"));
        }
        finally
        {
            await scheduler.Shutdown(waitForJobsToComplete: true);
        }
    }

    private sealed class RecordingJob(ConcurrentQueue<DateTimeOffset> fires) : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            fires.Enqueue(context.ScheduledFireTimeUtc ?? context.FireTimeUtc);
            return ValueTask.CompletedTask;
        }
    }
}
