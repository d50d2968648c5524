using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Time;

namespace Coinlake.Exchanges.Kucoin;

/// <summary>
/// Parses a KuCoin kline answer straight from the response bytes with <see cref="Utf8JsonReader"/> (no DOM, no
/// per-row strings). Shape (Spot "Market Data" / "Get Klines", <c>GET /api/v1/market/candles</c>):
/// <c>{"code":"200000","data":[["1566789720","10411.5","10401.9","10411.5","10396.3","29.11357276","302889.301529914"], ...]}</c>,
/// each row <c>[time (seconds), open, CLOSE, HIGH, LOW, volume (base), turnover (quote)]</c> — close comes before high
/// and low — all strings, newest row first. Prices are exact decimals read from the strings.
/// </summary>
internal static class KucoinCandleParser
{
    private const int Fields = 7;

    /// <summary>Parses an answer into candles in the venue's order (newest first), open times in ms UTC.</summary>
    /// <param name="json">The response body.</param>
    /// <param name="url">The request URL, named in errors.</param>
    /// <param name="exchange">Exchange id, for errors.</param>
    /// <param name="timeframe">The requested interval: every open time must be aligned to it.</param>
    /// <exception cref="KucoinEnvelopeException">The envelope's code is not <c>200000</c>.</exception>
    /// <exception cref="MalformedResponseException">The body is not such an answer (truncated, wrong shape, unparsable
    /// number, an open time off the timeframe's grid); the message says what and where.</exception>
    public static List<Candle> Parse(ReadOnlySpan<byte> json, Uri url, string exchange, Timeframe timeframe)
    {
        if (json.IsEmpty)
        {
            throw new MalformedResponseException(exchange, url, "the body is empty; expected {\"code\":\"200000\",\"data\":[...]}");
        }

        List<Candle>? candles = null;
        string? code = null;
        string? message = null;
        var reader = new Utf8JsonReader(json);
        var row = -1;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Malformed(exchange, url, $"expected a JSON object {{\"code\":...,\"data\":[...]}} but found {Describe(reader.TokenType)}", ref reader, row);
            }

            while (true)
            {
                Next(ref reader, exchange, url, row);
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                if (reader.ValueTextEquals("code"u8))
                {
                    Next(ref reader, exchange, url, row);
                    code = reader.TokenType is JsonTokenType.String or JsonTokenType.Number
                        ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan)
                        : null;
                }
                else if (reader.ValueTextEquals("msg"u8))
                {
                    Next(ref reader, exchange, url, row);
                    message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    Next(ref reader, exchange, url, row);
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        continue;
                    }

                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw Malformed(exchange, url, $"'data' should be an array of klines but is {Describe(reader.TokenType)}", ref reader, row);
                    }

                    candles = new List<Candle>(Math.Max(16, json.Length / 110));
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

                        var candle = ReadRow(ref reader, exchange, url, row);
                        if (!timeframe.IsAligned(candle.OpenTime))
                        {
                            throw Malformed(exchange, url,
                                $"open time {TimeRange.FormatTime(candle.OpenTime)} is not a {timeframe} boundary (Coinlake keys {timeframe} candles by {Floor(timeframe, candle.OpenTime)}-aligned open times)",
                                ref reader, row);
                        }

                        candles.Add(candle);
                    }
                }
                else
                {
                    Next(ref reader, exchange, url, row);
                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            throw new MalformedResponseException(exchange, url,
                $"invalid or truncated JSON at byte {reader.BytesConsumed.ToString(CultureInfo.InvariantCulture)} of {json.Length} (kline #{row + 1}): {ex.Message}", ex);
        }

        if (code is null)
        {
            throw new MalformedResponseException(exchange, url, "the answer has no 'code'; expected {\"code\":\"200000\",\"data\":[...]}");
        }

        if (!string.Equals(code, KucoinErrors.Success, StringComparison.Ordinal))
        {
            throw new KucoinEnvelopeException(code, message);
        }

        return candles ?? throw new MalformedResponseException(exchange, url, "the answer has code 200000 but no 'data' array");
    }

    private static string Floor(Timeframe timeframe, long time) => TimeRange.FormatTime(timeframe.Floor(time));

    private static Candle ReadRow(ref Utf8JsonReader reader, string exchange, Uri url, int row)
    {
        long openTime = 0;
        decimal open = 0, close = 0, high = 0, low = 0, volume = 0, turnover = 0;
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
                case 0: openTime = ReadSeconds(ref reader, exchange, url, row) * 1000; break;
                case 1: open = ReadDecimal(ref reader, exchange, url, row, "open"); break;
                case 2: close = ReadDecimal(ref reader, exchange, url, row, "close"); break;
                case 3: high = ReadDecimal(ref reader, exchange, url, row, "high"); break;
                case 4: low = ReadDecimal(ref reader, exchange, url, row, "low"); break;
                case 5: volume = ReadDecimal(ref reader, exchange, url, row, "volume"); break;
                case 6: turnover = ReadDecimal(ref reader, exchange, url, row, "turnover"); break;
                default:
                    if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                    {
                        reader.Skip();
                    }

                    break;
            }

            field++;
        }

        if (field < Fields)
        {
            throw Malformed(exchange, url, $"a kline has {field} fields; {Fields} expected [time, open, close, high, low, volume, turnover]", ref reader, row);
        }

        return new Candle(openTime, open, high, low, close, volume, turnover);
    }

    private static void Next(ref Utf8JsonReader reader, string exchange, Uri url, int row)
    {
        if (!reader.Read())
        {
            throw Malformed(exchange, url, "the body ends before the JSON is complete (truncated)", ref reader, row);
        }
    }

    private static long ReadSeconds(ref Utf8JsonReader reader, string exchange, Uri url, int row)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value is >= 0 and < long.MaxValue / 1000)
        {
            return value;
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
            && Utf8Parser.TryParse(reader.ValueSpan, out long parsed, out var consumed) && consumed == reader.ValueSpan.Length
            && parsed is >= 0 and < long.MaxValue / 1000)
        {
            return parsed;
        }

        throw Malformed(exchange, url, $"the time is not a whole number of seconds ({Describe(reader.TokenType)})", ref reader, row);
    }

    private static decimal ReadDecimal(ref Utf8JsonReader reader, string exchange, Uri url, int row, string what)
    {
        // KuCoin sends decimals as strings ("10411.5"); a bare number is accepted as well.
        if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number && !reader.ValueIsEscaped)
        {
            var span = reader.ValueSpan;
            if (span.Length > 0 && Utf8Parser.TryParse(span, out decimal value, out var consumed) && consumed == span.Length)
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

    private static string Describe(JsonTokenType token) => token switch
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
}
