using System.Globalization;
using System.Text.Json;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Okx.Rest;

/// <summary>One ticker object of "GET / Tickers" / "GET / Ticker" (every field a string; empty when the venue has no value).</summary>
internal sealed record OkxTickerRow(
    string InstId, long Timestamp, decimal? Last, decimal? Bid, decimal? Ask, decimal? High24h, decimal? Low24h, decimal? Open24h,
    decimal? Vol24h, decimal? VolCcy24h);

/// <summary>
/// Parses the <c>data</c> arrays of trade answers ("GET / Trades", "GET / Trades history":
/// <c>{"instId","tradeId","px","sz","side","source","ts"}</c>) and ticker answers with <see cref="Utf8JsonReader"/>.
/// Unknown fields are skipped, so fields OKX adds later do not break parsing.
/// </summary>
internal static class OkxObjectParsers
{
    /// <summary>Parses trades in the venue's order (newest first). <c>sz</c> is base currency for spot, contracts for derivatives.</summary>
    /// <exception cref="MalformedResponseException">Not an array of trade objects, or a field is missing or not a number.</exception>
    public static List<Trade> ParseTrades(ReadOnlySpan<byte> data, Uri url, string exchange)
    {
        var trades = new List<Trade>(Math.Max(8, data.Length / 120));
        var reader = new Utf8JsonReader(data);
        var row = -1;
        try
        {
            Expect(ref reader, JsonTokenType.StartArray, exchange, url, "the envelope's data is not an array of trades");
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                row++;
                string? id = null;
                long? ts = null;
                decimal? px = null, sz = null;
                var side = TradeSide.Unknown;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("tradeId"u8))
                    {
                        reader.Read();
                        id = reader.GetString();
                    }
                    else if (reader.ValueTextEquals("px"u8))
                    {
                        reader.Read();
                        px = OkxCandleParser.Decimal(reader.ValueSpan, exchange, url, row, "px");
                    }
                    else if (reader.ValueTextEquals("sz"u8))
                    {
                        reader.Read();
                        sz = OkxCandleParser.Decimal(reader.ValueSpan, exchange, url, row, "sz");
                    }
                    else if (reader.ValueTextEquals("ts"u8))
                    {
                        reader.Read();
                        ts = OkxCandleParser.Int64(reader.ValueSpan, exchange, url, row, "ts");
                    }
                    else if (reader.ValueTextEquals("side"u8))
                    {
                        reader.Read();
                        side = reader.ValueTextEquals("buy"u8) ? TradeSide.Buy : reader.ValueTextEquals("sell"u8) ? TradeSide.Sell : TradeSide.Unknown;
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                if (string.IsNullOrEmpty(id) || ts is null || px is null || sz is null)
                {
                    throw new MalformedResponseException(exchange, url, $"trade #{row + 1} lacks tradeId, ts, px or sz");
                }

                trades.Add(new Trade(id, ts.Value, px.Value, sz.Value, side));
            }

            if (reader.TokenType != JsonTokenType.EndArray)
            {
                throw new MalformedResponseException(exchange, url, $"expected a trade object but found {reader.TokenType} (after trade #{row + 1})");
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new MalformedResponseException(exchange, url,
                $"invalid trade JSON at byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)} (trade #{row + 1}): {ex.Message}", ex);
        }

        return trades;
    }

    /// <summary>Parses ticker objects.</summary>
    /// <exception cref="MalformedResponseException">Not an array of ticker objects, or a number is unreadable.</exception>
    public static List<OkxTickerRow> ParseTickers(ReadOnlySpan<byte> data, Uri url, string exchange)
    {
        var tickers = new List<OkxTickerRow>();
        var reader = new Utf8JsonReader(data);
        var row = -1;
        try
        {
            Expect(ref reader, JsonTokenType.StartArray, exchange, url, "the envelope's data is not an array of tickers");
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                row++;
                string? instId = null;
                long ts = 0;
                decimal? last = null, bid = null, ask = null, high = null, low = null, open = null, vol = null, volCcy = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("instId"u8))
                    {
                        reader.Read();
                        instId = reader.GetString();
                        continue;
                    }

                    if (reader.ValueTextEquals("ts"u8))
                    {
                        reader.Read();
                        ts = OkxCandleParser.Int64(reader.ValueSpan, exchange, url, row, "ts");
                        continue;
                    }

                    if (reader.ValueTextEquals("last"u8)) { reader.Read(); last = Optional(ref reader, exchange, url, row, "last"); }
                    else if (reader.ValueTextEquals("bidPx"u8)) { reader.Read(); bid = Optional(ref reader, exchange, url, row, "bidPx"); }
                    else if (reader.ValueTextEquals("askPx"u8)) { reader.Read(); ask = Optional(ref reader, exchange, url, row, "askPx"); }
                    else if (reader.ValueTextEquals("high24h"u8)) { reader.Read(); high = Optional(ref reader, exchange, url, row, "high24h"); }
                    else if (reader.ValueTextEquals("low24h"u8)) { reader.Read(); low = Optional(ref reader, exchange, url, row, "low24h"); }
                    else if (reader.ValueTextEquals("open24h"u8)) { reader.Read(); open = Optional(ref reader, exchange, url, row, "open24h"); }
                    else if (reader.ValueTextEquals("vol24h"u8)) { reader.Read(); vol = Optional(ref reader, exchange, url, row, "vol24h"); }
                    else if (reader.ValueTextEquals("volCcy24h"u8)) { reader.Read(); volCcy = Optional(ref reader, exchange, url, row, "volCcy24h"); }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }

                }

                if (string.IsNullOrEmpty(instId))
                {
                    throw new MalformedResponseException(exchange, url, $"ticker #{row + 1} has no instId");
                }

                tickers.Add(new OkxTickerRow(instId, ts, last, bid, ask, high, low, open, vol, volCcy));
            }

            if (reader.TokenType != JsonTokenType.EndArray)
            {
                throw new MalformedResponseException(exchange, url, $"expected a ticker object but found {reader.TokenType}");
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new MalformedResponseException(exchange, url, $"invalid ticker JSON (ticker #{row + 1}): {ex.Message}", ex);
        }

        return tickers;
    }

    private static decimal? Optional(ref Utf8JsonReader reader, string exchange, Uri url, int row, string what) =>
        reader.TokenType == JsonTokenType.Null || reader.ValueSpan.Length == 0 ? null : OkxCandleParser.Decimal(reader.ValueSpan, exchange, url, row, what);

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string exchange, Uri url, string what)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new MalformedResponseException(exchange, url, what);
        }
    }
}
