using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Time;

namespace Coinlake.Exchanges.Coinbase;

/// <summary>
/// Parses a Coinbase candles page ("Get product candles", <c>GET /products/{product_id}/candles</c>) straight from
/// the response bytes with <see cref="Utf8JsonReader"/> (no DOM). Shape: <c>[[time, low, high, open, close, volume], ...]</c>
/// — note LOW before HIGH before OPEN — with <c>time</c> the bucket start in Unix seconds and the prices/volume JSON
/// numbers, read exactly from their text (volume in the base currency). Rows come newest first.
/// </summary>
internal static class CoinbaseCandleParser
{
    private const string Item = "candle";

    /// <summary>
    /// Parses a page into candles ascending by open time, unique. Newest-first (the documented order), ascending or
    /// unordered rows are all accepted; a bucket repeated with identical values is kept once.
    /// </summary>
    /// <param name="json">The response body.</param>
    /// <param name="url">The request URL, named in errors.</param>
    /// <param name="exchange">Exchange id, for errors.</param>
    /// <exception cref="MalformedResponseException">Not such an array (truncated, wrong shape, unparsable number), or one
    /// bucket twice with different values; the message says what and where.</exception>
    public static List<Candle> Parse(ReadOnlySpan<byte> json, Uri url, string exchange)
    {
        if (json.IsEmpty)
        {
            throw new MalformedResponseException(exchange, url, "the body is empty; expected a JSON array of candles");
        }

        var candles = new List<Candle>(Math.Max(16, json.Length / 64));
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var row = -1;
        var descending = true;
        var ascending = true;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw CoinbaseJson.Malformed(exchange, url, $"expected a JSON array of candles but found {CoinbaseJson.Describe(reader.TokenType)}", ref reader, Item, row);
            }

            while (true)
            {
                CoinbaseJson.Next(ref reader, exchange, url, Item, row);
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                row++;
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw CoinbaseJson.Malformed(exchange, url, $"expected a candle array but found {CoinbaseJson.Describe(reader.TokenType)}", ref reader, Item, row);
                }

                var candle = ReadRow(ref reader, exchange, url, row);
                if (candles.Count > 0)
                {
                    var previous = candles[^1].OpenTime;
                    descending &= candle.OpenTime < previous;
                    ascending &= candle.OpenTime > previous;
                }

                candles.Add(candle);
            }

            if (reader.Read())
            {
                throw CoinbaseJson.Malformed(exchange, url, $"unexpected {CoinbaseJson.Describe(reader.TokenType)} after the end of the array", ref reader, Item, row);
            }
        }
        catch (JsonException ex)
        {
            throw CoinbaseJson.FromJsonException(exchange, url, json, ex, Item, row);
        }

        if (descending)
        {
            candles.Reverse();
        }
        else if (!ascending)
        {
            candles = SortUnique(candles, exchange, url);
        }

        return candles;
    }

    private static List<Candle> SortUnique(List<Candle> candles, string exchange, Uri url)
    {
        candles.Sort(static (a, b) => a.OpenTime.CompareTo(b.OpenTime));
        var unique = new List<Candle>(candles.Count);
        foreach (var c in candles)
        {
            if (unique.Count > 0 && unique[^1].OpenTime == c.OpenTime)
            {
                if (unique[^1] != c)
                {
                    throw new MalformedResponseException(exchange, url,
                        $"the bucket {TimeRange.FormatTime(c.OpenTime)} appears twice with different values ({unique[^1]} and {c})");
                }

                continue;
            }

            unique.Add(c);
        }

        return unique;
    }

    private static Candle ReadRow(ref Utf8JsonReader reader, string exchange, Uri url, int row)
    {
        long time = 0;
        decimal low = 0, high = 0, open = 0, close = 0, volume = 0;
        var field = 0;
        while (true)
        {
            CoinbaseJson.Next(ref reader, exchange, url, Item, row);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                break;
            }

            switch (field)
            {
                case 0:
                    if (!CoinbaseJson.TryReadInt64(ref reader, out time) || time is < 0 or > 253_402_300_799)
                    {
                        throw CoinbaseJson.Malformed(exchange, url, $"the time is not a Unix time in seconds ({CoinbaseJson.Describe(reader.TokenType)})", ref reader, Item, row);
                    }

                    break;
                case 1: low = Decimal(ref reader, exchange, url, row, "low"); break;
                case 2: high = Decimal(ref reader, exchange, url, row, "high"); break;
                case 3: open = Decimal(ref reader, exchange, url, row, "open"); break;
                case 4: close = Decimal(ref reader, exchange, url, row, "close"); break;
                case 5: volume = Decimal(ref reader, exchange, url, row, "volume"); break;
                default:
                    reader.Skip();
                    break;
            }

            field++;
        }

        if (field < 6)
        {
            throw CoinbaseJson.Malformed(exchange, url, $"a candle has {field} fields; [time, low, high, open, close, volume] expected", ref reader, Item, row);
        }

        return new Candle(time * 1000, open, high, low, close, volume);
    }

    private static decimal Decimal(ref Utf8JsonReader reader, string exchange, Uri url, int row, string what) =>
        CoinbaseJson.TryReadDecimal(ref reader, out var value)
            ? value
            : throw CoinbaseJson.Malformed(exchange, url, $"the {what} is not a decimal ({CoinbaseJson.Describe(reader.TokenType)})", ref reader, Item, row);
}
