using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Exchanges.Bybit.Rest;

/// <summary>
/// The request-count limit of one Bybit host: Bybit counts requests, not weights — "600 requests within a 5-second
/// window per IP" ("Rate Limit Rules" / "HTTP IP limit") — so a <see cref="SlidingWindowRateLimiter"/> of
/// <c>permits</c> per <c>window</c> (5 segments) guards every request, and <see cref="PauseUntil"/> holds every request
/// while a ban (HTTP 403) or an asked-for wait runs. The limiter's segments are advanced by a timer of the injected
/// <see cref="TimeProvider"/> (no auto-replenishment on the wall clock), so tests with fake or accelerated clocks see
/// consistent behaviour. Thread-safe; share one instance per host.
/// </summary>
internal sealed class BybitRequestLimiter : IDisposable
{
    private const int Segments = 5;

    private readonly SlidingWindowRateLimiter _limiter;
    private readonly ITimer _timer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private long _pausedUntil = long.MinValue;

    /// <summary>Creates a limiter.</summary>
    /// <param name="name">Name for logs, e.g. <c>api.bybit.com</c>.</param>
    /// <param name="permits">Requests allowed per <paramref name="window"/>.</param>
    /// <param name="window">Sliding window length.</param>
    /// <param name="timeProvider">Clock and timers.</param>
    /// <param name="logger">Receives a line for every wait.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permits"/> or <paramref name="window"/> is not positive.</exception>
    public BybitRequestLimiter(string name, int permits, TimeSpan window, TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permits);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        Name = name;
        Permits = permits;
        Window = window;
        _time = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        _limiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            SegmentsPerWindow = Segments,
            AutoReplenishment = false,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        var segment = window / Segments;
        _timer = _time.CreateTimer(static s => ((SlidingWindowRateLimiter)s!).TryReplenish(), _limiter, segment, segment);
    }

    /// <summary>Name used in logs.</summary>
    public string Name { get; }

    /// <summary>Requests allowed per <see cref="Window"/>.</summary>
    public int Permits { get; }

    /// <summary>The sliding window.</summary>
    public TimeSpan Window { get; }

    /// <summary>When requests may resume after <see cref="PauseUntil"/>, or null when not paused.</summary>
    public DateTimeOffset? PausedUntil
    {
        get
        {
            lock (_gate)
            {
                return _pausedUntil > Now() ? DateTimeOffset.FromUnixTimeMilliseconds(_pausedUntil) : null;
            }
        }
    }

    /// <summary>Waits while paused, then takes one request permit (waiting for the window to slide when none is left).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public async ValueTask AcquireAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            long wait;
            lock (_gate)
            {
                wait = _pausedUntil - Now();
            }

            if (wait <= 0)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(wait), _time, cancellationToken).ConfigureAwait(false);
        }

        using (var lease = _limiter.AttemptAcquire(1))
        {
            if (lease.IsAcquired)
            {
                return;
            }
        }

        BybitLog.PermitWait(_logger, Name, Permits, Window);
        using var queued = await _limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!queued.IsAcquired)
        {
            throw new InvalidOperationException($"The request limiter of {Name} refused a permit.");
        }
    }

    /// <summary>Holds every request until <paramref name="until"/> (keeps a later pause already set).</summary>
    public void PauseUntil(DateTimeOffset until)
    {
        var ms = until.ToUnixTimeMilliseconds();
        lock (_gate)
        {
            _pausedUntil = Math.Max(_pausedUntil, ms);
        }
    }

    /// <summary>Stops the replenishing timer and fails waiting requests.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        _limiter.Dispose();
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
