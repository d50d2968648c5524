using Coinlake.Exchanges.Http;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Exchanges.Tests.Http;

public sealed class WeightLimiterTests
{
    // 2023-03-01T00:00:10Z: ten seconds into a minute window.
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1677628810000);

    private readonly FakeTimeProvider _time = new(Start);

    private WeightLimiter Create(int limit = 10, TimeSpan? guard = null) => new("test", limit, _time, windowGuard: guard ?? TimeSpan.Zero);

    [Fact]
    public async Task AcquireAsync_WithinBudget_CompletesAtOnceAndCounts()
    {
        var limiter = Create();

        for (var i = 0; i < 5; i++)
        {
            var task = limiter.AcquireAsync(2);
            task.IsCompleted.ShouldBeTrue();
            await task;
        }

        limiter.Used.ShouldBe(10);
    }

    [Fact]
    public async Task AcquireAsync_BudgetUsed_WaitsUntilNextMinuteWindow()
    {
        var limiter = Create();
        await limiter.AcquireAsync(10);

        var waiting = limiter.AcquireAsync(2).AsTask();
        _time.Advance(TimeSpan.FromSeconds(49));
        waiting.IsCompleted.ShouldBeFalse(); // 00:00:59: still the first window
        _time.Advance(TimeSpan.FromSeconds(1));
        var lease = await waiting; // 00:01:00

        lease.WindowStart.ShouldBe(1677628860000);
        limiter.Used.ShouldBe(2);
    }

    [Fact]
    public async Task AcquireAsync_WithGuard_WaitsGuardPastTheWindow()
    {
        var limiter = Create(guard: TimeSpan.FromSeconds(1));
        await limiter.AcquireAsync(10);

        var waiting = limiter.AcquireAsync(1).AsTask();
        _time.Advance(TimeSpan.FromSeconds(50));
        waiting.IsCompleted.ShouldBeFalse();
        _time.Advance(TimeSpan.FromSeconds(1));
        await waiting;
    }

    [Fact]
    public void AcquireAsync_WeightAboveLimit_ThrowsInsteadOfWaitingForever()
    {
        var ex = Should.Throw<ArgumentOutOfRangeException>(async () => await Create(limit: 10).AcquireAsync(20));

        ex.Message.ShouldContain("never fit");
    }

    [Fact]
    public async Task AcquireAsync_Cancelled_StopsWaiting()
    {
        var limiter = Create();
        await limiter.AcquireAsync(10);
        using var cts = new CancellationTokenSource();

        var waiting = limiter.AcquireAsync(1, cts.Token).AsTask();
        await cts.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(waiting);
    }

    [Fact]
    public async Task OnResponse_ExchangeReportsMore_RaisesUsedToTheReport()
    {
        var limiter = Create();
        var lease = await limiter.AcquireAsync(2);

        limiter.OnResponse(lease, 9); // another process on the same IP used weight too

        limiter.Used.ShouldBe(9);
        var waiting = limiter.AcquireAsync(2).AsTask();
        waiting.IsCompleted.ShouldBeFalse();
        _time.Advance(TimeSpan.FromSeconds(50));
        await waiting;
    }

    [Fact]
    public async Task OnResponse_ExchangeReportsLess_KeepsOurReservations()
    {
        var limiter = Create();
        var lease = await limiter.AcquireAsync(2);
        await limiter.AcquireAsync(2);

        limiter.OnResponse(lease, 2); // the second request was not counted yet when this answer left

        limiter.Used.ShouldBe(4);
    }

    [Fact]
    public async Task OnResponse_LeaseOfPreviousWindow_IsIgnored()
    {
        var limiter = Create();
        var lease = await limiter.AcquireAsync(2);
        _time.Advance(TimeSpan.FromMinutes(1));
        await limiter.AcquireAsync(1);

        limiter.OnResponse(lease, 10); // a late answer about the old window

        limiter.Used.ShouldBe(1);
    }

    [Fact]
    public async Task OnResponse_NoHeader_ChangesNothing()
    {
        var limiter = Create();
        var lease = await limiter.AcquireAsync(3);

        limiter.OnResponse(lease, null);

        limiter.Used.ShouldBe(3);
    }

    [Fact]
    public async Task PauseUntil_HoldsEveryRequestUntilTheInstant()
    {
        var limiter = Create();
        limiter.PauseUntil(Start.AddSeconds(5));

        var waiting = limiter.AcquireAsync(1).AsTask();
        _time.Advance(TimeSpan.FromSeconds(4));
        waiting.IsCompleted.ShouldBeFalse();
        limiter.PausedUntil.ShouldBe(Start.AddSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(1));
        await waiting;

        limiter.PausedUntil.ShouldBeNull();
    }

    [Fact]
    public void PauseUntil_EarlierInstant_KeepsTheLaterPause()
    {
        var limiter = Create();
        limiter.PauseUntil(Start.AddSeconds(30));
        limiter.PauseUntil(Start.AddSeconds(5));

        limiter.PausedUntil.ShouldBe(Start.AddSeconds(30));
    }

    [Fact]
    public async Task MarkExhausted_NextRequestWaitsForNextWindow()
    {
        var limiter = Create();
        limiter.MarkExhausted();

        var waiting = limiter.AcquireAsync(1).AsTask();
        waiting.IsCompleted.ShouldBeFalse();
        _time.Advance(TimeSpan.FromSeconds(50));
        await waiting;
    }

    [Fact]
    public void LowerLimit_OnlyLowers()
    {
        var limiter = Create(limit: 6000);

        limiter.LowerLimit(1200);
        limiter.LowerLimit(9000);

        limiter.Limit.ShouldBe(1200);
    }

    [Fact]
    public async Task AcquireAsync_ManyConcurrentCallers_NeverExceedLimitPerWindow()
    {
        var limiter = Create(limit: 10);
        var tasks = Enumerable.Range(0, 25).Select(_ => limiter.AcquireAsync(2).AsTask()).ToList();

        tasks.Count(t => t.IsCompletedSuccessfully).ShouldBe(5);
        _time.Advance(TimeSpan.FromSeconds(50));
        await Task.WhenAll(tasks.Take(5));
        for (var minute = 1; minute <= 4; minute++)
        {
            await WaitForCompletedAsync(tasks, 5 * (minute + 1));
            tasks.Count(t => t.IsCompletedSuccessfully).ShouldBe(5 * (minute + 1));
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        await Task.WhenAll(tasks);
        tasks.Select(t => t.Result.WindowStart).GroupBy(w => w).ShouldAllBe(g => g.Count() == 5);
    }

    private static async Task WaitForCompletedAsync(List<Task<WeightLease>> tasks, int count)
    {
        // Woken waiters resume on the thread pool; let them take their slots (no time passes on the fake clock).
        for (var i = 0; i < 1000 && tasks.Count(t => t.IsCompleted) < count; i++)
        {
            await Task.Delay(1);
        }
    }
}
