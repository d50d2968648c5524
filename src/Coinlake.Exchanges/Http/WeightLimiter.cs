using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Exchanges.Http;

/// <summary>
/// A request-weight budget per fixed one-minute window for one API host, as exchanges with weighted IP limits
/// count it (Binance spot API, "LIMITS" / "IP Limits": each route has a weight, the <c>REQUEST_WEIGHT</c> limit is
/// per minute, and every answer carries the weight used so far in <c>X-MBX-USED-WEIGHT-1M</c>).
/// </summary>
/// <remarks>
/// <para>
/// A caller reserves the weight of a request with <see cref="AcquireAsync"/> before sending it. When the budget of the
/// current minute (windows start at whole UTC minutes) is used up, the call waits until the next window opens, plus
/// a small guard that absorbs clock skew and requests still in flight at the boundary, so a long backfill runs at
/// close to the ceiling without being answered 429.
/// </para>
/// <para>
/// <see cref="OnResponse"/> re-synchronises the estimate with the weight the exchange reports (which also counts other
/// processes sharing the IP); a report about a request reserved in an earlier window is ignored, because the
/// exchange's window has moved on. <see cref="PauseUntil"/> stops every request to the host, e.g. while a
/// <c>Retry-After</c> of a 429/418 answer runs. All waits use the injected <see cref="TimeProvider"/>.
/// </para>
/// Thread-safe: one instance is shared by every client that talks to the same host.
/// </remarks>
public sealed class WeightLimiter
{
    private const long WindowMs = 60_000;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _guardMs;
    private long _windowStart = long.MinValue;
    private int _used;
    private int _limit;
    private long _pausedUntil = long.MinValue;

    /// <summary>Creates a limiter.</summary>
    /// <param name="name">Name for logs, e.g. <c>api.binance.com spot</c>.</param>
    /// <param name="limitPerMinute">Request weight allowed per minute (Binance spot 6000, USDⓈ-M futures 2400).</param>
    /// <param name="timeProvider">Clock and timers; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives a line for every wait.</param>
    /// <param name="windowGuard">Extra wait after a window ends before the next one is used (default 1 s; zero allowed).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limitPerMinute"/> is not positive or <paramref name="windowGuard"/> is negative.</exception>
    public WeightLimiter(string name, int limitPerMinute, TimeProvider? timeProvider = null, ILogger? logger = null, TimeSpan? windowGuard = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limitPerMinute);
        var guard = windowGuard ?? TimeSpan.FromSeconds(1);
        ArgumentOutOfRangeException.ThrowIfLessThan(guard, TimeSpan.Zero, nameof(windowGuard));
        Name = name;
        _limit = limitPerMinute;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _guardMs = (long)guard.TotalMilliseconds;
    }

    /// <summary>Name used in logs.</summary>
    public string Name { get; }

    /// <summary>Request weight allowed per minute.</summary>
    public int Limit
    {
        get
        {
            lock (_gate)
            {
                return _limit;
            }
        }
    }

    /// <summary>Weight counted in the current minute window (reserved by us or reported by the exchange, whichever is higher).</summary>
    public int Used
    {
        get
        {
            lock (_gate)
            {
                Roll(Now());
                return _used;
            }
        }
    }

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

    /// <summary>
    /// Lowers the limit to what the exchange advertises (e.g. the <c>REQUEST_WEIGHT</c> entry of
    /// <c>exchangeInfo.rateLimits</c>) when that is below the configured one; never raises it.
    /// </summary>
    public void LowerLimit(int limitPerMinute)
    {
        if (limitPerMinute <= 0)
        {
            return;
        }

        lock (_gate)
        {
            _limit = Math.Min(_limit, limitPerMinute);
        }
    }

    /// <summary>
    /// Reserves <paramref name="weight"/> in the current minute window, waiting while requests are paused or the
    /// window's budget is used. Returns the lease to hand to <see cref="OnResponse"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is not positive or exceeds the limit (it could never be sent).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public async ValueTask<WeightLease> AcquireAsync(int weight, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weight);
        while (true)
        {
            TimeSpan wait;
            bool paused;
            int used;
            int limit;
            lock (_gate)
            {
                if (weight > _limit)
                {
                    throw new ArgumentOutOfRangeException(nameof(weight), weight,
                        $"A request of weight {weight} can never fit the limit of {_limit} per minute of {Name}; raise the limit.");
                }

                var now = Now();
                if (now < _pausedUntil)
                {
                    paused = true;
                    wait = TimeSpan.FromMilliseconds(_pausedUntil - now);
                }
                else
                {
                    Roll(now);
                    if (_used + weight <= _limit)
                    {
                        _used += weight;
                        return new WeightLease(_windowStart, weight);
                    }

                    paused = false;
                    wait = TimeSpan.FromMilliseconds(_windowStart + WindowMs + _guardMs - now);
                }

                used = _used;
                limit = _limit;
            }

            if (paused)
            {
                HttpLog.PausedWait(_logger, Name, wait);
            }
            else
            {
                HttpLog.BudgetWait(_logger, Name, used, limit, wait);
            }

            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Re-synchronises with the weight the exchange reported for the window of <paramref name="lease"/>
    /// (<c>X-MBX-USED-WEIGHT-1M</c>): the estimate becomes the higher of ours and the exchange's. Ignored when the
    /// lease belongs to an earlier window or no value was reported.
    /// </summary>
    public void OnResponse(WeightLease lease, int? reportedUsedWeight)
    {
        if (reportedUsedWeight is not { } reported)
        {
            return;
        }

        lock (_gate)
        {
            Roll(Now());
            if (lease.WindowStart == _windowStart && reported > _used)
            {
                _used = reported;
            }
        }
    }

    /// <summary>Marks the current window's budget as used (a 429 answer without a <c>Retry-After</c>): requests resume in the next window.</summary>
    public void MarkExhausted()
    {
        lock (_gate)
        {
            Roll(Now());
            _used = Math.Max(_used, _limit);
        }
    }

    /// <summary>Holds every request to the host until <paramref name="until"/> (keeps a later pause already set).</summary>
    public void PauseUntil(DateTimeOffset until)
    {
        var ms = until.ToUnixTimeMilliseconds();
        lock (_gate)
        {
            _pausedUntil = Math.Max(_pausedUntil, ms);
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Roll(long now)
    {
        var window = now - (((now % WindowMs) + WindowMs) % WindowMs);
        if (window != _windowStart)
        {
            _windowStart = window;
            _used = 0;
        }
    }
}

/// <summary>A reservation made by <see cref="WeightLimiter.AcquireAsync"/>.</summary>
/// <param name="WindowStart">Start of the minute window the weight was counted in, ms UTC.</param>
/// <param name="Weight">The weight reserved.</param>
public readonly record struct WeightLease(long WindowStart, int Weight);
