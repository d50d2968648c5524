using System.Globalization;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Time;

namespace Coinlake.Exchanges.Kraken.Rest;

/// <summary>
/// One <c>/0/public/OHLC</c> answer: the rows as sent (the last one is the candle in progress) and the <c>last</c>
/// cursor (open time in seconds of the last committed candle).
/// </summary>
/// <param name="Rows">Candles in the order sent, open times in ms UTC.</param>
/// <param name="Last">The <c>last</c> field, seconds; null when absent.</param>
internal sealed record KrakenOhlcPage(List<Candle> Rows, long? Last);

/// <summary>
/// Parses <c>{"error":[],"result":{"XXBTZUSD":[[1688671200,"30306.1","30306.2","30305.7","30305.7","30306.1","3.39243896",23],...],"last":1688672160}}</c>
/// ("Market Data / Get OHLC Data": rows <c>[int time, string open, high, low, close, vwap, volume, int count]</c>, time
/// in seconds) with <see cref="Utf8JsonReader"/>, decimals exactly from their strings. Candle volume is the base
/// volume; the quote volume is left null (Kraken sends a rounded VWAP, not the quote volume); the trade count is
/// <c>count</c>.
/// </summary>
internal static class KrakenOhlcParser
{
    private const int Fields = 8;

    /// <exception cref="MalformedResponseException">The body is not an OHLC answer; the message names the URL, the row and the byte.</exception>
    public static KrakenAnswer<KrakenOhlcPage> Parse(ReadOnlySpan<byte> body, Uri url, string exchange) =>
        KrakenEnvelope.Read(body, url, exchange, (ref Utf8JsonReader reader, Uri u) => ReadResult(ref reader, u, exchange));

    private static KrakenOhlcPage ReadResult(ref Utf8JsonReader reader, Uri url, string exchange)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Malformed(exchange, url, $"'result' is {KrakenEnvelope.Describe(reader.TokenType)}, not an object", ref reader, -1);
        }

        List<Candle>? rows = null;
        long? last = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("last"u8))
            {
                reader.Read();
                last = KrakenEnvelope.TryInt64(ref reader, out var l) ? l
                    : throw Malformed(exchange, url, $"'last' is {KrakenEnvelope.Describe(reader.TokenType)}, not an integer", ref reader, -1);
                continue;
            }

            reader.Read();
            if (rows is not null || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip(); // one pair per request; anything else is not ours
                continue;
            }

            rows = ReadRows(ref reader, url, exchange);
        }

        return new KrakenOhlcPage(rows ?? [], last);
    }

    private static List<Candle> ReadRows(ref Utf8JsonReader reader, Uri url, string exchange)
    {
        var rows = new List<Candle>(721);
        var row = -1;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            row++;
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Malformed(exchange, url, $"expected an OHLC row array but found {KrakenEnvelope.Describe(reader.TokenType)}", ref reader, row);
            }

            rows.Add(ReadRow(ref reader, url, exchange, row));
        }

        return rows;
    }

    private static Candle ReadRow(ref Utf8JsonReader reader, Uri url, string exchange, int row)
    {
        long time = 0, count = 0;
        decimal open = 0, high = 0, low = 0, close = 0, volume = 0;
        var field = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (field)
            {
                case 0: time = Int(ref reader, url, exchange, row, "time"); break;
                case 1: open = Dec(ref reader, url, exchange, row, "open"); break;
                case 2: high = Dec(ref reader, url, exchange, row, "high"); break;
                case 3: low = Dec(ref reader, url, exchange, row, "low"); break;
                case 4: close = Dec(ref reader, url, exchange, row, "close"); break;
                case 5: _ = Dec(ref reader, url, exchange, row, "vwap"); break;
                case 6: volume = Dec(ref reader, url, exchange, row, "volume"); break;
                case 7: count = Int(ref reader, url, exchange, row, "count"); break;
                default: reader.Skip(); break;
            }

            field++;
        }

        if (field < Fields)
        {
            throw Malformed(exchange, url, $"an OHLC row has {field} fields; {Fields} expected [time, open, high, low, close, vwap, volume, count]", ref reader, row);
        }

        if (time is < 0 or > 100_000_000_000)
        {
            throw Malformed(exchange, url, $"the time {time} is not a Unix time in seconds", ref reader, row);
        }

        return new Candle(time * 1000, open, high, low, close, volume, null, count);
    }

    private static long Int(ref Utf8JsonReader reader, Uri url, string exchange, int row, string what) =>
        KrakenEnvelope.TryInt64(ref reader, out var value) ? value
            : throw Malformed(exchange, url, $"the {what} is not an integer ({KrakenEnvelope.Describe(reader.TokenType)})", ref reader, row);

    private static decimal Dec(ref Utf8JsonReader reader, Uri url, string exchange, int row, string what) =>
        KrakenEnvelope.TryDecimal(ref reader, out var value) ? value
            : throw Malformed(exchange, url, $"the {what} is not a decimal ({KrakenEnvelope.Describe(reader.TokenType)})", ref reader, row);

    private static MalformedResponseException Malformed(string exchange, Uri url, string detail, ref Utf8JsonReader reader, int row) =>
        new(exchange, url, row >= 0
            ? $"{detail} (OHLC row #{(row + 1).ToString(CultureInfo.InvariantCulture)}, byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)})"
            : $"{detail} (byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)})");

    /// <summary>Checks that <paramref name="openTime"/> is a valid open time of <paramref name="timeframe"/>.</summary>
    public static void CheckAligned(string exchange, Uri url, long openTime, Timeframe timeframe)
    {
        if (!timeframe.IsAligned(openTime))
        {
            throw new MalformedResponseException(exchange, url,
                $"an OHLC row opens at {TimeRange.FormatTime(openTime)}, which is not a {timeframe} boundary");
        }
    }
}
