using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Binance;

/// <summary>An aggTrades answer: its trades, and the first and last aggregate ids (0 when empty).</summary>
/// <param name="Trades">Trades in answer order (ascending id and time).</param>
/// <param name="FirstId">Aggregate id <c>a</c> of the first trade.</param>
/// <param name="LastId">Aggregate id <c>a</c> of the last trade.</param>
internal readonly record struct AggTradeBatch(List<Trade> Trades, long FirstId, long LastId)
{
    /// <summary>Number of trades in the answer.</summary>
    public int Count => Trades.Count;
}

/// <summary>
/// Parses an aggregate-trades page (spot <c>GET /api/v3/aggTrades</c>, USDⓈ-M <c>GET /fapi/v1/aggTrades</c>,
/// "Compressed/Aggregate trades list") straight from the response bytes with <see cref="Utf8JsonReader"/>:
/// <c>[{"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27781,"T":1498793709153,"m":true,"M":true}, ...]</c>.
/// <c>a</c> becomes <see cref="Trade.Id"/>, <c>T</c> the timestamp (ms UTC), <c>p</c> the price (quote currency),
/// <c>q</c> the amount (base currency), and <c>m</c> ("was the buyer the maker?") the taker side: true → the taker sold
/// (<see cref="TradeSide.Sell"/>), false → the taker bought. Other fields are ignored.
/// </summary>
internal static class BinanceAggTradeParser
{
    /// <summary>Parses a page; ids must be strictly ascending and timestamps must not decrease.</summary>
    /// <exception cref="MalformedResponseException">The body is not such an array (truncated, wrong shape, a field
    /// missing or unparsable, ids or times out of order); the message says what and where.</exception>
    public static AggTradeBatch Parse(ReadOnlySpan<byte> json, Uri url, string exchange)
    {
        if (json.IsEmpty)
        {
            throw new MalformedResponseException(exchange, url, "the body is empty; expected a JSON array of aggregate trades");
        }

        var trades = new List<Trade>(Math.Max(16, json.Length / 110));
        var reader = new Utf8JsonReader(json);
        var row = -1;
        long firstId = 0, lastId = 0, lastTime = long.MinValue;
        try
        {
            Next(ref reader, exchange, url, row);
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Malformed(exchange, url, $"expected a JSON array of aggregate trades but found {BinanceKlineParser.Describe(reader.TokenType)}", ref reader, row);
            }

            while (true)
            {
                Next(ref reader, exchange, url, row);
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                row++;
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Malformed(exchange, url, $"expected an aggregate trade object but found {BinanceKlineParser.Describe(reader.TokenType)}", ref reader, row);
                }

                var (id, trade) = ReadTrade(ref reader, exchange, url, row);
                if (row > 0 && id <= lastId)
                {
                    throw Malformed(exchange, url, $"aggregate id {id} does not follow {lastId}; ids must be ascending and unique", ref reader, row);
                }

                if (trade.Timestamp < lastTime)
                {
                    throw Malformed(exchange, url,
                        $"trade {id} at {TimeRange.FormatTime(trade.Timestamp)} is older than the trade before it ({TimeRange.FormatTime(lastTime)})", ref reader, row);
                }

                if (row == 0)
                {
                    firstId = id;
                }

                lastId = id;
                lastTime = trade.Timestamp;
                trades.Add(trade);
            }

            if (reader.Read())
            {
                throw Malformed(exchange, url, $"unexpected {BinanceKlineParser.Describe(reader.TokenType)} after the end of the array", ref reader, row);
            }
        }
        catch (JsonException ex)
        {
            var what = BinanceKlineParser.IsTruncated(json) ? "the body ends before the JSON is complete (truncated)" : "invalid JSON";
            throw new MalformedResponseException(exchange, url,
                $"{what} at byte {ex.BytePositionInLine?.ToString(CultureInfo.InvariantCulture) ?? "?"} of {json.Length} (aggregate trade #{row + 1}): {ex.Message}", ex);
        }

        return new AggTradeBatch(trades, firstId, lastId);
    }

    private static (long Id, Trade Trade) ReadTrade(ref Utf8JsonReader reader, string exchange, Uri url, int row)
    {
        long? id = null, time = null;
        decimal? price = null, amount = null;
        bool? buyerIsMaker = null;
        while (true)
        {
            Next(ref reader, exchange, url, row);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            // Property names are single letters; case matters ("m" buyer-is-maker vs "M" best match, "T" time vs "t").
            var name = reader.ValueSpan;
            var key = name.Length == 1 && !reader.ValueIsEscaped ? (char)name[0] : '\0';
            Next(ref reader, exchange, url, row);
            switch (key)
            {
                case 'a': id = ReadInt64(ref reader, exchange, url, row, "aggregate id 'a'"); break;
                case 'T': time = ReadInt64(ref reader, exchange, url, row, "timestamp 'T'"); break;
                case 'p': price = ReadDecimal(ref reader, exchange, url, row, "price 'p'"); break;
                case 'q': amount = ReadDecimal(ref reader, exchange, url, row, "quantity 'q'"); break;
                case 'm':
                    buyerIsMaker = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        _ => throw Malformed(exchange, url, $"'m' (buyer is maker) is {BinanceKlineParser.Describe(reader.TokenType)}, not a boolean", ref reader, row),
                    };
                    break;
                default:
                    if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                    {
                        reader.Skip();
                    }

                    break;
            }
        }

        if (id is null || time is null || price is null || amount is null || buyerIsMaker is null)
        {
            var missing = string.Join(", ", new[] { ("a", id is null), ("p", price is null), ("q", amount is null), ("T", time is null), ("m", buyerIsMaker is null) }
                .Where(f => f.Item2).Select(f => f.Item1));
            throw Malformed(exchange, url, $"an aggregate trade lacks {missing}", ref reader, row);
        }

        var side = buyerIsMaker.Value ? TradeSide.Sell : TradeSide.Buy;
        return (id.Value, new Trade(id.Value.ToString(CultureInfo.InvariantCulture), time.Value, price.Value, amount.Value, side));
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

        throw Malformed(exchange, url, $"the {what} is not an integer ({BinanceKlineParser.Describe(reader.TokenType)})", ref reader, row);
    }

    private static decimal ReadDecimal(ref Utf8JsonReader reader, string exchange, Uri url, int row, string what)
    {
        if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number && !reader.ValueIsEscaped)
        {
            var span = reader.ValueSpan;
            if (span.Length > 0 && Utf8Parser.TryParse(span, out decimal value, out var consumed) && consumed == span.Length)
            {
                return value;
            }
        }

        throw Malformed(exchange, url, $"the {what} is not a decimal ({BinanceKlineParser.Describe(reader.TokenType)})", ref reader, row);
    }

    private static MalformedResponseException Malformed(string exchange, Uri url, string detail, ref Utf8JsonReader reader, int row) =>
        new(exchange, url, row >= 0
            ? $"{detail} (aggregate trade #{row + 1}, byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)})"
            : $"{detail} (byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)})");
}
