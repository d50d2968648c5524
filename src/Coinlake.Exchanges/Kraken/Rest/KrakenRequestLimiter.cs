using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;

namespace Coinlake.Exchanges.Kraken.Rest;

/// <summary>
/// Request-count limit for Kraken's public endpoints: a <see cref="TokenBucketRateLimiter"/> of
/// <c>burst</c> tokens, one added every <c>interval</c> by a timer of the injected <see cref="TimeProvider"/> (so tests
/// with an accelerated or fake clock see real behaviour), plus a pause every request honours after a rate-limit answer.
/// Waiters are served in arrival order. Thread-safe.
/// </summary>
internal sealed class KrakenRequestLimiter : IDisposable
{
    private readonly TokenBucketRateLimiter _bucket;
    private readonly ITimer _replenish;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _name;
    private long _pausedUntil = long.MinValue;

    public KrakenRequestLimiter(string name, TimeSpan interval, int burst, TimeProvider time, ILogger logger)
    {
        _name = name;
        _time = time;
        _logger = logger;
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = 1,
            // Replenished only by the TimeProvider timer below. The limiter also refuses a manual replenishment sooner
            // than ReplenishmentPeriod after the last one, measured on the real Stopwatch; the shortest period keeps
            // that real-time gate out of the way, so the injected clock alone sets the pace.
            ReplenishmentPeriod = TimeSpan.FromTicks(1),
            AutoReplenishment = false,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _replenish = time.CreateTimer(static state => ((TokenBucketRateLimiter)state!).TryReplenish(), _bucket, interval, interval);
    }

    /// <summary>When requests may resume after <see cref="PauseUntil"/>, or null when not paused.</summary>
    public DateTimeOffset? PausedUntil
    {
        get
        {
            var until = Interlocked.Read(ref _pausedUntil);
            return until > _time.GetUtcNow().ToUnixTimeMilliseconds() ? DateTimeOffset.FromUnixTimeMilliseconds(until) : null;
        }
    }

    /// <summary>Waits out a pause, then takes one token (waiting for the next one when the bucket is empty).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var paused = Interlocked.Read(ref _pausedUntil);
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (paused <= now)
            {
                break;
            }

            var wait = paused - now;

            KrakenLog.PausedWait(_logger, _name, TimeSpan.FromMilliseconds(wait));
            await Task.Delay(TimeSpan.FromMilliseconds(wait), _time, cancellationToken).ConfigureAwait(false);
        }

        using var lease = await _bucket.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            throw new InvalidOperationException($"The request limiter of {_name} refused a token (queue full).");
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

    public void Dispose()
    {
        _replenish.Dispose();
        _bucket.Dispose();
    }
}
