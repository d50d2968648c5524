using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Time;

namespace Coinlake.Exchanges.Binance;

/// <summary>
/// Parses a Binance kline page straight from the response bytes with <see cref="Utf8JsonReader"/> (no DOM, no
/// per-row strings). Shape (spot "Kline/Candlestick data", USDⓈ-M "Kline/Candlestick Data"):
/// <c>[[openTime, "open", "high", "low", "close", "volume", closeTime, "quoteVolume", trades, "takerBase", "takerQuote", "ignore"], ...]</c>.
/// Prices are exact decimals read from the quoted strings. Mark and index klines use the same shape with volume
/// fields to ignore, so for them volume is 0 and quote volume and trade count are null.
/// </summary>
internal static class BinanceKlineParser
{
    private const int MinimumFields = 9;

    /// <summary>Parses a page; open times must be strictly ascending.</summary>
    /// <param name="json">The response body.</param>
    /// <param name="url">The request URL, named in errors.</param>
    /// <param name="exchange">Exchange id, for errors.</param>
    /// <param name="hasVolume">False for mark/index klines, whose volume fields carry no volume.</param>
    /// <exception cref="MalformedResponseException">The body is not such an array (truncated, wrong shape, unparsable
    /// number, open times not ascending); the message says what and where.</exception>
    public static List<Candle> Parse(ReadOnlySpan<byte> json, Uri url, string exchange, bool hasVolume)
    {
        if (json.IsEmpty)
        {
            throw new MalformedResponseException(exchange, url, "the body is empty; expected a JSON array of klines");
        }

        var candles = new List<Candle>(Math.Max(16, json.Length / 160));
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var row = -1;
        try
        {
            if (!reader.Read())
            {
                throw Malformed(exchange, url, "the body is empty", ref reader, row);
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Malformed(exchange, url, $"expected a JSON array of klines but found {Describe(reader.TokenType)}", ref reader, row);
            }

            long previous = long.MinValue;
            while (true)
            {
                Next(ref reader, exchange, url, row);
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                row++;
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw Malformed(exchange, url, $"expected a kline array but found {Describe(reader.TokenType)}", ref reader, row);
                }

                var candle = ReadRow(ref reader, exchange, url, row, hasVolume);
                if (candle.OpenTime <= previous)
                {
                    throw Malformed(exchange, url,
                        $"open time {candle.OpenTime} ({TimeRange.FormatTime(candle.OpenTime)}) does not follow {previous} ({TimeRange.FormatTime(previous)}); klines must be ascending and unique",
                        ref reader, row);
                }

                previous = candle.OpenTime;
                candles.Add(candle);
            }

            if (reader.Read())
            {
                throw Malformed(exchange, url, $"unexpected {Describe(reader.TokenType)} after the end of the array", ref reader, row);
            }
        }
        catch (JsonException ex)
        {
            var what = IsTruncated(json) ? "the body ends before the JSON is complete (truncated)" : "invalid JSON";
            throw new MalformedResponseException(exchange, url,
                $"{what} at byte {ex.BytePositionInLine?.ToString(CultureInfo.InvariantCulture) ?? "?"} of {json.Length} (kline #{row + 1}): {ex.Message}", ex);
        }

        return candles;
    }

    /// <summary>True when <paramref name="json"/> is valid so far but incomplete (a reader expecting more data never fails on it).</summary>
    internal static bool IsTruncated(ReadOnlySpan<byte> json)
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

    private static Candle ReadRow(ref Utf8JsonReader reader, string exchange, Uri url, int row, bool hasVolume)
    {
        long openTime = 0;
        decimal open = 0, high = 0, low = 0, close = 0, volume = 0, quoteVolume = 0;
        long trades = 0;
        var field = 0;
        while (true)
        {
            Next(ref reader, exchange, url, row);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                break;
            }

            switch (field)
            {
                case 0: openTime = ReadInt64(ref reader, exchange, url, row, "open time"); break;
                case 1: open = ReadDecimal(ref reader, exchange, url, row, "open"); break;
                case 2: high = ReadDecimal(ref reader, exchange, url, row, "high"); break;
                case 3: low = ReadDecimal(ref reader, exchange, url, row, "low"); break;
                case 4: close = ReadDecimal(ref reader, exchange, url, row, "close"); break;
                case 5: volume = hasVolume ? ReadDecimal(ref reader, exchange, url, row, "volume") : 0; break;
                case 7: quoteVolume = hasVolume ? ReadDecimal(ref reader, exchange, url, row, "quote volume") : 0; break;
                case 8: trades = hasVolume ? ReadInt64(ref reader, exchange, url, row, "trade count") : 0; break;
                default:
                    if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                    {
                        reader.Skip();
                    }

                    break;
            }

            field++;
        }

        if (field < MinimumFields)
        {
            throw Malformed(exchange, url, $"a kline has {field} fields; at least {MinimumFields} expected", ref reader, row);
        }

        return hasVolume
            ? new Candle(openTime, open, high, low, close, volume, quoteVolume, trades)
            : new Candle(openTime, open, high, low, close, 0);
    }

    private static void Next(ref Utf8JsonReader reader, string exchange, Uri url, int row)
    {
        if (!reader.Read())
        {
            throw Malformed(exchange, url, "the body ends in the middle of the array (truncated)", ref reader, row);
        }
    }

    private static long ReadInt64(ref Utf8JsonReader reader, string exchange, Uri url, int row, string what)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
            && Utf8Parser.TryParse(reader.ValueSpan, out long parsed, out var consumed) && consumed == reader.ValueSpan.Length)
        {
            return parsed;
        }

        throw Malformed(exchange, url, $"the {what} is not an integer ({Describe(reader.TokenType)})", ref reader, row);
    }

    private static decimal ReadDecimal(ref Utf8JsonReader reader, string exchange, Uri url, int row, string what)
    {
        // Binance sends decimals as strings ("0.01634790"); a bare number is accepted as well.
        if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number && !reader.ValueIsEscaped)
        {
            var span = reader.ValueSpan;
            if (Utf8Parser.TryParse(span, out decimal value, out var consumed) && consumed == span.Length && span.Length > 0)
            {
                return value;
            }
        }

        throw Malformed(exchange, url, $"the {what} is not a decimal ({Describe(reader.TokenType)})", ref reader, row);
    }

    private static MalformedResponseException Malformed(string exchange, Uri url, string detail, ref Utf8JsonReader reader, int row) =>
        new(exchange, url, row >= 0
            ? $"{detail} (kline #{row + 1}, byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)})"
            : $"{detail} (byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)})");

    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
