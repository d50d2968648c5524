using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Coinlake.Exchanges.Http;

/// <summary>
/// The <see cref="WeightLimiter"/>s of a process, one per (base URL, market): exchanges count request weight per IP
/// and API host, so every client talking to the same host must draw from the same budget.
/// </summary>
public sealed class WeightLimiterPool
{
    private readonly ConcurrentDictionary<string, WeightLimiter> _limiters = new(StringComparer.Ordinal);

    /// <summary>
    /// The limiter of <paramref name="baseUrl"/> + <paramref name="market"/>, created on first use with
    /// <paramref name="limitPerMinute"/>, <paramref name="timeProvider"/> and <paramref name="logger"/> (later calls
    /// get the existing instance; a lower <paramref name="limitPerMinute"/> lowers its limit).
    /// </summary>
    public WeightLimiter GetOrAdd(Uri baseUrl, string market, int limitPerMinute, TimeProvider timeProvider, ILogger logger)
    {
        var key = string.Concat(baseUrl.GetLeftPart(UriPartial.Authority).ToUpperInvariant(), " ", market);
        var limiter = _limiters.GetOrAdd(key,
            static (_, s) => new WeightLimiter($"{s.baseUrl.Authority} {s.market}", s.limitPerMinute, s.timeProvider, s.logger),
            (baseUrl, market, limitPerMinute, timeProvider, logger));
        limiter.LowerLimit(limitPerMinute);
        return limiter;
    }
}
