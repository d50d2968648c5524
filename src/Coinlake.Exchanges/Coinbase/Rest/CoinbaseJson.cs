using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace Coinlake.Exchanges.Coinbase;

/// <summary>Low-level readers shared by the Coinbase page parsers (exact decimals, ISO-8601 times, error context).</summary>
internal static class CoinbaseJson
{
    /// <summary>
    /// Reads an exact decimal from a JSON string (<c>"6225.32000000"</c>, trades and tickers) or number token
    /// (<c>48950.01</c>, candles): the token's own text is parsed, never a double, so the value is what the venue wrote.
    /// </summary>
    public static bool TryReadDecimal(ref Utf8JsonReader reader, out decimal value)
    {
        value = 0;
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number) || reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return false;
        }

        var span = reader.ValueSpan;
        if (span.IsEmpty)
        {
            return false;
        }

        if (Utf8Parser.TryParse(span, out value, out var consumed) && consumed == span.Length)
        {
            return true;
        }

        // Exponent notation (1.2e-05) as a JSON number: the 'E' format accepts it, still exactly.
        return Utf8Parser.TryParse(span, out value, out consumed, 'E') && consumed == span.Length;
    }

    /// <summary>Reads an integer from a number token or a numeric string.</summary>
    public static bool TryReadInt64(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt64(out value);
        }

        return reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence
            && Utf8Parser.TryParse(reader.ValueSpan, out value, out var consumed) && consumed == reader.ValueSpan.Length;
    }

    /// <summary>
    /// Parses an ISO-8601 UTC time as Coinbase writes it (<c>2020-03-20T00:36:59.860Z</c>, microseconds
    /// <c>2021-04-17T16:43:36.841493Z</c>, or an explicit offset <c>+00:00</c>) to ms since the Unix epoch; fractions
    /// below a millisecond are truncated.
    /// </summary>
    public static bool TryParseIsoMs(ReadOnlySpan<byte> text, out long ms)
    {
        ms = 0;
        if (text.Length < 19 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':')
        {
            return false;
        }

        if (!Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day)
            || !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || !Digits(text, 17, 2, out var second))
        {
            return false;
        }

        var i = 19;
        var fractionMs = 0;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            var start = i;
            while (i < text.Length && char.IsAsciiDigit((char)text[i]))
            {
                if (i - start < 3)
                {
                    fractionMs = (fractionMs * 10) + (text[i] - '0');
                }

                i++;
            }

            if (i == start)
            {
                return false;
            }

            for (var pad = i - start; pad < 3; pad++)
            {
                fractionMs *= 10;
            }
        }

        long offsetMinutes = 0;
        if (i < text.Length && text[i] == 'Z')
        {
            i++;
        }
        else if (i + 6 == text.Length && (text[i] == '+' || text[i] == '-') && text[i + 3] == ':'
            && Digits(text, i + 1, 2, out var oh) && Digits(text, i + 4, 2, out var om))
        {
            offsetMinutes = (text[i] == '-' ? -1 : 1) * ((oh * 60) + om);
            i += 6;
        }
        else
        {
            return false;
        }

        if (i != text.Length || month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var utc = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        ms = new DateTimeOffset(utc).ToUnixTimeMilliseconds() + fractionMs - (offsetMinutes * 60_000);
        return true;
    }

    /// <summary>ISO-8601 UTC text of ms since the epoch as the candles endpoint takes it, e.g. <c>2023-03-01T00:00:00Z</c>.</summary>
    public static string FormatIso(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="json"/> is valid so far but incomplete (a truncated body).</summary>
    public static bool IsTruncated(ReadOnlySpan<byte> json)
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

    /// <summary>Wraps a reader failure into a <see cref="MalformedResponseException"/> that says what, where and whether the body was cut.</summary>
    public static MalformedResponseException FromJsonException(string exchange, Uri url, ReadOnlySpan<byte> json, JsonException ex, string item, int index)
    {
        var what = IsTruncated(json) ? "the body ends before the JSON is complete (truncated)" : "invalid JSON";
        return new MalformedResponseException(exchange, url,
            $"{what} at byte {ex.BytePositionInLine?.ToString(CultureInfo.InvariantCulture) ?? "?"} of {json.Length} ({item} #{index + 1}): {ex.Message}", ex);
    }

    /// <summary>A malformed-answer error naming the item and byte position.</summary>
    public static MalformedResponseException Malformed(string exchange, Uri url, string detail, ref Utf8JsonReader reader, string item, int index) =>
        new(exchange, url, index >= 0
            ? $"{detail} ({item} #{index + 1}, byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)})"
            : $"{detail} (byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)})");

    /// <summary>Reads the next token; a body that ends here is truncated.</summary>
    public static void Next(ref Utf8JsonReader reader, string exchange, Uri url, string item, int index)
    {
        if (!reader.Read())
        {
            throw Malformed(exchange, url, "the body ends in the middle of the array (truncated)", ref reader, item, index);
        }
    }

    /// <summary>Names a token type for error messages.</summary>
    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static bool Digits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit((char)text[i]))
            {
                return false;
            }

            value = (value * 10) + (text[i] - '0');
        }

        return true;
    }
}
