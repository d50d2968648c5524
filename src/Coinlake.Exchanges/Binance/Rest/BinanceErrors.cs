using System.Globalization;
using Coinlake.Exchanges.Http;

namespace Coinlake.Exchanges.Binance;

/// <summary>
/// Binance error answers: the body <c>{"code":-1121,"msg":"Invalid symbol."}</c> (spot API "Error Codes", errors.md)
/// and the HTTP status meanings of "HTTP Return Codes" (4XX: the sender's fault; 429: rate limit broken; 418: IP
/// banned after 429s; 5XX: Binance's side, status unknown).
/// </summary>
public static class BinanceErrors
{
    /// <summary>
    /// True when retrying may succeed: 408, 429, 418, every 5xx, and error codes that mean "busy, try again" whatever
    /// the status (-1000 UNKNOWN, -1001 DISCONNECTED, -1003 TOO_MANY_REQUESTS, -1007 TIMEOUT, -1008 SERVER_BUSY).
    /// Other 4xx answers (-1121 invalid symbol, -1120 invalid interval, -1100/-1130 bad parameter, 403 WAF block) are
    /// the request's fault and fail at once.
    /// </summary>
    /// <param name="httpStatus">HTTP status of the answer.</param>
    /// <param name="code">Binance error code from the body, if any.</param>
    public static bool IsTransient(int httpStatus, int? code) =>
        httpStatus is 408 or 418 or 429 or >= 500
        || code is -1000 or -1001 or -1003 or -1007 or -1008;

    /// <summary>Reads <c>code</c> and <c>msg</c> from an error body; both null when the body is not such an object.</summary>
    public static (int? Code, string? Message) ParseBody(ReadOnlySpan<byte> body) =>
        ErrorText.ReadCodeAndMessage<int?>(body, "code"u8, "msg"u8, ErrorText.Int32Code);

    /// <summary>The start of a body for an error message (printable, at most <paramref name="max"/> characters).</summary>
    internal static string Snippet(ReadOnlySpan<byte> body, int max = 200) => ErrorText.Snippet(body, max);

    /// <summary>Formats a Binance code as stored in <see cref="ExchangeException.Code"/>, e.g. <c>-1121</c>.</summary>
    internal static string? Format(int? code) => code?.ToString(CultureInfo.InvariantCulture);
}
