using System.Text.Json;
using Coinlake.Exchanges.Http;

namespace Coinlake.Exchanges.Coinbase;

/// <summary>
/// Coinbase Exchange error answers ("Requests" / "Errors"): a 4xx or 5xx status with the body
/// <c>{"message": "..."}</c>; there are no numeric error codes, so <see cref="ExchangeException.Code"/> carries the
/// HTTP status (<c>"400"</c>, <c>"404"</c>, <c>"429"</c> ...) and <see cref="ExchangeException.ExchangeMessage"/> the message.
/// Common statuses: 400 bad request (e.g. a candle range over 300 buckets), 401/403 access, 404 not found (an unknown
/// product answers <c>{"message":"NotFound"}</c>), 429 rate limit ("Rate Limits"), 500 server error.
/// </summary>
public static class CoinbaseErrors
{
    /// <summary>True when retrying may succeed: 408, 429 and every 5xx. Other 4xx answers are the request's fault and fail at once.</summary>
    /// <param name="httpStatus">HTTP status of the answer.</param>
    public static bool IsTransient(int httpStatus) => httpStatus is 408 or 429 or >= 500;

    /// <summary>Reads <c>message</c> from an error body; null when the body is not such an object.</summary>
    public static string? ParseMessage(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMessage = reader.ValueTextEquals("message"u8);
                reader.Read();
                if (isMessage && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON (an HTML page from a proxy or load balancer).
        }

        return null;
    }

    /// <summary>The start of a body for an error message (printable, at most <paramref name="max"/> characters).</summary>
    internal static string Snippet(ReadOnlySpan<byte> body, int max = 200) => ErrorText.Snippet(body, max);
}
