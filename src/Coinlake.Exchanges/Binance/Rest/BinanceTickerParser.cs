using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace Coinlake.Exchanges.Binance;

/// <summary>
/// The fields of one Binance ticker object Coinlake reads; absent fields are null. Covers the 24hr ticker (spot
/// <c>/api/v3/ticker/24hr</c> FULL, USDⓈ-M <c>/fapi/v1/ticker/24hr</c>) and the book ticker
/// (<c>/fapi/v1/ticker/bookTicker</c>: <c>bidPrice</c>, <c>askPrice</c>, <c>time</c>).
/// </summary>
internal sealed record RawTicker(string Symbol)
{
    public decimal? LastPrice { get; set; }

    public decimal? BidPrice { get; set; }

    public decimal? AskPrice { get; set; }

    public decimal? HighPrice { get; set; }

    public decimal? LowPrice { get; set; }

    public decimal? OpenPrice { get; set; }

    public decimal? Volume { get; set; }

    public decimal? QuoteVolume { get; set; }

    public decimal? PriceChange { get; set; }

    public decimal? PriceChangePercent { get; set; }

    /// <summary><c>closeTime</c> of a 24hr ticker, ms UTC.</summary>
    public long? CloseTime { get; set; }

    /// <summary><c>time</c> of a book ticker, ms UTC.</summary>
    public long? Time { get; set; }
}

/// <summary>
/// Parses ticker answers with <see cref="Utf8JsonReader"/>: one object (a <c>symbol=</c> request) or an array of
/// objects (<c>symbols=</c> or none). Decimals are read exactly from Binance's strings; unknown fields are skipped.
/// </summary>
internal static class BinanceTickerParser
{
    /// <summary>Parses a ticker answer.</summary>
    /// <exception cref="MalformedResponseException">Not an object or array of objects, a ticker without <c>symbol</c>,
    /// or an unparsable number; the message says what and where.</exception>
    public static List<RawTicker> Parse(ReadOnlySpan<byte> json, Uri url, string exchange)
    {
        var result = new List<RawTicker>();
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read())
            {
                throw Malformed(exchange, url, "the body is empty; expected a ticker object or an array of them", ref reader);
            }

            if (reader.TokenType == JsonTokenType.StartObject)
            {
                result.Add(ReadTicker(ref reader, exchange, url));
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw Malformed(exchange, url, $"expected a ticker object but found {BinanceKlineParser.Describe(reader.TokenType)}", ref reader);
                    }

                    result.Add(ReadTicker(ref reader, exchange, url));
                }
            }
            else
            {
                throw Malformed(exchange, url, $"expected a ticker object or array but found {BinanceKlineParser.Describe(reader.TokenType)}", ref reader);
            }

            if (reader.Read())
            {
                throw Malformed(exchange, url, $"unexpected {BinanceKlineParser.Describe(reader.TokenType)} after the tickers", ref reader);
            }
        }
        catch (JsonException ex)
        {
            var what = BinanceKlineParser.IsTruncated(json) ? "the body ends before the JSON is complete (truncated)" : "invalid JSON";
            throw new MalformedResponseException(exchange, url,
                $"{what} at byte {ex.BytePositionInLine?.ToString(CultureInfo.InvariantCulture) ?? "?"} of {json.Length} (ticker #{result.Count + 1}): {ex.Message}", ex);
        }

        return result;
    }

    private static RawTicker ReadTicker(ref Utf8JsonReader reader, string exchange, Uri url)
    {
        string? symbol = null;
        decimal? last = null, bid = null, ask = null, high = null, low = null, open = null, volume = null, quote = null, change = null, percent = null;
        long? closeTime = null, time = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("symbol"u8))
            {
                reader.Read();
                symbol = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("lastPrice"u8))
            {
                last = Dec(ref reader, exchange, url, "lastPrice");
            }
            else if (reader.ValueTextEquals("bidPrice"u8))
            {
                bid = Dec(ref reader, exchange, url, "bidPrice");
            }
            else if (reader.ValueTextEquals("askPrice"u8))
            {
                ask = Dec(ref reader, exchange, url, "askPrice");
            }
            else if (reader.ValueTextEquals("highPrice"u8))
            {
                high = Dec(ref reader, exchange, url, "highPrice");
            }
            else if (reader.ValueTextEquals("lowPrice"u8))
            {
                low = Dec(ref reader, exchange, url, "lowPrice");
            }
            else if (reader.ValueTextEquals("openPrice"u8))
            {
                open = Dec(ref reader, exchange, url, "openPrice");
            }
            else if (reader.ValueTextEquals("volume"u8))
            {
                volume = Dec(ref reader, exchange, url, "volume");
            }
            else if (reader.ValueTextEquals("quoteVolume"u8))
            {
                quote = Dec(ref reader, exchange, url, "quoteVolume");
            }
            else if (reader.ValueTextEquals("priceChange"u8))
            {
                change = Dec(ref reader, exchange, url, "priceChange");
            }
            else if (reader.ValueTextEquals("priceChangePercent"u8))
            {
                percent = Dec(ref reader, exchange, url, "priceChangePercent");
            }
            else if (reader.ValueTextEquals("closeTime"u8))
            {
                closeTime = Long(ref reader, exchange, url, "closeTime");
            }
            else if (reader.ValueTextEquals("time"u8))
            {
                time = Long(ref reader, exchange, url, "time");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (string.IsNullOrEmpty(symbol))
        {
            throw Malformed(exchange, url, "a ticker has no 'symbol'", ref reader);
        }

        return new RawTicker(symbol)
        {
            LastPrice = last,
            BidPrice = bid,
            AskPrice = ask,
            HighPrice = high,
            LowPrice = low,
            OpenPrice = open,
            Volume = volume,
            QuoteVolume = quote,
            PriceChange = change,
            PriceChangePercent = percent,
            CloseTime = closeTime,
            Time = time,
        };
    }

    private static decimal? Dec(ref Utf8JsonReader reader, string exchange, Uri url, string field)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null || (reader.TokenType == JsonTokenType.String && reader.ValueSpan.IsEmpty))
        {
            return null;
        }

        if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number && !reader.ValueIsEscaped
            && Utf8Parser.TryParse(reader.ValueSpan, out decimal value, out var consumed) && consumed == reader.ValueSpan.Length)
        {
            return value;
        }

        throw Malformed(exchange, url, $"'{field}' is not a decimal ({BinanceKlineParser.Describe(reader.TokenType)})", ref reader);
    }

    private static long? Long(ref Utf8JsonReader reader, string exchange, Uri url, string field)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        throw Malformed(exchange, url, $"'{field}' is not an integer ({BinanceKlineParser.Describe(reader.TokenType)})", ref reader);
    }

    private static MalformedResponseException Malformed(string exchange, Uri url, string detail, ref Utf8JsonReader reader) =>
        new(exchange, url, $"{detail} (byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)})");
}
