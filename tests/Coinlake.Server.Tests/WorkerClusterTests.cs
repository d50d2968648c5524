using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Storage.Sqlite;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Testing.Postgres;
using Coinlake.Time;

namespace Coinlake.Server.Tests;

/// <summary>A fact that needs a real PostgreSQL (<see cref="TestPostgres"/>); skipped with its reason when none is available.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    /// <summary>Sets the skip reason from <see cref="TestPostgres.SkipReason"/>.</summary>
    public PostgresFactAttribute() => Skip = TestPostgres.SkipReason!;
}

/// <summary>
/// Two real <c>coinlake worker</c> processes on one clustered PostgreSQL job store: every job runs exactly once, and
/// the jobs of a worker killed mid-job are recovered by the other and finish without duplicate rows.
/// </summary>
public sealed class WorkerClusterTests : IAsyncLifetime
{
    private static readonly SeriesKey Series = new("binance", Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last);
    private readonly List<Process> _workers = [];
    private FakeBinanceServer _binance = null!;
    private ServerHarness _api = null!;
    private string _config = null!;

    public async Task InitializeAsync()
    {
        if (TestPostgres.SkipReason is not null)
        {
            return;
        }

        _binance = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0, ResponseDelay = TimeSpan.FromMilliseconds(150) });
        _binance.AddSeries("BTCUSDT", FakeMarket.Spot, TestData.BinanceUsBtcUsdt1m());
        var connection = await TestPostgres.CreateDatabaseAsync(nameof(WorkerClusterTests));
        _api = await ServerHarness.StartAsync(o =>
        {
            o.RunJobs = false;
            o.JobStore = JobStoreProvider.Postgres;
            o.JobStoreConnectionString = connection;
            o.ClusterCheckinInterval = TimeSpan.FromSeconds(1);
        });
        _config = Path.Combine(_api.Folder, "worker.json");
        await File.WriteAllTextAsync(_config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Coinlake"] = new Dictionary<string, object>
            {
                ["JobStore"] = "Postgres",
                ["JobStoreConnectionString"] = connection,
                ["DataDirectory"] = _api.Options.DataPath,
                ["ClusterCheckinInterval"] = "00:00:01",
                ["MaxConcurrentJobs"] = 2,
                ["RetryDelay"] = "00:00:01",
            },
        }));
    }

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
            }

            worker.Dispose();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
            await _binance.DisposeAsync();
        }
    }

    /// <summary>Queues job i: BTC/USDT 1m over days [i+1, i+1+days) of March 2023 into data/job{i}.db.</summary>
    private async Task<List<string>> QueueAsync(int count, int days)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var start = new DateTime(2023, 3, 1 + (i % (21 - days)), 0, 0, 0, DateTimeKind.Utc);
            ids.Add(await _api.IngestAsync($$"""
                {"name": "job{{i}}", "exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1m",
                 "start": "{{start:yyyy-MM-dd}}", "end": "{{start.AddDays(days):yyyy-MM-dd}}", "output": "job{{i}}.db",
                 "base_url": "{{_binance.BaseUrl}}"}
                """));
        }

        return ids;
    }

    private async Task<Process> StartWorkerAsync()
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _api.Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(CoinlakeExecutable());
        start.ArgumentList.Add("worker");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(_config);
        var process = Process.Start(start)!;
        _workers.Add(process);
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                output.Enqueue(line);
                if (line.StartsWith("worker ", StringComparison.Ordinal))
                {
                    started.TrySetResult(line);
                }
            }
        };
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var finished = await Task.WhenAny(started.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        finished.ShouldBe(started.Task, $"the worker did not start:\n{string.Join('\n', output)}");
        return process;
    }

    private async Task<List<JsonElement>> WaitForAllAsync(IReadOnlyList<string> ids)
    {
        var jobs = new List<JsonElement>();
        foreach (var id in ids)
        {
            jobs.Add(await _api.WaitForStateAsync(id, "succeeded", "failed", "cancelled"));
        }

        return jobs;
    }

    private async Task AssertCompleteWithoutDuplicatesAsync(int index, int days)
    {
        var start = new DateTimeOffset(2023, 3, 1 + (index % (21 - days)), 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var expected = TestData.BinanceUsBtcUsdt1m().Where(c => c.OpenTime >= start && c.OpenTime < start + days * 86_400_000L).Select(c => c.OpenTime).ToList();
        var reader = new SqliteCandleReader(Path.Combine(_api.Options.DataPath, $"job{index}.db"));
        var times = new List<long>();
        await foreach (var candle in reader.ReadAsync(Series))
        {
            times.Add(candle.OpenTime);
        }

        times.ShouldBe(expected, $"job{index}");
    }

    [PostgresFact]
    public async Task TwoWorkers_ManyQueuedJobs_EachJobRunsExactlyOnce()
    {
        var ids = await QueueAsync(8, days: 2);
        await StartWorkerAsync();
        await StartWorkerAsync();

        var jobs = await WaitForAllAsync(ids);

        jobs.ShouldAllBe(j => j.GetProperty("state").GetString() == "succeeded");
        jobs.ShouldAllBe(j => j.GetProperty("attempts").GetInt32() == 1);
        jobs.Select(j => j.GetProperty("node").GetString()).Distinct().Count().ShouldBe(2, "both workers take jobs");
        for (var i = 0; i < ids.Count; i++)
        {
            await AssertCompleteWithoutDuplicatesAsync(i, days: 2);
        }

        // Every page was fetched once: 2 days of 1m candles = 2,880 candles = 3 pages of 1,000 per job.
        _binance.CountRequests("/api/v3/klines").ShouldBe(8 * 3);
    }

    [PostgresFact]
    public async Task WorkerKilledMidJob_AnotherWorkerRecoversAndEveryJobCompletesWithoutDuplicates()
    {
        var ids = await QueueAsync(4, days: 10);
        var doomed = await StartWorkerAsync();
        var deadline = Environment.TickCount64 + 60_000;
        JsonElement running;
        do
        {
            await Task.Delay(100);
            running = await _api.GetJobAsync(ids[0]);
            Environment.TickCount64.ShouldBeLessThan(deadline, "no job started");
        }
        while (running.GetProperty("progress").GetProperty("done").GetInt64() == 0);

        doomed.Kill(entireProcessTree: true);
        await doomed.WaitForExitAsync();
        await StartWorkerAsync();
        var jobs = await WaitForAllAsync(ids);

        jobs.ShouldAllBe(j => j.GetProperty("state").GetString() == "succeeded", string.Join('\n', jobs));
        jobs.ShouldContain(j => j.GetProperty("attempts").GetInt32() == 2, "a job of the killed worker was recovered");
        for (var i = 0; i < ids.Count; i++)
        {
            await AssertCompleteWithoutDuplicatesAsync(i, days: 10);
        }
    }

    /// <summary>The CLI's own build output (tests/…/bin/CONFIG/net10.0 -> src/Coinlake.Cli/bin/CONFIG/net10.0).</summary>
    private static string CoinlakeExecutable()
    {
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = baseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Coinlake.slnx")))
        {
            root = root.Parent;
        }

        root.ShouldNotBeNull("the repository root (Coinlake.slnx) was not found above the test binaries");
        var dll = Path.Combine(root.FullName, "src", "Coinlake.Cli", "bin", baseDirectory.Parent!.Name, baseDirectory.Name, "coinlake.dll");
        File.Exists(dll).ShouldBeTrue($"{dll} is missing: build src/Coinlake.Cli first");
        return string.Create(CultureInfo.InvariantCulture, $"{dll}");
    }
}
