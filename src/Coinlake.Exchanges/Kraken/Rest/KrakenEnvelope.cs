using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Coinlake.Exchanges.Http;

namespace Coinlake.Exchanges.Kraken.Rest;

/// <summary>Reads the value of <c>result</c>; the reader is on its first token.</summary>
internal delegate T ResultReader<out T>(ref Utf8JsonReader reader, Uri url);

/// <summary>A parsed answer: the result, or the errors Kraken sent instead.</summary>
internal readonly record struct KrakenAnswer<T>(T? Result, IReadOnlyList<string> Errors)
{
    /// <summary>The first error (severity <c>E</c>), or null when the answer succeeded.</summary>
    public string? FirstError => Errors.FirstOrDefault(KrakenErrors.IsError);
}

/// <summary>
/// Kraken's response envelope <c>{"error":["EQuery:Unknown asset pair"],"result":{...}}</c> ("Spot REST API /
/// Errors"), read in one pass with <see cref="Utf8JsonReader"/>; shared number and text helpers of the parsers.
/// </summary>
internal static class KrakenEnvelope
{
    /// <summary>Reads the envelope; <c>result</c> is parsed by <paramref name="readResult"/> unless an error came first.</summary>
    /// <exception cref="MalformedResponseException">Not JSON, truncated, not an envelope, or neither result nor error.</exception>
    public static KrakenAnswer<T> Read<T>(ReadOnlySpan<byte> body, Uri url, string exchange, ResultReader<T> readResult)
    {
        var reader = new Utf8JsonReader(body);
        List<string>? errors = null;
        T? result = default;
        var hasResult = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Malformed(exchange, url, body, $"expected the {{\"error\":[...],\"result\":{{...}}}} envelope but the body starts with {Describe(reader.TokenType)}");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    errors = ReadErrors(ref reader, exchange, url, body);
                }
                else if (reader.ValueTextEquals("result"u8))
                {
                    reader.Read();
                    if (errors is not null && errors.Exists(KrakenErrors.IsError))
                    {
                        reader.Skip();
                    }
                    else
                    {
                        result = readResult(ref reader, url);
                        hasResult = true;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw Malformed(exchange, url, body, "unexpected content after the envelope");
            }
        }
        catch (JsonException ex)
        {
            var what = IsTruncated(body) ? "the body ends before the JSON is complete (truncated)" : "invalid JSON";
            throw new MalformedResponseException(exchange, url,
                $"{what} at byte {reader.BytesConsumed.ToString(CultureInfo.InvariantCulture)} of {body.Length.ToString(CultureInfo.InvariantCulture)}: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new MalformedResponseException(exchange, url, $"unexpected JSON shape: {ex.Message}", ex);
        }

        IReadOnlyList<string> list = errors ?? [];
        if (!hasResult && !list.Any(KrakenErrors.IsError))
        {
            throw Malformed(exchange, url, body, "the envelope has neither a result nor an error");
        }

        return new KrakenAnswer<T>(result, list);
    }

    /// <summary>Reads only the <c>error</c> array of a body (for non-200 answers); empty when absent or unreadable.</summary>
    public static IReadOnlyList<string> TryReadErrors(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return [];
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isError = reader.ValueTextEquals("error"u8);
                reader.Read();
                if (isError && reader.TokenType == JsonTokenType.StartArray)
                {
                    var errors = new List<string>();
                    while (reader.Read() && reader.TokenType == JsonTokenType.String)
                    {
                        errors.Add(reader.GetString()!);
                    }

                    return errors;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // An HTML page from a proxy: no Kraken error.
        }

        return [];
    }

    /// <summary>A decimal from a JSON string (<c>"30306.1"</c>) or number, exactly as written.</summary>
    public static bool TryDecimal(ref Utf8JsonReader reader, out decimal value)
    {
        value = 0;
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number) || reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return false;
        }

        var span = reader.ValueSpan;
        return span.Length > 0 && Utf8Parser.TryParse(span, out value, out var consumed) && consumed == span.Length;
    }

    /// <summary>An integer from a JSON number or a string of digits.</summary>
    public static bool TryInt64(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt64(out value);
        }

        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return false;
        }

        var span = reader.ValueSpan;
        return span.Length > 0 && Utf8Parser.TryParse(span, out value, out var consumed) && consumed == span.Length;
    }

    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.None => "nothing",
        _ => token.ToString(),
    };

    /// <summary>The start of a body for an error message (printable, at most <paramref name="max"/> characters).</summary>
    public static string Snippet(ReadOnlySpan<byte> body, int max = 200) => ErrorText.Snippet(body, max);

    private static List<string> ReadErrors(ref Utf8JsonReader reader, string exchange, Uri url, ReadOnlySpan<byte> body)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return [reader.GetString()!]; // some answers send a single string
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Malformed(exchange, url, body, $"'error' is {Describe(reader.TokenType)}, not an array of strings");
        }

        var errors = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Malformed(exchange, url, body, $"an 'error' entry is {Describe(reader.TokenType)}, not a string");
            }

            errors.Add(reader.GetString()!);
        }

        return errors;
    }

    private static MalformedResponseException Malformed(string exchange, Uri url, ReadOnlySpan<byte> body, string detail) =>
        new(exchange, url, $"{detail} (body: {Snippet(body, 120)})");

    private static bool IsTruncated(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: false, state: default);
        try
        {
            while (reader.Read())
            {
            }

            return reader.CurrentDepth > 0 || reader.BytesConsumed < json.Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
