using System.Globalization;
using Coinlake.Exchanges.Http;

namespace Coinlake.Exchanges.Bybit.Rest;

/// <summary>
/// Bybit v5 error answers ("Error Codes", docs/v5/error): most errors come as HTTP 200 with a non-zero <c>retCode</c>
/// in the envelope <c>{"retCode":10001,"retMsg":"...","result":{},"retExtInfo":{},"time":...}</c>; the HTTP codes are
/// 403 (IP rate limit breached — "access too frequent" — or a blocked region), 404 (wrong path) and 429 ("System level
/// frequency protection. Please retry").
/// </summary>
public static class BybitErrors
{
    /// <summary><c>retCode</c> 10000: "Server Timeout".</summary>
    public const int ServerTimeout = 10000;

    /// <summary><c>retCode</c> 10001: "Request parameter error" (also sent for unsupported symbols and intervals).</summary>
    public const int ParameterError = 10001;

    /// <summary><c>retCode</c> 10006: "Too many visits. Exceeded the API Rate Limit." ("Rate Limit Rules" / "API Rate Limit").</summary>
    public const int TooManyVisits = 10006;

    /// <summary><c>retCode</c> 10016: "Server error".</summary>
    public const int ServerError = 10016;

    /// <summary>Deprecated <c>retCode</c> 10018: "Exceeded the IP Rate Limit".</summary>
    public const int IpRateLimit = 10018;

    /// <summary><c>retCode</c> 10029: "The requested symbol is invalid, please check symbol whitelist".</summary>
    public const int InvalidSymbol = 10029;

    /// <summary>UTA <c>retCode</c> 429: "The trading service is experiencing a high server load. Please retry".</summary>
    public const int HighLoad = 429;

    /// <summary>
    /// True when retrying may succeed: HTTP 403 (IP limit; waited out), 408, 429 and every 5xx, and the codes that mean
    /// "busy, try again" whatever the status: 10000 server timeout, 10006 too many visits, 10016 server error, 10018 IP
    /// rate limit, 429 high load. Other codes (10001 parameter error, 10029 invalid symbol, 10017 route not found ...)
    /// are the request's fault and fail at once.
    /// </summary>
    /// <param name="httpStatus">HTTP status of the answer.</param>
    /// <param name="retCode">The envelope's <c>retCode</c>, if any.</param>
    public static bool IsTransient(int httpStatus, int? retCode) =>
        httpStatus is 403 or 408 or 429 or >= 500
        || retCode is ServerTimeout or TooManyVisits or ServerError or IpRateLimit or HighLoad;

    /// <summary>True for the answers that mean "slow down": HTTP 403/429 and <c>retCode</c> 10006, 10018.</summary>
    public static bool IsRateLimit(int httpStatus, int? retCode) =>
        httpStatus is 403 or 429 || retCode is TooManyVisits or IpRateLimit;

    /// <summary>Reads <c>retCode</c> and <c>retMsg</c> from a body; both null when the body is not such an object.</summary>
    public static (int? Code, string? Message) ParseBody(ReadOnlySpan<byte> body) =>
        ErrorText.ReadCodeAndMessage<int?>(body, "retCode"u8, "retMsg"u8, ErrorText.Int32Code);

    /// <summary>The start of a body for an error message (printable, at most <paramref name="max"/> characters).</summary>
    internal static string Snippet(ReadOnlySpan<byte> body, int max = 200) => ErrorText.Snippet(body, max);

    /// <summary>Formats a code as stored in <see cref="ExchangeException.Code"/>, e.g. <c>10001</c>.</summary>
    internal static string? Format(int? code) => code?.ToString(CultureInfo.InvariantCulture);
}
