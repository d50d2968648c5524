using System.Text.Json;
using System.Text.Json.Serialization;
using Coinlake.Markets;

namespace Coinlake.Exchanges.Coinbase;

/// <summary>
/// Maps the answer of "Get all known trading pairs" (<c>GET /products</c>) to unified markets. Coinbase Exchange lists
/// spot products only: id <c>BTC-USD</c> → <c>BTC/USD</c> (<c>base_currency</c>/<c>quote_currency</c>, upper case).
/// A product is active when <c>status</c> is <c>online</c> and <c>trading_disabled</c> is false. Both today's schema and
/// the one before 2022-06-30 (with the since removed <c>base_min_size</c>, <c>base_max_size</c>, <c>max_market_funds</c>)
/// are read: only <c>id</c>, <c>base_currency</c>, <c>quote_currency</c>, <c>status</c> and <c>trading_disabled</c> matter.
/// </summary>
internal static class CoinbaseProducts
{
    /// <summary>Parses a body into spot markets (entries without an id or currencies, or with codes no unified symbol can hold, are skipped).</summary>
    /// <exception cref="MalformedResponseException">The body is not a JSON array of products.</exception>
    public static IReadOnlyList<MarketInfo> Parse(ReadOnlySpan<byte> json, Uri url, string exchange)
    {
        List<ProductDto>? products;
        try
        {
            products = JsonSerializer.Deserialize(json, CoinbaseJsonContext.Default.ListProductDto);
        }
        catch (JsonException ex)
        {
            throw new MalformedResponseException(exchange, url, $"invalid products JSON: {ex.Message}", ex);
        }

        if (products is null)
        {
            throw new MalformedResponseException(exchange, url, "the products answer is null; expected a JSON array of products");
        }

        var markets = new List<MarketInfo>(products.Count);
        foreach (var p in products)
        {
            if (ToMarket(p) is { } market)
            {
                markets.Add(market);
            }
        }

        return markets;
    }

    /// <summary>The unified spot symbol of a product, or null when its codes are missing or unusable.</summary>
    internal static MarketInfo? ToMarket(ProductDto p)
    {
        if (string.IsNullOrEmpty(p.Id) || string.IsNullOrEmpty(p.BaseCurrency) || string.IsNullOrEmpty(p.QuoteCurrency)
            || !Symbol.TryParse($"{p.BaseCurrency}/{p.QuoteCurrency}", out var symbol))
        {
            return null;
        }

        var active = string.Equals(p.Status, "online", StringComparison.OrdinalIgnoreCase) && p.TradingDisabled != true;
        return new MarketInfo(symbol, p.Id, MarketType.Spot, MarketSubtype.None, active);
    }
}

/// <summary>The parts of a product Coinlake reads.</summary>
internal sealed class ProductDto
{
    public string? Id { get; set; }

    public string? BaseCurrency { get; set; }

    public string? QuoteCurrency { get; set; }

    public string? Status { get; set; }

    public bool? TradingDisabled { get; set; }
}

/// <summary>"Get product ticker" (<c>GET /products/{product_id}/ticker</c>): best bid/ask, last trade, 24h volume.</summary>
internal sealed class TickerDto
{
    public string? Ask { get; set; }

    public string? Bid { get; set; }

    public string? Volume { get; set; }

    public long? TradeId { get; set; }

    public string? Price { get; set; }

    public string? Size { get; set; }

    public string? Time { get; set; }
}

/// <summary>"Get product stats" (<c>GET /products/{product_id}/stats</c>): 24h open/high/low/last (quote) and volume (base).</summary>
internal sealed class StatsDto
{
    public string? Open { get; set; }

    public string? High { get; set; }

    public string? Low { get; set; }

    public string? Last { get; set; }

    public string? Volume { get; set; }

    [JsonPropertyName("volume_30day")]
    public string? Volume30Day { get; set; }
}

/// <summary>Source-generated JSON metadata of the Coinbase DTOs (snake_case names).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(List<ProductDto>))]
[JsonSerializable(typeof(TickerDto))]
[JsonSerializable(typeof(StatsDto))]
internal sealed partial class CoinbaseJsonContext : JsonSerializerContext;
