namespace Coinlake.Testing.Binance;

/// <summary>Outcome of charging a request to the <see cref="WeightLimiter"/>.</summary>
internal enum LimitDecision
{
    Allowed,
    TooManyRequests,
    Banned,
}

/// <summary>
/// Binance's IP request-weight limiter (spot API "LIMITS / IP Limits"): a fixed window aligned on epoch multiples of
/// <see cref="FakeBinanceOptions.WeightWindow"/>; past the limit 429 with <c>Retry-After</c> = seconds until the window
/// frees; after <see cref="FakeBinanceOptions.BanAfterConsecutive429"/> consecutive 429s a ban: 418 with
/// <c>Retry-After</c> = seconds until the ban ends. Rejected requests are not charged.
/// </summary>
internal sealed class WeightLimiter(FakeBinanceOptions options)
{
    private readonly Lock _gate = new();
    private long _window = long.MinValue;
    private int _used;
    private int _consecutive429;
    private long _bannedUntil = long.MinValue;

    /// <summary>Charges <paramref name="weight"/> now.</summary>
    /// <param name="weight">The request's weight.</param>
    /// <param name="used">Weight used in the current window after this request (for <c>X-MBX-USED-WEIGHT-1M</c>).</param>
    /// <param name="retryAfterSeconds">For 429/418: whole seconds to wait, at least 1.</param>
    /// <param name="bannedUntil">For 418: end of the ban, ms UTC.</param>
    public LimitDecision Acquire(int weight, out int used, out int retryAfterSeconds, out long bannedUntil)
    {
        var now = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var windowMs = Math.Max(1, (long)options.WeightWindow.TotalMilliseconds);
        lock (_gate)
        {
            Roll(now, windowMs);
            retryAfterSeconds = 0;
            bannedUntil = _bannedUntil;
            if (now < _bannedUntil)
            {
                used = _used;
                retryAfterSeconds = Seconds(_bannedUntil - now);
                return LimitDecision.Banned;
            }

            var limit = options.WeightLimit;
            if (limit > 0 && _used + weight > limit)
            {
                used = _used;
                _consecutive429++;
                retryAfterSeconds = Seconds(((_window + 1) * windowMs) - now);
                var banAfter = options.BanAfterConsecutive429;
                if (banAfter > 0 && _consecutive429 >= banAfter)
                {
                    _bannedUntil = now + Math.Max(1, (long)options.BanDuration.TotalMilliseconds);
                    _consecutive429 = 0;
                }

                return LimitDecision.TooManyRequests;
            }

            _consecutive429 = 0;
            _used += weight;
            used = _used;
            return LimitDecision.Allowed;
        }
    }

    /// <summary>Weight used in the current window, without charging anything.</summary>
    public int Used
    {
        get
        {
            var now = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            lock (_gate)
            {
                Roll(now, Math.Max(1, (long)options.WeightWindow.TotalMilliseconds));
                return _used;
            }
        }
    }

    private void Roll(long now, long windowMs)
    {
        var window = now >= 0 ? now / windowMs : ((now + 1) / windowMs) - 1;
        if (window != _window)
        {
            _window = window;
            _used = 0;
        }
    }

    private static int Seconds(long ms) => (int)Math.Clamp((ms + 999) / 1000, 1, int.MaxValue);
}
