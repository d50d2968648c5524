using System.Text;
using System.Text.Json;
using Coinlake.Exchanges.Http;

namespace Coinlake.Exchanges.Kucoin;

/// <summary>
/// KuCoin's answer envelope and error codes. Every REST answer is <c>{"code":"200000","data":...}</c> on success and
/// <c>{"code":"400100","msg":"..."}</c> on failure, the code being a string ("Error Code": HTTP 400/401/403/404/405/415/429/500/503
/// and the system codes 400001-400007 authentication, 400100 parameter error, 400200 forbidden, 400500 region
/// restricted, 400600 validation, 400700 transaction restricted, 411100 user frozen, 415000 unsupported media type,
/// 429000 too many requests, 500000 internal server error, 900001 symbol does not exist). An error code may come with
/// HTTP 200, so a 200 answer is only a success when its code is <see cref="Success"/>.
/// </summary>
public static class KucoinErrors
{
    /// <summary>The code of a successful answer.</summary>
    public const string Success = "200000";

    /// <summary>"Too many requests": a resource pool's quota is used ("Rate Limit"); the request may be sent again after the reset time.</summary>
    public const string TooManyRequests = "429000";

    /// <summary>"Internal Server Error" on KuCoin's side.</summary>
    public const string InternalError = "500000";

    /// <summary>"Parameter Error": the request is wrong (e.g. an unknown <c>type</c>).</summary>
    public const string ParameterError = "400100";

    /// <summary>"symbol not exists".</summary>
    public const string SymbolNotExists = "900001";

    /// <summary>
    /// True when retrying may succeed: HTTP 408, 429 and every 5xx, and the codes 429000 (rate limit; also sent when a
    /// node is overloaded, "Request Rate Limit" 1.0) and 500000 (internal error) whatever the status. Other codes
    /// (400100 parameter error, 900001 unknown symbol, 400xxx authentication or restriction) fail at once.
    /// </summary>
    /// <param name="httpStatus">HTTP status of the answer.</param>
    /// <param name="code">KuCoin code from the body, if any.</param>
    public static bool IsTransient(int httpStatus, string? code) =>
        httpStatus is 408 or 429 or >= 500
        || string.Equals(code, TooManyRequests, StringComparison.Ordinal)
        || string.Equals(code, InternalError, StringComparison.Ordinal);

    /// <summary>
    /// Reads the top-level <c>code</c> (a string; a number is accepted) and <c>msg</c> of an answer, skipping
    /// <c>data</c>; both null when the body is not a JSON object (e.g. an HTML page of a proxy).
    /// </summary>
    public static (string? Code, string? Message) ParseEnvelope(ReadOnlySpan<byte> body) =>
        ErrorText.ReadCodeAndMessage(body, "code"u8, "msg"u8, static (ref Utf8JsonReader reader, string? code) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
            _ => code,
        });

    /// <summary>The start of a body for an error message (printable, at most <paramref name="max"/> characters).</summary>
    internal static string Snippet(ReadOnlySpan<byte> body, int max = 200) => ErrorText.Snippet(body, max);
}

/// <summary>Thrown by a body parser when a 200 answer's envelope carries an error code; mapped to an <see cref="ExchangeException"/> by the caller.</summary>
internal sealed class KucoinEnvelopeException(string code, string? exchangeMessage)
    : Exception($"KuCoin answered code {code}: {exchangeMessage}")
{
    /// <summary>The KuCoin code, e.g. <c>400100</c>.</summary>
    public string Code { get; } = code;

    /// <summary>The KuCoin message.</summary>
    public string? ExchangeMessage { get; } = exchangeMessage;
}
