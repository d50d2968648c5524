using System.Threading.RateLimiting;

namespace Coinlake.Exchanges.Okx.Rest;

/// <summary>
/// One request-count limiter per OKX endpoint (documented limits are "N requests per 2 seconds", rule IP, counted per
/// endpoint), built on <see cref="SlidingWindowRateLimiter"/>s whose segments are advanced by a timer of the injected
/// <see cref="TimeProvider"/> (so tests can run the clock fast).
/// </summary>
/// <remarks>
/// OKX does not say where its windows start. A sliding window of S segments alone would allow N plus one segment's
/// worth in some 2-second span; here the window spans S + 1 segments of <c>window / S</c> each, so any 2-second span
/// (which touches at most S + 1 segments) holds at most N requests whatever the venue's window phase: the client is
/// never answered 429 in normal runs, at ~91 % (S = 10) of the documented throughput. Requests wait in FIFO order.
/// </remarks>
internal sealed class OkxRateLimiters : IDisposable
{
    private const int Segments = 10;

    private readonly Dictionary<OkxEndpoint, SlidingWindowRateLimiter> _limiters = [];
    private readonly ITimer _timer;

    /// <summary>Creates the limiters.</summary>
    /// <param name="window">The documented window (2 s).</param>
    /// <param name="share">Share of each documented limit to use, (0, 1].</param>
    /// <param name="time">Clock whose timer advances the windows.</param>
    public OkxRateLimiters(TimeSpan window, double share, TimeProvider time)
    {
        var segment = TimeSpan.FromTicks(Math.Max(1, window.Ticks / Segments));
        foreach (var endpoint in OkxEndpoints.All)
        {
            var limit = Math.Max(1, (int)Math.Floor(endpoint.RequestsPerWindow() * share));
            _limiters[endpoint] = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
            {
                PermitLimit = limit,
                // Segments move only when our timer (on the injected clock) says so: the limiter's own check of real
                // elapsed time against Window / SegmentsPerWindow is made to always pass with a one-tick period.
                Window = TimeSpan.FromTicks(Segments + 1),
                SegmentsPerWindow = Segments + 1,
                AutoReplenishment = false,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }

        _timer = time.CreateTimer(static state => ((OkxRateLimiters)state!).Replenish(), this, segment, segment);
    }

    /// <summary>Permits of <paramref name="endpoint"/> available right now (for tests and diagnostics).</summary>
    public long AvailablePermits(OkxEndpoint endpoint) => _limiters[endpoint].GetStatistics()?.CurrentAvailablePermits ?? 0;

    /// <summary>Waits for a permit of <paramref name="endpoint"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public async ValueTask AcquireAsync(OkxEndpoint endpoint, CancellationToken cancellationToken)
    {
        using var lease = await _limiters[endpoint].AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            throw new InvalidOperationException($"The {endpoint.Path()} rate limiter refused a permit (queue full).");
        }
    }

    /// <summary>Stops the timer and the limiters (waiting requests fail).</summary>
    public void Dispose()
    {
        _timer.Dispose();
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }

    private void Replenish()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.TryReplenish();
        }
    }
}
