using System.Text.Json;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Coinbase;

/// <summary>
/// Parses a Coinbase trades page ("Get product trades", <c>GET /products/{product_id}/trades</c>) with
/// <see cref="Utf8JsonReader"/>: <c>[{"time":"2020-03-20T00:36:59.860Z","trade_id":86327327,"price":"6225.32000000","size":"0.06469797","side":"sell"}, ...]</c>,
/// newest first. Coinbase's <c>side</c> is the MAKER order's side ("a buy side indicates a down-tick because the maker
/// was a buy order"), so the taker side Coinlake stores is the opposite: <c>buy</c> → <see cref="TradeSide.Sell"/>,
/// <c>sell</c> → <see cref="TradeSide.Buy"/>.
/// </summary>
internal static class CoinbaseTradeParser
{
    private const string Item = "trade";

    /// <summary>Parses a page into trades in the order sent (the caller sorts).</summary>
    /// <exception cref="MalformedResponseException">Not such an array, or a trade lacks a field or has an unparsable one.</exception>
    public static List<CoinbaseTrade> Parse(ReadOnlySpan<byte> json, Uri url, string exchange)
    {
        if (json.IsEmpty)
        {
            throw new MalformedResponseException(exchange, url, "the body is empty; expected a JSON array of trades");
        }

        var trades = new List<CoinbaseTrade>(Math.Max(16, json.Length / 110));
        var reader = new Utf8JsonReader(json);
        var index = -1;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw CoinbaseJson.Malformed(exchange, url, $"expected a JSON array of trades but found {CoinbaseJson.Describe(reader.TokenType)}", ref reader, Item, index);
            }

            while (true)
            {
                CoinbaseJson.Next(ref reader, exchange, url, Item, index);
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                index++;
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw CoinbaseJson.Malformed(exchange, url, $"expected a trade object but found {CoinbaseJson.Describe(reader.TokenType)}", ref reader, Item, index);
                }

                trades.Add(ReadTrade(ref reader, exchange, url, index));
            }

            if (reader.Read())
            {
                throw CoinbaseJson.Malformed(exchange, url, $"unexpected {CoinbaseJson.Describe(reader.TokenType)} after the end of the array", ref reader, Item, index);
            }
        }
        catch (JsonException ex)
        {
            throw CoinbaseJson.FromJsonException(exchange, url, json, ex, Item, index);
        }

        return trades;
    }

    private static CoinbaseTrade ReadTrade(ref Utf8JsonReader reader, string exchange, Uri url, int index)
    {
        long? id = null, time = null;
        decimal? price = null, size = null;
        var side = TradeSide.Unknown;
        while (true)
        {
            CoinbaseJson.Next(ref reader, exchange, url, Item, index);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            if (reader.ValueTextEquals("trade_id"u8))
            {
                CoinbaseJson.Next(ref reader, exchange, url, Item, index);
                id = CoinbaseJson.TryReadInt64(ref reader, out var v) ? v : throw Bad(ref reader, "trade_id is not an integer");
            }
            else if (reader.ValueTextEquals("time"u8))
            {
                CoinbaseJson.Next(ref reader, exchange, url, Item, index);
                time = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && CoinbaseJson.TryParseIsoMs(reader.ValueSpan, out var t)
                    ? t
                    : throw Bad(ref reader, "time is not an ISO-8601 UTC time");
            }
            else if (reader.ValueTextEquals("price"u8))
            {
                CoinbaseJson.Next(ref reader, exchange, url, Item, index);
                price = CoinbaseJson.TryReadDecimal(ref reader, out var p) ? p : throw Bad(ref reader, "price is not a decimal");
            }
            else if (reader.ValueTextEquals("size"u8))
            {
                CoinbaseJson.Next(ref reader, exchange, url, Item, index);
                size = CoinbaseJson.TryReadDecimal(ref reader, out var s) ? s : throw Bad(ref reader, "size is not a decimal");
            }
            else if (reader.ValueTextEquals("side"u8))
            {
                CoinbaseJson.Next(ref reader, exchange, url, Item, index);
                side = reader.ValueTextEquals("buy"u8) ? TradeSide.Sell : reader.ValueTextEquals("sell"u8) ? TradeSide.Buy : TradeSide.Unknown;
            }
            else
            {
                CoinbaseJson.Next(ref reader, exchange, url, Item, index);
                reader.Skip();
            }
        }

        if (id is null || time is null || price is null || size is null)
        {
            throw Bad(ref reader, "a trade lacks one of trade_id, time, price, size");
        }

        return new CoinbaseTrade(id.Value, time.Value, price.Value, size.Value, side);

        MalformedResponseException Bad(ref Utf8JsonReader r, string detail) => CoinbaseJson.Malformed(exchange, url, detail, ref r, Item, index);
    }
}

/// <summary>One trade as parsed: numeric id (the pagination cursor), time ms UTC, price (quote), size (base), taker side.</summary>
internal readonly record struct CoinbaseTrade(long Id, long Timestamp, decimal Price, decimal Size, TradeSide TakerSide)
{
    /// <summary>The domain trade.</summary>
    public Trade ToTrade() => new(Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Timestamp, Price, Size, TakerSide);
}
