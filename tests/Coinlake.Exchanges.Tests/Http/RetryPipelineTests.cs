using Coinlake.Exchanges.Http;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Exchanges.Tests.Http;

public sealed class RetryPipelineTests
{
    private static ExchangeException Transient() => new("binance", "503", httpStatus: 503, isTransient: true);

    [Fact]
    public async Task Execute_TransientFailuresThenSuccess_Retries()
    {
        var retries = new List<int>();
        var pipeline = RetryPipeline.Create(5, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeProvider.System,
            (_, attempt, _) => retries.Add(attempt));
        var calls = 0;

        var result = await pipeline.ExecuteAsync(_ => ++calls < 3 ? throw Transient() : ValueTask.FromResult(calls));

        result.ShouldBe(3);
        retries.ShouldBe([0, 1]);
    }

    [Fact]
    public async Task Execute_NonTransientFailure_FailsAtOnce()
    {
        var pipeline = RetryPipeline.Create(5, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeProvider.System);
        var calls = 0;

        await Should.ThrowAsync<ExchangeException>(async () =>
            await pipeline.ExecuteAsync<int>(_ =>
            {
                calls++;
                throw new ExchangeException("binance", "bad symbol", "-1121", httpStatus: 400);
            }));

        calls.ShouldBe(1);
    }

    [Fact]
    public async Task Execute_MalformedResponse_IsNotRetried()
    {
        var pipeline = RetryPipeline.Create(5, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeProvider.System);
        var calls = 0;

        await Should.ThrowAsync<MalformedResponseException>(async () =>
            await pipeline.ExecuteAsync<int>(_ =>
            {
                calls++;
                throw new MalformedResponseException("binance", new Uri("https://api.binance.com/api/v3/klines"), "truncated");
            }));

        calls.ShouldBe(1);
    }

    [Fact]
    public async Task Execute_AlwaysTransient_GivesUpAfterMaxRetries()
    {
        var pipeline = RetryPipeline.Create(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeProvider.System);
        var calls = 0;

        await Should.ThrowAsync<ExchangeException>(async () => await pipeline.ExecuteAsync<int>(_ =>
        {
            calls++;
            throw Transient();
        }));

        calls.ShouldBe(4);
    }

    [Fact]
    public async Task Execute_RateLimitedWithRetryAfter_WaitsExactlyRetryAfter()
    {
        var time = new FakeTimeProvider();
        var delays = new List<TimeSpan>();
        var pipeline = RetryPipeline.Create(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), time, (_, _, d) => delays.Add(d));
        var calls = 0;

        var run = pipeline.ExecuteAsync(_ => ++calls == 1
            ? throw new RateLimitedException("binance", "429", TimeSpan.FromSeconds(7), 429, null)
            : ValueTask.FromResult(calls)).AsTask();
        time.Advance(TimeSpan.FromSeconds(6));
        run.IsCompleted.ShouldBeFalse();
        time.Advance(TimeSpan.FromSeconds(1));

        (await run).ShouldBe(2);
        delays.ShouldBe([TimeSpan.FromSeconds(7)]); // not capped by the 2 ms backoff maximum
    }

    [Fact]
    public async Task Execute_BackoffDelays_GrowAndStayUnderCap()
    {
        var delays = new List<TimeSpan>();
        var pipeline = RetryPipeline.Create(6, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(8), TimeProvider.System, (_, _, d) => delays.Add(d));

        await Should.ThrowAsync<ExchangeException>(async () => await pipeline.ExecuteAsync<int>(_ => throw Transient()));

        delays.Count.ShouldBe(6);
        delays.ShouldAllBe(d => d > TimeSpan.Zero && d <= TimeSpan.FromMilliseconds(8));
    }

    [Fact]
    public async Task Execute_ZeroRetries_RunsOnce()
    {
        var pipeline = RetryPipeline.Create(0, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeProvider.System);
        var calls = 0;

        await Should.ThrowAsync<ExchangeException>(async () => await pipeline.ExecuteAsync<int>(_ =>
        {
            calls++;
            throw Transient();
        }));

        calls.ShouldBe(1);
    }
}
