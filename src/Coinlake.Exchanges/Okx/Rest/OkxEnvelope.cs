using System.Globalization;
using System.Text;
using System.Text.Json;
using Coinlake.Exchanges.Http;

namespace Coinlake.Exchanges.Okx.Rest;

/// <summary>
/// OKX's response envelope ("REST API" overview): <c>{"code":"0","msg":"","data":[...]}</c>. <c>code</c> is
/// <c>"0"</c> on success and the error code otherwise (HTTP 200 for many errors, e.g. <c>51001</c>). Read with
/// <see cref="Utf8JsonReader"/>; the <c>data</c> array is located, not parsed, so the caller parses it without a DOM.
/// </summary>
internal readonly record struct OkxEnvelope(string? Code, string? Message, int DataStart, int DataLength)
{
    /// <summary>True when the answer is a success (<c>code</c> 0).</summary>
    public bool IsSuccess => Code == "0";

    /// <summary>The bytes of the <c>data</c> value within <paramref name="body"/> (empty when absent).</summary>
    public ReadOnlySpan<byte> Data(ReadOnlySpan<byte> body) => DataLength == 0 ? default : body.Slice(DataStart, DataLength);

    /// <summary>Reads the envelope of <paramref name="body"/>.</summary>
    /// <returns>False when the body is not a JSON object (HTML error page, truncated body): nothing was read.</returns>
    public static bool TryRead(ReadOnlySpan<byte> body, out OkxEnvelope envelope)
    {
        envelope = default;
        string? code = null;
        string? message = null;
        int start = 0, length = 0;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("code"u8))
                {
                    reader.Read();
                    code = reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                        _ => null,
                    };
                }
                else if (reader.ValueTextEquals("msg"u8))
                {
                    reader.Read();
                    message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    length = (int)reader.BytesConsumed - start;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        envelope = new OkxEnvelope(code, message, start, length);
        return true;
    }

    /// <summary>The start of a body for an error message (printable, at most <paramref name="max"/> characters).</summary>
    public static string Snippet(ReadOnlySpan<byte> body, int max = 200) => ErrorText.Snippet(body, max);
}

/// <summary>
/// OKX error codes ("Error Code" / "REST API" / "Public" section of the v5 documentation) and which are worth
/// retrying.
/// </summary>
public static class OkxErrors
{
    /// <summary><c>50011</c> "Rate limit reached. Please refer to API documentation and throttle requests accordingly." (HTTP 429).</summary>
    public const string RateLimitReached = "50011";

    /// <summary><c>51001</c> "Instrument ID does not exist." (HTTP 200).</summary>
    public const string InstrumentDoesNotExist = "51001";

    /// <summary><c>51000</c> "Parameter {param0} error." (HTTP 400).</summary>
    public const string ParameterError = "51000";

    /// <summary><c>50014</c> "Parameter {param0} can not be empty." (HTTP 400).</summary>
    public const string ParameterEmpty = "50014";

    /// <summary>
    /// True when retrying may succeed: HTTP 408/429/5xx, and the codes that mean "busy or unavailable, try again"
    /// whatever the status: <c>50001</c> service temporarily unavailable, <c>50004</c> endpoint request timeout,
    /// <c>50011</c> rate limit reached, <c>50013</c> systems are busy, <c>50026</c> system error, <c>50061</c>
    /// sub-account rate limit. Other codes (<c>51001</c> unknown instrument, <c>51000</c>/<c>50014</c> bad or missing
    /// parameter, <c>50005</c> API offline) are the request's fault or permanent and fail at once.
    /// </summary>
    /// <param name="httpStatus">HTTP status of the answer.</param>
    /// <param name="code">OKX error code from the envelope, if any.</param>
    public static bool IsTransient(int httpStatus, string? code) =>
        code is "50001" or "50004" or "50011" or "50013" or "50026" or "50061"
        || (code is null or "" && httpStatus is 408 or 429 or >= 500)
        || (httpStatus is 429 or >= 500 && code is not (InstrumentDoesNotExist or ParameterError or ParameterEmpty));

    /// <summary>True for a rate-limit answer: HTTP 429, or code <c>50011</c>/<c>50061</c> whatever the status.</summary>
    public static bool IsRateLimit(int httpStatus, string? code) => httpStatus == 429 || code is RateLimitReached or "50061";

    internal static string Describe(string? code, string? message) =>
        code is null ? "no OKX error code" : string.Create(CultureInfo.InvariantCulture, $"code {code} \"{message}\"");
}
