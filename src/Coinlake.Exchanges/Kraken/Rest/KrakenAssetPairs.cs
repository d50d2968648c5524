using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Coinlake.Markets;

namespace Coinlake.Exchanges.Kraken.Rest;

/// <summary>One tradable pair: its Kraken names and the unified market.</summary>
/// <param name="Key">The pair's key in AssetPairs (<c>XXBTZUSD</c>): the id sent as <c>pair</c> and used in answers.</param>
/// <param name="Altname">Alternate name (<c>XBTUSD</c>).</param>
/// <param name="Wsname">WebSocket name (<c>XBT/USD</c>), if any.</param>
/// <param name="Market">The unified market (<see cref="MarketInfo.Id"/> = <paramref name="Key"/>).</param>
internal sealed record KrakenPair(string Key, string Altname, string? Wsname, MarketInfo Market);

/// <summary>
/// Parses <c>GET /0/public/AssetPairs</c> ("Market Data / Get Tradable Asset Pairs"): <c>result</c> maps each pair key to
/// <c>{"altname":"XBTUSD","wsname":"XBT/USD","base":"XXBT","quote":"ZUSD","status":"online",...}</c>. The unified symbol
/// is built from <c>wsname</c>'s two altnames (<c>XBT/USD</c> → <c>BTC/USD</c>) or, without a wsname, from
/// <c>base</c>/<c>quote</c> through <see cref="KrakenSymbols.UnifiedCurrency"/>. Dark-pool pairs (keys ending in
/// <c>.d</c>) have no public market data and are skipped. A pair is active unless its <c>status</c> is
/// <c>cancel_only</c>, <c>delisted</c> or <c>maintenance</c> (pairs of older answers have no status: active).
/// </summary>
internal static class KrakenAssetPairs
{
    /// <exception cref="MalformedResponseException">The body is not an AssetPairs answer.</exception>
    public static KrakenAnswer<List<KrakenPair>> Parse(ReadOnlySpan<byte> body, Uri url, string exchange) =>
        KrakenEnvelope.Read(body, url, exchange, (ref Utf8JsonReader reader, Uri u) => ReadResult(ref reader, u, exchange));

    private static List<KrakenPair> ReadResult(ref Utf8JsonReader reader, Uri url, string exchange)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedResponseException(exchange, url, $"AssetPairs 'result' is {doc.RootElement.ValueKind}, not an object of pairs");
        }

        var pairs = new List<KrakenPair>();
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            var key = property.Name;
            if (key.EndsWith(".d", StringComparison.Ordinal))
            {
                continue; // dark pool: no OHLC, trades or ticker
            }

            var p = property.Value;
            if (p.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedResponseException(exchange, url, $"AssetPairs entry '{key}' is {p.ValueKind}, not an object");
            }

            var altname = Text(p, "altname") ?? key;
            var wsname = Text(p, "wsname");
            var baseCode = Text(p, "base");
            var quoteCode = Text(p, "quote");
            string unifiedBase, unifiedQuote;
            var slash = wsname?.IndexOf('/', StringComparison.Ordinal) ?? -1;
            if (wsname is not null && slash > 0 && slash < wsname.Length - 1)
            {
                unifiedBase = KrakenSymbols.Alias(wsname[..slash]);
                unifiedQuote = KrakenSymbols.Alias(wsname[(slash + 1)..]);
            }
            else if (baseCode is not null && quoteCode is not null)
            {
                unifiedBase = KrakenSymbols.UnifiedCurrency(baseCode);
                unifiedQuote = KrakenSymbols.UnifiedCurrency(quoteCode);
            }
            else
            {
                throw new MalformedResponseException(exchange, url, $"AssetPairs entry '{key}' has neither a wsname nor base and quote");
            }

            if (!Symbol.TryParse($"{unifiedBase}/{unifiedQuote}", out var symbol))
            {
                continue; // a code the unified syntax cannot carry: not collectable
            }

            var status = Text(p, "status");
            var active = status is null || status is not ("cancel_only" or "delisted" or "maintenance");
            pairs.Add(new KrakenPair(key, altname, wsname, new MarketInfo(symbol, key, MarketType.Spot, MarketSubtype.None, active)));
        }

        return pairs;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>The pairs of one AssetPairs answer, by unified symbol and by every Kraken name (key, altname, wsname).</summary>
internal sealed class KrakenMarketTable
{
    private readonly Dictionary<Symbol, KrakenPair> _bySymbol = [];
    private readonly Dictionary<string, KrakenPair> _byName = new(StringComparer.OrdinalIgnoreCase);

    public KrakenMarketTable(IEnumerable<KrakenPair> pairs)
    {
        foreach (var pair in pairs)
        {
            // First listing wins unless a later one is active and the first is not.
            if (!_bySymbol.TryGetValue(pair.Market.Symbol, out var existing) || (!existing.Market.Active && pair.Market.Active))
            {
                _bySymbol[pair.Market.Symbol] = pair;
            }
        }

        foreach (var pair in _bySymbol.Values)
        {
            _byName.TryAdd(pair.Key, pair);
        }

        foreach (var pair in _bySymbol.Values)
        {
            _byName.TryAdd(pair.Altname, pair);
            if (pair.Wsname is { } ws)
            {
                _byName.TryAdd(ws, pair);
            }
        }

        Markets = [.. _bySymbol.Values.Select(p => p.Market)];
    }

    public IReadOnlyList<MarketInfo> Markets { get; }

    public bool TryGet(Symbol symbol, [NotNullWhen(true)] out KrakenPair? pair) => _bySymbol.TryGetValue(symbol, out pair);

    /// <summary>By pair key (<c>XXBTZUSD</c>), altname (<c>XBTUSD</c>) or wsname (<c>XBT/USD</c>), case-insensitive.</summary>
    public bool TryGetByName(string name, [NotNullWhen(true)] out KrakenPair? pair) => _byName.TryGetValue(name, out pair);
}
