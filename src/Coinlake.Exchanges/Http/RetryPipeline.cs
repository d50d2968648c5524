using Polly;
using Polly.Retry;

namespace Coinlake.Exchanges.Http;

/// <summary>
/// Builds the Polly retry pipeline connectors share: retries an <see cref="ExchangeException"/> whose
/// <see cref="ExchangeException.IsTransient"/> is true (rate limits, 5xx, timeouts, resets) with exponential backoff
/// and jitter, and waits exactly the <see cref="RateLimitedException.RetryAfter"/> an exchange asked for instead when
/// it gave one. Everything else (non-transient errors, malformed bodies, cancellation) fails at once.
/// </summary>
public static class RetryPipeline
{
    /// <summary>Creates the pipeline.</summary>
    /// <param name="maxRetries">Retries after the first attempt; 0 disables retrying.</param>
    /// <param name="baseDelay">Delay before the first retry; doubles each retry (with jitter).</param>
    /// <param name="maxDelay">Cap of the backoff delay (a <c>Retry-After</c> is not capped: the exchange decides).</param>
    /// <param name="timeProvider">Clock for the delays.</param>
    /// <param name="onRetry">Called before each retry with the failure, the zero-based attempt number and the delay.</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative count or a non-positive delay.</exception>
    public static ResiliencePipeline Create(int maxRetries, TimeSpan baseDelay, TimeSpan maxDelay, TimeProvider timeProvider,
        Action<Exception, int, TimeSpan>? onRetry = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(baseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, baseDelay);
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (maxRetries == 0)
        {
            return builder.Build();
        }

        return builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = maxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = baseDelay,
            MaxDelay = maxDelay,
            ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome.Exception)),
            DelayGenerator = static args => ValueTask.FromResult(
                args.Outcome.Exception is RateLimitedException { RetryAfter: { } retryAfter } ? (TimeSpan?)retryAfter : null),
            OnRetry = args =>
            {
                onRetry?.Invoke(args.Outcome.Exception!, args.AttemptNumber, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    /// <summary>True for failures worth retrying: an <see cref="ExchangeException"/> marked transient.</summary>
    public static bool IsTransient(Exception? exception) => exception is ExchangeException { IsTransient: true };
}
