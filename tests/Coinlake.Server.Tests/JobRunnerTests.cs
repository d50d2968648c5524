using Coinlake.Exchanges;
using Coinlake.Pipeline.Tasks;
using Coinlake.Server.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Server.Tests;

/// <summary>Outcomes of one job attempt: transient failures are queued for a retry while retries remain; others fail and keep error and logs.</summary>
public sealed class JobRunnerTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "coinlake-runner-tests", Guid.NewGuid().ToString("N"));
    private JobRecordStore _records = null!;
    private JobRunner _runner = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _records = new JobRecordStore(JobStoreProvider.Sqlite, $"Data Source={Path.Combine(_folder, "jobs.db")}");
        await _records.EnsureSchemaAsync();
        _runner = new JobRunner(_records, TimeProvider.System, NullLoggerFactory.Instance);
    }

    public async Task DisposeAsync()
    {
        await _records.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<string> NewJobAsync()
    {
        var id = Guid.NewGuid().ToString("N");
        await _records.InsertAsync(new JobRecord { Id = id, Kind = "ingest", TaskName = "t", Request = "{}", State = JobState.Queued, CreatedAt = 1 });
        return id;
    }

    [Fact]
    public async Task RunAsync_TransientFailureWithRetriesLeft_QueuesTheJobAgainWithItsError()
    {
        var id = await NewJobAsync();

        var outcome = await _runner.RunAsync(id, "node-a", () => throw new IOException("disk hiccup"), retriesLeft: 2);

        outcome.ShouldBe(JobOutcome.RetryLater);
        var job = (await _records.GetAsync(id))!;
        job.State.ShouldBe(JobState.Queued);
        job.Error.ShouldBe("disk hiccup");
        job.Attempts.ShouldBe(1);
        job.Node.ShouldBe("node-a");
    }

    [Fact]
    public async Task RunAsync_TransientFailureWithoutRetriesLeft_FailsAndKeepsErrorAndLogs()
    {
        var id = await NewJobAsync();
        await _runner.RunAsync(id, "n", () => throw new IOException("first"), retriesLeft: 1);

        var outcome = await _runner.RunAsync(id, "n", () => throw new IOException("second"), retriesLeft: 0);

        outcome.ShouldBe(JobOutcome.Failed);
        var job = (await _records.GetAsync(id))!;
        job.State.ShouldBe(JobState.Failed);
        job.Error.ShouldBe("second");
        job.Attempts.ShouldBe(2);
        job.FinishedAt.ShouldNotBeNull();
        var logs = await _records.GetLogsAsync(id, 0, 100);
        logs.ShouldContain(l => l.Level == "error" && l.Message.Contains("second", StringComparison.Ordinal));
        logs.ShouldContain(l => l.Level == "warning" && l.Message.Contains("transient failure", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_PermanentFailure_FailsAtOnceDespiteRetries()
    {
        var id = await NewJobAsync();

        var outcome = await _runner.RunAsync(id, "n", () => throw new ArgumentException("bad task"), retriesLeft: 3);

        outcome.ShouldBe(JobOutcome.Failed);
        (await _records.GetAsync(id))!.State.ShouldBe(JobState.Failed);
    }

    [Fact]
    public async Task RunAsync_CancelledBeforeStart_Skips()
    {
        var id = await NewJobAsync();
        await _records.RequestCancelAsync(id);
        var loaded = false;

        var outcome = await _runner.RunAsync(id, "n", () => { loaded = true; throw new InvalidOperationException(); }, retriesLeft: 0);

        outcome.ShouldBe(JobOutcome.Skipped);
        loaded.ShouldBeFalse();
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void IsTransient_ExchangeException_FollowsItsFlag(bool flag, bool expected) =>
        JobRunner.IsTransient(new ExchangeException("binance", "x", isTransient: flag)).ShouldBe(expected);

    [Fact]
    public void IsTransient_NetworkAndBusyDatabase_AreTransient()
    {
        JobRunner.IsTransient(new HttpRequestException("reset")).ShouldBeTrue();
        JobRunner.IsTransient(new Microsoft.Data.Sqlite.SqliteException("busy", 5)).ShouldBeTrue();
        JobRunner.IsTransient(new UnknownSymbolException("binance", "X/Y", [])).ShouldBeFalse();
        JobRunner.IsTransient(new TaskFileException(new TaskFileError(SourceLocation.None, "bad"))).ShouldBeFalse();
    }

    [Fact]
    public async Task Enqueue_Trigger_CarriesTheExponentialRetryPolicy()
    {
        await using var server = await ServerHarness.StartAsync(o => { o.RunJobs = false; o.MaxRetries = 4; o.RetryDelay = TimeSpan.FromSeconds(3); });
        var id = await server.IngestAsync("""{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1h", "start": "2024-01-01", "end": "2024-01-02"}""");
        var scheduler = await server.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();

        var trigger = (await scheduler.GetTrigger(new Quartz.TriggerKey(id, CoinlakeJob.IngestGroup)))!;
        var detail = (await scheduler.GetJobDetail(new Quartz.JobKey(id, CoinlakeJob.IngestGroup)))!;

        trigger.RetryPolicy.ShouldBe(Quartz.RetryPolicy.Exponential(4, TimeSpan.FromSeconds(3), 2, TimeSpan.FromMinutes(10)));
        detail.RequestsRecovery.ShouldBeTrue();
        detail.ConcurrentExecutionDisallowed.ShouldBeTrue();
    }
}

/// <summary>Job records of scheduled tasks: a retry or recovery continues the unfinished record.</summary>
public sealed class JobRecordStoreTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "coinlake-records-tests", Guid.NewGuid().ToString("N"));
    private JobRecordStore _records = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _records = new JobRecordStore(JobStoreProvider.Sqlite, $"Data Source={Path.Combine(_folder, "jobs.db")}");
        await _records.EnsureSchemaAsync();
    }

    public async Task DisposeAsync()
    {
        await _records.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private Task AddAsync(string id, JobState state, long created, string task = "daily") =>
        _records.InsertAsync(new JobRecord { Id = id, Kind = "schedule", TaskName = task, Request = "/t.yaml", State = state, CreatedAt = created });

    [Fact]
    public async Task FindOpenScheduled_UnfinishedRun_ReturnsTheNewestOne()
    {
        await AddAsync("old", JobState.Succeeded, 1);
        await AddAsync("open", JobState.Running, 2);
        await AddAsync("other", JobState.Queued, 3, task: "hourly");

        (await _records.FindOpenScheduledAsync("daily", 10))!.Id.ShouldBe("open");
    }

    [Fact]
    public async Task FindOpenScheduled_OnlyFinishedRuns_ReturnsNull()
    {
        await AddAsync("old", JobState.Failed, 1);

        (await _records.FindOpenScheduledAsync("daily", 10)).ShouldBeNull();
    }

    [Fact]
    public async Task FindOpenScheduled_RunFlaggedForCancel_IsMarkedCancelledAndNotContinued()
    {
        await AddAsync("flagged", JobState.Running, 1);
        await _records.RequestCancelAsync("flagged");

        (await _records.FindOpenScheduledAsync("daily", 10)).ShouldBeNull();
        (await _records.GetAsync("flagged"))!.State.ShouldBe(JobState.Cancelled);
    }
}
