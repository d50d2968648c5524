using System.Globalization;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Time;

namespace Coinlake.Exchanges.Bybit.Rest;

/// <summary>How the fields of a v5 kline row map to a <see cref="Candle"/>.</summary>
internal enum BybitKlineShape
{
    /// <summary>
    /// Spot, USDT and USDC contracts ("Get Kline"): <c>[startTime, open, high, low, close, volume, turnover]</c>, volume in
    /// the base coin, turnover in the quote coin.
    /// </summary>
    Linear,

    /// <summary>
    /// Inverse contracts ("Get Kline": "Inverse contract: [volume] unit is quote coin (e.g., USD)", "[turnover] unit is
    /// base coin"): <see cref="Candle.Volume"/> is read from <c>turnover</c> (base) and <see cref="Candle.QuoteVolume"/>
    /// from <c>volume</c> (quote), as ccxt does, so the candle keeps Coinlake's units.
    /// </summary>
    Inverse,

    /// <summary>Mark and index price klines ("Get Mark Price Kline", "Get Index Price Kline"): <c>[startTime, open, high, low, close]</c>; volume 0.</summary>
    PriceOnly,
}

/// <summary>
/// Parses the <c>result</c> of a v5 kline answer straight from the response bytes with <see cref="Utf8JsonReader"/>
/// (no DOM, no per-row strings): <c>{"symbol":"BTCUSD","category":"inverse","list":[["1670608800000","17071","17073",
/// "17027","17055.5","268611","15.74462667"], ...]}</c>. Every field is a string; decimals are parsed exactly. Bybit
/// sorts <c>list</c> "in reverse by startTime" (newest first); the parser returns the candles ascending and unique by
/// open time whatever order they came in (a row repeated in a page is kept once).
/// </summary>
internal static class BybitKlineParser
{
    /// <summary>Reads a kline <c>result</c>; the reader is on its <c>{</c>.</summary>
    /// <exception cref="MalformedResponseException">Not such an object, no <c>list</c>, a row too short, a field not a number, or two different rows with one open time.</exception>
    public static List<Candle> ReadResult(ref Utf8JsonReader reader, Uri url, string exchange, BybitKlineShape shape)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new MalformedResponseException(exchange, url, $"the kline result is {BybitEnvelope.Describe(reader.TokenType)}, not an object");
        }

        List<Candle>? candles = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("list"u8))
            {
                reader.Read();
                candles = ReadList(ref reader, url, exchange, shape);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return candles ?? throw new MalformedResponseException(exchange, url, "the kline result has no 'list' array");
    }

    private static List<Candle> ReadList(ref Utf8JsonReader reader, Uri url, string exchange, BybitKlineShape shape)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new MalformedResponseException(exchange, url, $"the kline list is {BybitEnvelope.Describe(reader.TokenType)}, not an array");
        }

        var candles = new List<Candle>(1000);
        var descending = true;
        var ascending = true;
        var row = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new MalformedResponseException(exchange, url, $"kline #{row + 1} is {BybitEnvelope.Describe(reader.TokenType)}, not an array");
            }

            var candle = ReadRow(ref reader, url, exchange, shape, row);
            if (candles.Count > 0)
            {
                var previous = candles[^1].OpenTime;
                descending &= candle.OpenTime <= previous;
                ascending &= candle.OpenTime >= previous;
            }

            candles.Add(candle);
            row++;
        }

        if (descending)
        {
            candles.Reverse();
        }
        else if (!ascending)
        {
            candles.Sort(static (a, b) => a.OpenTime.CompareTo(b.OpenTime));
        }

        return Deduplicate(candles, url, exchange);
    }

    private static List<Candle> Deduplicate(List<Candle> candles, Uri url, string exchange)
    {
        var write = 0;
        for (var read = 0; read < candles.Count; read++)
        {
            if (write > 0 && candles[write - 1].OpenTime == candles[read].OpenTime)
            {
                if (candles[write - 1] != candles[read])
                {
                    throw new MalformedResponseException(exchange, url,
                        $"two different klines open at {TimeRange.FormatTime(candles[read].OpenTime)} in one page");
                }

                continue;
            }

            candles[write++] = candles[read];
        }

        candles.RemoveRange(write, candles.Count - write);
        return candles;
    }

    private static Candle ReadRow(ref Utf8JsonReader reader, Uri url, string exchange, BybitKlineShape shape, int row)
    {
        long openTime = 0;
        decimal open = 0, high = 0, low = 0, close = 0, volume = 0, turnover = 0;
        var field = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (field)
            {
                case 0: openTime = BybitEnvelope.ReadInt64(ref reader, exchange, url, "start time", row); break;
                case 1: open = BybitEnvelope.ReadDecimal(ref reader, exchange, url, "open", row); break;
                case 2: high = BybitEnvelope.ReadDecimal(ref reader, exchange, url, "high", row); break;
                case 3: low = BybitEnvelope.ReadDecimal(ref reader, exchange, url, "low", row); break;
                case 4: close = BybitEnvelope.ReadDecimal(ref reader, exchange, url, "close", row); break;
                case 5 when shape != BybitKlineShape.PriceOnly: volume = BybitEnvelope.ReadDecimal(ref reader, exchange, url, "volume", row); break;
                case 6 when shape != BybitKlineShape.PriceOnly: turnover = BybitEnvelope.ReadDecimal(ref reader, exchange, url, "turnover", row); break;
                default: reader.Skip(); break;
            }

            field++;
        }

        var needed = shape == BybitKlineShape.PriceOnly ? 5 : 7;
        if (field < needed)
        {
            throw new MalformedResponseException(exchange, url,
                $"kline #{(row + 1).ToString(CultureInfo.InvariantCulture)} has {field.ToString(CultureInfo.InvariantCulture)} fields; {needed.ToString(CultureInfo.InvariantCulture)} expected");
        }

        return shape switch
        {
            BybitKlineShape.Linear => new Candle(openTime, open, high, low, close, volume, turnover),
            BybitKlineShape.Inverse => new Candle(openTime, open, high, low, close, turnover, volume),
            _ => new Candle(openTime, open, high, low, close, 0),
        };
    }
}
