using System.Net.Http.Json;
using System.Text.Json;
using Coinlake.Server.Jobs;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Coinlake.Server.Tests;

/// <summary>Tasks of the <c>--tasks</c> file with a <c>schedule</c> become Quartz cron jobs that run the task as a job.</summary>
public sealed class ScheduledTaskTests
{
    [Fact]
    public async Task Serve_TaskFileWithSchedule_RegistersACronJobThatRunsTheTask()
    {
        await using var binance = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0 });
        binance.AddSeries("BTCUSDT", FakeMarket.Spot, TestData.BinanceUsBtcUsdt1m());
        var folder = Path.Combine(Path.GetTempPath(), "coinlake-schedule-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var tasks = Path.Combine(folder, "tasks.yaml");
        await File.WriteAllTextAsync(tasks, $"""
            version: 1
            tasks:
              - name: daily_btc
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1m
                start: 2023-03-01
                end: 2023-03-02
                base_url: {binance.BaseUrl}
                output: data/coinlake.db
                schedule: "0 9 * * *"
                timezone: Europe/Paris
              - name: unscheduled
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1h
                start: 2023-03-01
            """);
        await using var server = await ServerHarness.StartAsync(o => { o.TasksFile = tasks; o.DataDirectory = Path.Combine(folder, "data"); });
        var scheduler = await server.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

        var triggers = await scheduler.GetTriggersOfJob(new JobKey("daily_btc", CoinlakeJob.ScheduleGroup));
        var cron = triggers.OfType<ICronTrigger>().Single();
        cron.TimeZone.Id.ShouldBe("Europe/Paris");
        (await scheduler.GetJobDetail(new JobKey("unscheduled", CoinlakeJob.ScheduleGroup))).ShouldBeNull();

        await scheduler.TriggerJob(new JobKey("daily_btc", CoinlakeJob.ScheduleGroup));
        JsonElement job = default;
        var deadline = Environment.TickCount64 + 60_000;
        while (Environment.TickCount64 < deadline)
        {
            var list = await server.Client.GetFromJsonAsync<JsonElement>("/api/jobs?state=succeeded");
            if (list.GetProperty("total").GetInt64() > 0)
            {
                job = list.GetProperty("jobs")[0];
                break;
            }

            await Task.Delay(100);
        }

        job.ValueKind.ShouldBe(JsonValueKind.Object, "the scheduled task did not succeed in time");
        job.GetProperty("kind").GetString().ShouldBe("schedule");
        job.GetProperty("task").GetString().ShouldBe("daily_btc");
        job.GetProperty("rows").GetProperty("inserted").GetInt64().ShouldBe(1440);
        var page = await server.Client.GetFromJsonAsync<JsonElement>("/api/candles?exchange=binance&symbol=BTC/USDT&timeframe=1m&limit=1");
        page.GetProperty("count").GetInt32().ShouldBe(1);
        Directory.Delete(folder, recursive: true);
    }
}
