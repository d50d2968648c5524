using System.Globalization;
using System.Text.Json;
using Coinlake.Tickers;

namespace Coinlake.Exchanges.Kraken.Rest;

/// <summary>
/// Parses <c>GET /0/public/Ticker</c> ("Market Data / Get Ticker Information"): <c>result</c> maps each pair key to
/// <c>{"a":[ask,whole lot vol,lot vol],"b":[bid,...],"c":[last price,lot vol],"v":[today,24h],"p":[vwap today,24h],
/// "t":[trades today,24h],"l":[low today,24h],"h":[high today,24h],"o":today's open}</c>. Mapped as ccxt does:
/// last = <c>c[0]</c>, bid = <c>b[0]</c>, ask = <c>a[0]</c>, high/low/base volume = the 24h values (<c>[1]</c>), quote
/// volume = 24h volume × 24h VWAP (Kraken sends no quote volume; its VWAP is rounded, so this is close, not exact),
/// open = <c>o</c> (Kraken's opening price of the UTC day, not the price 24h ago: Kraken gives none), change = last −
/// open, percent = change / open × 100 (8 decimals). Kraken sends no timestamp: the snapshot is stamped with the
/// receive time. Pairs the market table does not know (dark pools, pairs listed after it loaded) are skipped.
/// </summary>
internal static class KrakenTickerParser
{
    public static KrakenAnswer<List<Ticker>> Parse(ReadOnlySpan<byte> body, Uri url, string exchange, KrakenMarketTable table, long receivedAt) =>
        KrakenEnvelope.Read(body, url, exchange, (ref Utf8JsonReader reader, Uri u) => ReadResult(ref reader, u, exchange, table, receivedAt));

    private static List<Ticker> ReadResult(ref Utf8JsonReader reader, Uri url, string exchange, KrakenMarketTable table, long receivedAt)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedResponseException(exchange, url, $"Ticker 'result' is {doc.RootElement.ValueKind}, not an object of pairs");
        }

        var tickers = new List<Ticker>();
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            if (!table.TryGetByName(property.Name, out var pair))
            {
                continue;
            }

            var t = property.Value;
            if (t.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedResponseException(exchange, url, $"the ticker of '{property.Name}' is {t.ValueKind}, not an object");
            }

            var last = Item(t, "c", 0, property.Name);
            var open = Item(t, "o", null, property.Name);
            var baseVolume = Item(t, "v", 1, property.Name);
            var vwap = Item(t, "p", 1, property.Name);
            var change = last is { } l && open is { } o ? l - o : (decimal?)null;
            var percent = change is { } ch && open is { } op && op != 0 ? decimal.Round(ch / op * 100m, 8, MidpointRounding.AwayFromZero) : (decimal?)null;
            tickers.Add(new Ticker(
                pair.Market.Symbol,
                receivedAt,
                last,
                Item(t, "b", 0, property.Name),
                Item(t, "a", 0, property.Name),
                Item(t, "h", 1, property.Name),
                Item(t, "l", 1, property.Name),
                open,
                baseVolume,
                baseVolume is { } bv && vwap is { } vw ? bv * vw : null,
                change,
                percent));
        }

        return tickers;

        decimal? Item(JsonElement ticker, string name, int? index, string pairName)
        {
            if (!ticker.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (index is { } i)
            {
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() <= i)
                {
                    throw new MalformedResponseException(exchange, url, $"the ticker of '{pairName}' has a '{name}' that is not an array of at least {i + 1} values");
                }

                value = value[i];
            }

            var text = value.ValueKind is JsonValueKind.String ? value.GetString() : value.ValueKind is JsonValueKind.Number ? value.GetRawText() : null;
            return text is not null && decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var d)
                ? d
                : throw new MalformedResponseException(exchange, url, $"the ticker of '{pairName}' has a '{name}' value that is not a decimal ({value.GetRawText()})");
        }
    }
}
