using Coinlake.Exchanges.Kraken.Rest;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Exchanges.Tests.Kraken;

public sealed class KrakenRequestLimiterTests
{
    [Fact]
    public async Task AcquireAsync_BucketEmpty_WaitsForTheInjectedClockNotRealTime()
    {
        var time = new FakeTimeProvider();
        using var limiter = new KrakenRequestLimiter("test", TimeSpan.FromSeconds(1), burst: 1, time, NullLogger.Instance);

        await limiter.AcquireAsync(CancellationToken.None); // the one token of the burst
        var second = limiter.AcquireAsync(CancellationToken.None).AsTask();
        await Task.Delay(50);
        second.IsCompleted.ShouldBeFalse();

        time.Advance(TimeSpan.FromSeconds(1));
        await second.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AcquireAsync_Paused_WaitsUntilThePauseEnds()
    {
        var time = new FakeTimeProvider();
        using var limiter = new KrakenRequestLimiter("test", TimeSpan.FromSeconds(1), burst: 5, time, NullLogger.Instance);
        limiter.PauseUntil(time.GetUtcNow().AddSeconds(5));
        limiter.PausedUntil.ShouldBe(time.GetUtcNow().AddSeconds(5));

        var acquire = limiter.AcquireAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(50);
        acquire.IsCompleted.ShouldBeFalse();

        time.Advance(TimeSpan.FromSeconds(1));
        await acquire.WaitAsync(TimeSpan.FromSeconds(10));
        limiter.PausedUntil.ShouldBeNull();
    }
}
