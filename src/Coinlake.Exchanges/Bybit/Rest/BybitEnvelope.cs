using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace Coinlake.Exchanges.Bybit.Rest;

/// <summary>Reads the <c>result</c> object of an envelope; the reader is on its first token (<c>{</c>, or <c>null</c>).</summary>
internal delegate T ResultReader<out T>(ref Utf8JsonReader reader, Uri url);

/// <summary>A parsed v5 answer.</summary>
/// <param name="RetCode">The envelope's <c>retCode</c> (0 = success).</param>
/// <param name="RetMsg">The envelope's <c>retMsg</c>.</param>
/// <param name="Result">The parsed <c>result</c> (default when the answer is an error).</param>
/// <param name="Time">The envelope's <c>time</c>, the server's clock in ms UTC, when present.</param>
internal readonly record struct BybitAnswer<T>(int RetCode, string? RetMsg, T? Result, long? Time);

/// <summary>
/// Parses the v5 response envelope ("Integration Guidance": every answer is
/// <c>{"retCode":0,"retMsg":"OK","result":{...},"retExtInfo":{},"time":1672025956592}</c>) in one pass with
/// <see cref="Utf8JsonReader"/>, handing the <c>result</c> object to a <see cref="ResultReader{T}"/>. The result of an
/// error answer (<c>retCode</c> ≠ 0, sent before <c>result</c>) is skipped.
/// </summary>
internal static class BybitEnvelope
{
    /// <summary>Parses a body.</summary>
    /// <exception cref="MalformedResponseException">Not an envelope object, invalid or truncated JSON, no <c>retCode</c>, or a success without <c>result</c>.</exception>
    public static BybitAnswer<T> Parse<T>(ReadOnlySpan<byte> body, Uri url, string exchange, ResultReader<T> read)
    {
        if (body.IsEmpty)
        {
            throw new MalformedResponseException(exchange, url, "the body is empty; expected a v5 envelope {\"retCode\":...,\"result\":{...}}");
        }

        int? retCode = null;
        string? retMsg = null;
        long? time = null;
        T? result = default;
        var hasResult = false;
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new MalformedResponseException(exchange, url, $"expected a JSON object (the v5 envelope) but found {Describe(reader.TokenType)}");
            }

            while (true)
            {
                if (!reader.Read())
                {
                    throw new MalformedResponseException(exchange, url, "the body ends inside the envelope (truncated)");
                }

                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                if (reader.ValueTextEquals("retCode"u8))
                {
                    reader.Read();
                    retCode = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var c) ? c : null;
                    if (retCode is null)
                    {
                        throw new MalformedResponseException(exchange, url, $"retCode is {Describe(reader.TokenType)}, not an integer");
                    }
                }
                else if (reader.ValueTextEquals("retMsg"u8))
                {
                    reader.Read();
                    retMsg = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("time"u8))
                {
                    reader.Read();
                    time = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var t) ? t : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("result"u8))
                {
                    reader.Read();
                    if (retCode is null or 0)
                    {
                        result = read(ref reader, url);
                        hasResult = true;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            var what = IsTruncated(body) ? "the body ends before the JSON is complete (truncated)" : "invalid JSON";
            throw new MalformedResponseException(exchange, url,
                $"{what} at byte {reader.BytesConsumed.ToString(CultureInfo.InvariantCulture)} of {body.Length.ToString(CultureInfo.InvariantCulture)}: {ex.Message}", ex);
        }

        if (retCode is null)
        {
            throw new MalformedResponseException(exchange, url, "the answer has no retCode; expected a v5 envelope");
        }

        if (retCode == 0 && !hasResult)
        {
            throw new MalformedResponseException(exchange, url, "a successful answer (retCode 0) without a result object");
        }

        return new BybitAnswer<T>(retCode.Value, retMsg, retCode == 0 ? result : default, time);
    }

    /// <summary>Reads a decimal sent as a string (<c>"17055.5"</c>) or a bare number; exact.</summary>
    /// <exception cref="MalformedResponseException">Not a decimal.</exception>
    public static decimal ReadDecimal(ref Utf8JsonReader reader, string exchange, Uri url, string what, int row = -1)
    {
        if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number && !reader.ValueIsEscaped)
        {
            var span = reader.ValueSpan;
            if (span.Length > 0 && Utf8Parser.TryParse(span, out decimal value, out var consumed) && consumed == span.Length)
            {
                return value;
            }
        }

        throw new MalformedResponseException(exchange, url,
            $"the {What(what, row)} is not a decimal ({Describe(reader.TokenType)} at byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)})");
    }

    /// <summary>Reads an integer sent as a string (<c>"1670608800000"</c>) or a bare number.</summary>
    /// <exception cref="MalformedResponseException">Not an integer.</exception>
    public static long ReadInt64(ref Utf8JsonReader reader, string exchange, Uri url, string what, int row = -1)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
            && Utf8Parser.TryParse(reader.ValueSpan, out long parsed, out var consumed) && consumed == reader.ValueSpan.Length && consumed > 0)
        {
            return parsed;
        }

        throw new MalformedResponseException(exchange, url,
            $"the {What(what, row)} is not an integer ({Describe(reader.TokenType)} at byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)})");
    }

    /// <summary>An exact decimal from a string field; null for absent or empty (<c>""</c>, as Bybit sends for "not applicable").</summary>
    /// <exception cref="MalformedResponseException">Present, not empty and not a decimal.</exception>
    public static decimal? OptionalDecimal(string? text, string exchange, Uri url, string what)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new MalformedResponseException(exchange, url, $"the {what} '{text}' is not a decimal");
    }

    /// <summary>Describes a token for error messages.</summary>
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

    private static string What(string what, int row) =>
        row < 0 ? what : string.Create(CultureInfo.InvariantCulture, $"{what} of row #{row + 1}");

    /// <summary>True when <paramref name="json"/> is valid so far but incomplete.</summary>
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
