using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Coinlake.Testing;
using Coinlake.Testing.Binance;

namespace Coinlake.Server.Tests;

/// <summary>Listing, paging, cancelling; health and the OpenAPI document.</summary>
public sealed class JobsApiTests
{
    private const string Body = """{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1h", "start": "2024-01-01", "end": "2024-01-02"}""";

    [Fact]
    public async Task ListJobs_Paged_ReturnsNewestFirstWithTotalAndNextOffset()
    {
        await using var server = await ServerHarness.StartAsync(o => o.RunJobs = false);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await server.IngestAsync(Body.Replace("\"binance\"", $"\"binance\", \"name\": \"job{i}\"", StringComparison.Ordinal)));
            await Task.Delay(5);
        }

        var first = await server.Client.GetFromJsonAsync<JsonElement>("/api/jobs?limit=2");
        var second = await server.Client.GetFromJsonAsync<JsonElement>("/api/jobs?limit=2&offset=2");

        first.GetProperty("total").GetInt64().ShouldBe(3);
        first.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("task").GetString()).ShouldBe(["job2", "job1"]);
        first.GetProperty("next_offset").GetInt32().ShouldBe(2);
        second.GetProperty("jobs").EnumerateArray().Single().GetProperty("id").GetString().ShouldBe(ids[0]);
        second.GetProperty("next_offset").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task ListJobs_FilteredByState_ReturnsOnlyThatState()
    {
        await using var server = await ServerHarness.StartAsync(o => o.RunJobs = false);
        var a = await server.IngestAsync(Body);
        await server.IngestAsync(Body);
        (await server.Client.DeleteAsync($"/api/jobs/{a}")).Dispose();

        var cancelled = await server.Client.GetFromJsonAsync<JsonElement>("/api/jobs?state=cancelled");
        var queued = await server.Client.GetFromJsonAsync<JsonElement>("/api/jobs?state=queued");

        cancelled.GetProperty("jobs").EnumerateArray().Single().GetProperty("id").GetString().ShouldBe(a);
        queued.GetProperty("total").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task Cancel_QueuedJob_IsRemovedAndNeverRuns()
    {
        await using var server = await ServerHarness.StartAsync(o => o.RunJobs = false);
        var id = await server.IngestAsync(Body);

        using var response = await server.Client.DeleteAsync($"/api/jobs/{id}");
        var job = await server.GetJobAsync(id);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        job.GetProperty("state").GetString().ShouldBe("cancelled");
        job.GetProperty("attempts").GetInt32().ShouldBe(0);
        var scheduler = await server.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
        (await scheduler.GetJobDetail(new Quartz.JobKey(id, "ingest"))).ShouldBeNull();
    }

    [Fact]
    public async Task Cancel_RunningJob_FiresItsTokenAndEndsCancelled()
    {
        await using var binance = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0, ResponseDelay = TimeSpan.FromMilliseconds(300) });
        binance.AddSeries("BTCUSDT", FakeMarket.Spot, TestData.BinanceUsBtcUsdt1m());
        await using var server = await ServerHarness.StartAsync();
        var id = await server.IngestAsync($$"""{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1m", "start": "2023-03-01", "end": "2023-03-21", "base_url": "{{binance.BaseUrl}}"}""");
        await server.WaitForStateAsync(id, "running");

        using var response = await server.Client.DeleteAsync($"/api/jobs/{id}");
        var job = await server.WaitForStateAsync(id, "cancelled", "succeeded", "failed");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        job.GetProperty("state").GetString().ShouldBe("cancelled");
        job.GetProperty("progress").GetProperty("done").GetInt64().ShouldBeLessThan(28_800);
    }

    [Fact]
    public async Task Cancel_FinishedJob_Returns409()
    {
        await using var server = await ServerHarness.StartAsync(o => o.RunJobs = false);
        var id = await server.IngestAsync(Body);
        (await server.Client.DeleteAsync($"/api/jobs/{id}")).Dispose();
        var records = server.Services.GetRequiredService<Jobs.JobRecordStore>();
        await records.InsertAsync(new Jobs.JobRecord { Id = "done", Kind = "ingest", TaskName = "t", Request = "{}", State = Jobs.JobState.Succeeded, CreatedAt = 1 });

        using var response = await server.Client.DeleteAsync("/api/jobs/done");

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Health_LiveAndReady_Return200WithChecks()
    {
        await using var server = await ServerHarness.StartAsync(o => o.RunJobs = false);

        using var live = await server.Client.GetAsync("/health/live");
        var ready = await server.Client.GetFromJsonAsync<JsonElement>("/health/ready");

        live.StatusCode.ShouldBe(HttpStatusCode.OK);
        ready.GetProperty("status").GetString().ShouldBe("Healthy");
        ready.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString().ShouldBe("Healthy");
        ready.GetProperty("checks").GetProperty("job_store").GetProperty("status").GetString().ShouldBe("Healthy");
    }

    [Fact]
    public async Task Health_Ready_JobStoreUnreachable_Returns503()
    {
        await using var server = await ServerHarness.StartAsync(o => o.RunJobs = false);
        var jobsDb = Path.Combine(server.Options.DataPath, "coinlake-jobs.db");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Move(jobsDb, jobsDb + ".moved");
        Directory.CreateDirectory(jobsDb);

        using var ready = await server.Client.GetAsync("/health/ready");

        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync()).ShouldContain("job store unreachable");
    }

    [Fact]
    public async Task OpenApi_Document_DescribesTheEndpointsAndTheReferencePageIsServed()
    {
        await using var server = await ServerHarness.StartAsync(o => o.RunJobs = false);

        var document = await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        using var page = await server.Client.GetAsync("/scalar/v1");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldContain("/api/ingest");
        paths.ShouldContain("/api/jobs/{id}");
        paths.ShouldContain("/api/candles");
        paths.ShouldContain("/api/coverage");
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await page.Content.ReadAsStringAsync()).ShouldContain("openapi/v1.json");
    }
}
