using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Kraken.Rest;

/// <summary>One <c>/0/public/Trades</c> answer: trades as sent and the <c>last</c> cursor (nanoseconds since the epoch).</summary>
/// <param name="Trades">Trades in the order sent.</param>
/// <param name="TimesNs">Each trade's time in ns since the epoch (exact to the digits sent), parallel to <paramref name="Trades"/>.</param>
/// <param name="Last">The <c>last</c> cursor (ns), or null when absent.</param>
internal sealed record KrakenTradesPage(List<Trade> Trades, List<long> TimesNs, long? Last);

/// <summary>
/// Parses <c>{"error":[],"result":{"XXBTZUSD":[["30243.40000","0.34507674",1688669597.8277369,"b","m","",61044952],...],"last":"1688671969993150842"}}</c>
/// ("Market Data / Get Recent Trades": rows <c>[price, volume, time (s, fractional), side b/s, type m/l, misc, trade_id]</c>)
/// with <see cref="Utf8JsonReader"/>. Price (quote currency) and volume (base currency) are exact decimals; the time
/// becomes ms UTC (floored); side <c>b</c> → <see cref="TradeSide.Buy"/>, <c>s</c> → <see cref="TradeSide.Sell"/>;
/// the id is <c>trade_id</c>'s digits.
/// </summary>
internal static class KrakenTradesParser
{
    /// <exception cref="MalformedResponseException">The body is not a trades answer; the message names the URL, the row and the byte.</exception>
    public static KrakenAnswer<KrakenTradesPage> Parse(ReadOnlySpan<byte> body, Uri url, string exchange) =>
        KrakenEnvelope.Read(body, url, exchange, (ref Utf8JsonReader reader, Uri u) => ReadResult(ref reader, u, exchange));

    private static KrakenTradesPage ReadResult(ref Utf8JsonReader reader, Uri url, string exchange)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Malformed(exchange, url, $"'result' is {KrakenEnvelope.Describe(reader.TokenType)}, not an object", ref reader, -1);
        }

        var trades = new List<Trade>();
        var times = new List<long>();
        var seenPair = false;
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
            if (seenPair || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            seenPair = true;
            var row = -1;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                row++;
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw Malformed(exchange, url, $"expected a trade row array but found {KrakenEnvelope.Describe(reader.TokenType)}", ref reader, row);
                }

                var (trade, ns) = ReadRow(ref reader, url, exchange, row);
                trades.Add(trade);
                times.Add(ns);
            }
        }

        return new KrakenTradesPage(trades, times, last);
    }

    private static (Trade Trade, long TimeNs) ReadRow(ref Utf8JsonReader reader, Uri url, string exchange, int row)
    {
        decimal price = 0, volume = 0;
        long ns = 0;
        var side = TradeSide.Unknown;
        string? id = null;
        var field = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (field)
            {
                case 0: price = Dec(ref reader, url, exchange, row, "price"); break;
                case 1: volume = Dec(ref reader, url, exchange, row, "volume"); break;
                case 2: ns = TimeNs(ref reader, url, exchange, row); break;
                case 3:
                    side = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("b"u8) ? TradeSide.Buy
                        : reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("s"u8) ? TradeSide.Sell
                        : TradeSide.Unknown;
                    break;
                case 6:
                    id = KrakenEnvelope.TryInt64(ref reader, out var n) && n >= 0 ? n.ToString(CultureInfo.InvariantCulture)
                        : throw Malformed(exchange, url, $"the trade_id is not a non-negative integer ({KrakenEnvelope.Describe(reader.TokenType)})", ref reader, row);
                    break;
                default: reader.Skip(); break;
            }

            field++;
        }

        if (id is null)
        {
            throw Malformed(exchange, url,
                $"a trade row has {field} fields; 7 expected [price, volume, time, side, type, misc, trade_id] (the trade_id is needed to page without duplicates)",
                ref reader, row);
        }

        return (new Trade(id, ns / 1_000_000, price, volume, side), ns);
    }

    // Seconds with a fraction (1688669597.8277369) to ns, exactly from the digits sent (at most 9 fraction digits kept).
    private static long TimeNs(ref Utf8JsonReader reader, Uri url, string exchange, int row)
    {
        if (reader.TokenType is JsonTokenType.Number or JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var span = reader.ValueSpan;
            var dot = span.IndexOf((byte)'.');
            var whole = dot < 0 ? span : span[..dot];
            if (Utf8Parser.TryParse(whole, out long seconds, out var consumed) && consumed == whole.Length && whole.Length > 0
                && seconds is >= 0 and < 10_000_000_000)
            {
                long fraction = 0;
                var digits = 0;
                var ok = true;
                if (dot >= 0)
                {
                    foreach (var b in span[(dot + 1)..])
                    {
                        if (b is < (byte)'0' or > (byte)'9')
                        {
                            ok = false;
                            break;
                        }

                        if (digits < 9)
                        {
                            fraction = (fraction * 10) + (b - '0');
                            digits++;
                        }
                    }
                }

                if (ok)
                {
                    for (; digits < 9; digits++)
                    {
                        fraction *= 10;
                    }

                    return (seconds * 1_000_000_000) + fraction;
                }
            }
        }

        throw Malformed(exchange, url, $"the time is not Unix seconds ({KrakenEnvelope.Describe(reader.TokenType)} {Encoding.UTF8.GetString(reader.ValueSpan)})", ref reader, row);
    }

    private static decimal Dec(ref Utf8JsonReader reader, Uri url, string exchange, int row, string what) =>
        KrakenEnvelope.TryDecimal(ref reader, out var value) ? value
            : throw Malformed(exchange, url, $"the {what} is not a decimal ({KrakenEnvelope.Describe(reader.TokenType)})", ref reader, row);

    private static MalformedResponseException Malformed(string exchange, Uri url, string detail, ref Utf8JsonReader reader, int row) =>
        new(exchange, url, row >= 0
            ? $"{detail} (trade row #{(row + 1).ToString(CultureInfo.InvariantCulture)}, byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)})"
            : $"{detail} (byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)})");
}
