using System.Threading.RateLimiting;

namespace Coinlake.Exchanges.Coinbase;

/// <summary>
/// The client side of Coinbase's public request limit ("Rate Limits" / "Public Endpoints": 10 requests per second per
/// IP, bursts up to 15; the venue counts with a token bucket). A <see cref="TokenBucketRateLimiter"/> from
/// System.Threading.RateLimiting holds the tokens; it is replenished by a timer of the injected
/// <see cref="TimeProvider"/> (one token every <c>1/rate</c> s), so tests with a fast or fake clock see a consistent
/// limiter. <see cref="PauseUntil"/> holds every request after a 429. Thread-safe; share one instance per IP and host.
/// </summary>
internal sealed class CoinbaseRateLimiter : IDisposable
{
    private readonly TokenBucketRateLimiter _bucket;
    private readonly ITimer _refill;
    private readonly TimeProvider _time;
    private long _pausedUntil;

    /// <summary>Creates a limiter.</summary>
    /// <param name="requestsPerSecond">Sustained rate (tokens per second).</param>
    /// <param name="burst">Bucket size.</param>
    /// <param name="timeProvider">Clock and timers.</param>
    public CoinbaseRateLimiter(int requestsPerSecond, int burst, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _time = timeProvider;
        var period = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / requestsPerSecond);
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = period,
            AutoReplenishment = false,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _refill = timeProvider.CreateTimer(static state => ((TokenBucketRateLimiter)state!).TryReplenish(), _bucket, period, period);
        RequestsPerSecond = requestsPerSecond;
        Burst = burst;
    }

    /// <summary>Sustained rate, requests per second.</summary>
    public int RequestsPerSecond { get; }

    /// <summary>Bucket size.</summary>
    public int Burst { get; }

    /// <summary>Tokens available now (for tests and diagnostics).</summary>
    public long AvailableTokens => _bucket.GetStatistics()?.CurrentAvailablePermits ?? 0;

    /// <summary>When requests may resume after <see cref="PauseUntil"/>, or null when not paused.</summary>
    public DateTimeOffset? PausedUntil
    {
        get
        {
            var until = Interlocked.Read(ref _pausedUntil);
            return until > _time.GetUtcNow().ToUnixTimeMilliseconds() ? DateTimeOffset.FromUnixTimeMilliseconds(until) : null;
        }
    }

    /// <summary>Waits out a pause, then takes one token (queueing, oldest first, while the bucket is empty).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var wait = Interlocked.Read(ref _pausedUntil) - _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (wait <= 0)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(wait), _time, cancellationToken).ConfigureAwait(false);
        }

        using var lease = await _bucket.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            throw new InvalidOperationException("The Coinbase request limiter refused a token although its queue is unbounded.");
        }
    }

    /// <summary>Holds every request until <paramref name="until"/> (a later pause already set is kept).</summary>
    public void PauseUntil(DateTimeOffset until)
    {
        var ms = until.ToUnixTimeMilliseconds();
        long current;
        do
        {
            current = Interlocked.Read(ref _pausedUntil);
            if (current >= ms)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _pausedUntil, ms, current) != current);
    }

    /// <summary>Stops the refill timer and releases queued requests (they fail).</summary>
    public void Dispose()
    {
        _refill.Dispose();
        _bucket.Dispose();
    }
}
