using System.Globalization;

namespace Coinlake.Exchanges.Kraken;

/// <summary>
/// Kraken's error strings. Every answer is the envelope <c>{"error":[...],"result":{...}}</c>; an error is
/// <c>&lt;severity&gt;&lt;category&gt;:&lt;message&gt;[:&lt;detail&gt;]</c> with severity <c>E</c> (error) or <c>W</c>
/// (warning), e.g. <c>EQuery:Unknown asset pair</c>, <c>EGeneral:Invalid arguments:interval</c>,
/// <c>EService:Unavailable</c>, <c>EAPI:Rate limit exceeded</c>, <c>EService:Throttled: 1700000000</c>
/// (docs.kraken.com/api, "Spot REST API / Errors" and "Rate Limits").
/// </summary>
public static class KrakenErrors
{
    /// <summary>True for an error (severity <c>E</c>); warnings (<c>W...</c>) do not fail a request.</summary>
    public static bool IsError(string text) => text.StartsWith('E');

    /// <summary>
    /// The stable code of an error: <c>Category:Message</c> without the trailing detail, e.g.
    /// <c>EGeneral:Invalid arguments:interval</c> → <c>EGeneral:Invalid arguments</c>,
    /// <c>EService:Throttled: 1700000000</c> → <c>EService:Throttled</c>.
    /// </summary>
    public static string Code(string text)
    {
        var first = text.IndexOf(':', StringComparison.Ordinal);
        if (first < 0)
        {
            return text.Trim();
        }

        var second = text.IndexOf(':', first + 1);
        return (second < 0 ? text : text[..second]).Trim();
    }

    /// <summary>
    /// True for the rate-limit answers: <c>EAPI:Rate limit exceeded</c>, <c>EGeneral:Too many requests</c>,
    /// <c>EGeneral:Temporary lockout</c>, <c>EService:Throttled</c>.
    /// </summary>
    public static bool IsRateLimit(string text) => Code(text) is "EAPI:Rate limit exceeded" or "EGeneral:Too many requests"
        or "EGeneral:Temporary lockout" or "EService:Throttled";

    /// <summary>
    /// True when retrying later may succeed: the rate limits, <c>EService:Unavailable</c>, <c>EService:Busy</c>,
    /// <c>EService:Deadline elapsed</c>, <c>EGeneral:Internal error</c> and <c>EDatabase:Internal error</c>. Every
    /// other error (<c>EQuery:Unknown asset pair</c>, <c>EGeneral:Invalid arguments</c>, <c>EGeneral:Permission denied</c>,
    /// <c>EAPI:*</c> key errors ...) is the request's fault and fails at once.
    /// </summary>
    public static bool IsTransient(string text) => IsRateLimit(text) || Code(text) is "EService:Unavailable" or "EService:Busy"
        or "EService:Deadline elapsed" or "EGeneral:Internal error" or "EDatabase:Internal error";

    /// <summary>
    /// The instant named by <c>EService:Throttled: &lt;unix seconds&gt;</c> ("Try again after [timestamp]"), or null for
    /// any other error.
    /// </summary>
    public static DateTimeOffset? ThrottledUntil(string text)
    {
        if (!string.Equals(Code(text), "EService:Throttled", StringComparison.Ordinal))
        {
            return null;
        }

        var detail = text[(text.LastIndexOf(':') + 1)..].Trim();
        return long.TryParse(detail, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and < 100_000_000_000
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
    }
}
