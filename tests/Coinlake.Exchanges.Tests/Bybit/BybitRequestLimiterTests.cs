using Coinlake.Exchanges.Bybit.Rest;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Exchanges.Tests.Bybit;

public sealed class BybitRequestLimiterTests
{
    [Fact]
    public async Task AcquireAsync_PermitsUsed_WaitsUntilTheOldestLeavesTheWindowPlusGuard()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1));
        var limiter = new BybitRequestLimiter("test", 3, TimeSpan.FromSeconds(5), clock);
        for (var i = 0; i < 3; i++)
        {
            (await WithinAsync(limiter.AcquireAsync())).ShouldBeTrue();
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        var fourth = limiter.AcquireAsync().AsTask();
        clock.Advance(TimeSpan.FromSeconds(2)); // 5 s after the first: not yet (5 % guard)
        fourth.IsCompleted.ShouldBeFalse();
        clock.Advance(TimeSpan.FromMilliseconds(250));

        (await WithinAsync(fourth)).ShouldBeTrue();
    }

    [Fact]
    public async Task AcquireAsync_Paused_WaitsForThePauseToEnd()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1));
        var limiter = new BybitRequestLimiter("test", 600, TimeSpan.FromSeconds(5), clock);
        limiter.PauseUntil(clock.GetUtcNow().AddMinutes(10));

        var request = limiter.AcquireAsync().AsTask();
        clock.Advance(TimeSpan.FromMinutes(9));
        request.IsCompleted.ShouldBeFalse();
        limiter.PausedUntil.ShouldNotBeNull();
        clock.Advance(TimeSpan.FromMinutes(1));

        (await WithinAsync(request)).ShouldBeTrue();
        limiter.PausedUntil.ShouldBeNull();
    }

    private static async Task<bool> WithinAsync(ValueTask task) => await WithinAsync(task.AsTask());

    private static async Task<bool> WithinAsync(Task task) => await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(5))) == task;
}
