using System.Globalization;
using System.Net.Http.Headers;

namespace Coinlake.Exchanges.Http;

/// <summary>Reads the response headers exchanges use for rate limiting.</summary>
public static class HttpHeaderValues
{
    /// <summary>
    /// The wait a 429/418 answer asks for: <c>Retry-After</c> as seconds (Binance sends seconds, "IP Limits") or as an
    /// HTTP date relative to <paramref name="now"/>; null when absent or unreadable. Never negative.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var value = headers.RetryAfter;
        if (value?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (value?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        // Some servers send fractional seconds, which the typed parser rejects.
        if (headers.TryGetValues("Retry-After", out var raw))
        {
            foreach (var text in raw)
            {
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
                {
                    return TimeSpan.FromSeconds(seconds);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// An integer header such as <c>X-MBX-USED-WEIGHT-1M</c> (header names are case-insensitive); null when absent
    /// or not a non-negative integer.
    /// </summary>
    public static int? Int32(HttpResponseHeaders headers, string name)
    {
        if (!headers.TryGetValues(name, out var values))
        {
            return null;
        }

        foreach (var text in values)
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }
}
