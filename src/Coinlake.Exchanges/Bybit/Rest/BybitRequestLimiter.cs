using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Exchanges.Bybit.Rest;

/// <summary>
/// The request-count limit of one Bybit host. Bybit counts requests, not weights — "600 requests within a 5-second
/// window per IP" ("Rate Limit Rules" / "HTTP IP limit") — so this is a sliding log: it remembers when each of the last
/// <c>permits</c> requests was sent and lets a request go only when the one <c>permits</c> places earlier is more than
/// <c>window</c> + a 5 % jitter guard old. That bounds the requests of ANY interval of length <c>window</c> by
/// <c>permits</c>, however the venue aligns its windows, and the guard absorbs network jitter between send and arrival.
/// <see cref="PauseUntil"/> holds every request while a ban (HTTP 403) or an asked-for wait runs. All time comes from the
/// injected <see cref="TimeProvider"/> (System.Threading.RateLimiting's window limiters gate replenishment on
/// <c>Stopwatch</c>, which fake and accelerated clocks cannot drive). Thread-safe; share one instance per host.
/// </summary>
internal sealed class BybitRequestLimiter : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Queue<long> _sent;
    private readonly long _spanMs;
    private long _pausedUntil = long.MinValue;

    /// <summary>Creates a limiter.</summary>
    /// <param name="name">Name for logs, e.g. <c>api.bybit.com</c>.</param>
    /// <param name="permits">Requests allowed per <paramref name="window"/>.</param>
    /// <param name="window">Window length (Bybit: 5 s).</param>
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
        _sent = new Queue<long>(permits);
        _spanMs = (long)Math.Ceiling(window.TotalMilliseconds * 1.05);
    }

    /// <summary>Name used in logs.</summary>
    public string Name { get; }

    /// <summary>Requests allowed per <see cref="Window"/>.</summary>
    public int Permits { get; }

    /// <summary>The window.</summary>
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

    /// <summary>Waits while paused or while <see cref="Permits"/> requests were sent in the last window, then counts one request.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public async ValueTask AcquireAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            long wait;
            bool paused;
            lock (_gate)
            {
                var now = Now();
                paused = _pausedUntil > now;
                if (paused)
                {
                    wait = _pausedUntil - now;
                }
                else
                {
                    while (_sent.Count > 0 && _sent.Peek() + _spanMs <= now)
                    {
                        _sent.Dequeue();
                    }

                    if (_sent.Count < Permits)
                    {
                        _sent.Enqueue(now);
                        return;
                    }

                    wait = _sent.Peek() + _spanMs - now;
                }
            }

            if (!paused)
            {
                BybitLog.PermitWait(_logger, Name, Permits, Window);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, wait)), _time, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Nothing to release (no timers); kept so owners can dispose limiters uniformly.</summary>
    public void Dispose()
    {
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
