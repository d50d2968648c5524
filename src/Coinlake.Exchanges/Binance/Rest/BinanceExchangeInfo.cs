using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coinlake.Markets;

namespace Coinlake.Exchanges.Binance;

/// <summary>
/// Maps an <c>exchangeInfo</c> answer (spot <c>/api/v3/exchangeInfo</c>, USDⓈ-M <c>/fapi/v1/exchangeInfo</c>) to
/// unified markets, the way ccxt names them: spot <c>BTCUSDT</c> → <c>BTC/USDT</c>; futures <c>BTCUSDT</c> with
/// contract type <c>PERPETUAL</c> → <c>BTC/USDT:USDT</c>; dated <c>BTCUSDT_210924</c> → <c>BTC/USDT:USDT-210924</c>
/// (expiry = the UTC date of <c>deliveryDate</c>). Status <c>TRADING</c> means active.
/// </summary>
internal static class BinanceExchangeInfo
{
    /// <summary>
    /// The <c>deliveryDate</c> Binance gives perpetual contracts (2100-12-25): a futures symbol with it but without a
    /// contract type (e.g. <c>BTCSTUSDT</c> while pending) is a perpetual.
    /// </summary>
    private const long PerpetualDeliveryDate = 4133404800000;

    /// <summary>Parses a body into markets and the advertised per-minute request weight limit.</summary>
    /// <exception cref="MalformedResponseException">The body is not an exchangeInfo object.</exception>
    public static (IReadOnlyList<MarketInfo> Markets, int? WeightLimitPerMinute) Parse(ReadOnlySpan<byte> json, Uri url, string exchange, bool futures)
    {
        ExchangeInfoDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(json, BinanceJsonContext.Default.ExchangeInfoDto);
        }
        catch (JsonException ex)
        {
            throw new MalformedResponseException(exchange, url, $"invalid exchangeInfo JSON: {ex.Message}", ex);
        }

        if (dto?.Symbols is null)
        {
            throw new MalformedResponseException(exchange, url, "the exchangeInfo answer has no 'symbols' array");
        }

        var markets = new List<MarketInfo>(dto.Symbols.Count);
        foreach (var s in dto.Symbols)
        {
            var market = futures ? ToFuturesMarket(s) : ToSpotMarket(s);
            if (market is not null)
            {
                markets.Add(market);
            }
        }

        int? limit = null;
        foreach (var r in dto.RateLimits ?? [])
        {
            if (string.Equals(r.RateLimitType, "REQUEST_WEIGHT", StringComparison.Ordinal)
                && string.Equals(r.Interval, "MINUTE", StringComparison.Ordinal) && r.IntervalNum == 1 && r.Limit > 0)
            {
                limit = r.Limit;
            }
        }

        return (markets, limit);
    }

    private static MarketInfo? ToSpotMarket(SymbolDto s)
    {
        if (!HasCodes(s))
        {
            return null;
        }

        return new MarketInfo(new Symbol(s.BaseAsset!.ToUpperInvariant(), s.QuoteAsset!.ToUpperInvariant()), s.Symbol!, MarketType.Spot,
            MarketSubtype.None, IsTrading(s));
    }

    private static MarketInfo? ToFuturesMarket(SymbolDto s)
    {
        if (!HasCodes(s))
        {
            return null;
        }

        var baseCode = s.BaseAsset!.ToUpperInvariant();
        var quote = s.QuoteAsset!.ToUpperInvariant();
        var settle = (string.IsNullOrEmpty(s.MarginAsset) ? quote : s.MarginAsset).ToUpperInvariant();
        var subtype = string.Equals(settle, baseCode, StringComparison.Ordinal) ? MarketSubtype.Inverse : MarketSubtype.Linear;
        var contractType = s.ContractType ?? "";
        if (contractType.Contains("PERPETUAL", StringComparison.Ordinal)
            || (contractType.Length == 0 && s.DeliveryDate is null or >= PerpetualDeliveryDate))
        {
            return new MarketInfo(new Symbol(baseCode, quote, settle), s.Symbol!, MarketType.Swap, subtype, IsTrading(s));
        }

        var expiry = s.DeliveryDate is { } delivery and > 0 and < PerpetualDeliveryDate
            ? DateTimeOffset.FromUnixTimeMilliseconds(delivery).UtcDateTime.ToString("yyMMdd", CultureInfo.InvariantCulture)
            : ExpiryFromId(s.Symbol!);
        return expiry is null
            ? null
            : new MarketInfo(new Symbol(baseCode, quote, settle, expiry), s.Symbol!, MarketType.Future, subtype, IsTrading(s));
    }

    private static string? ExpiryFromId(string id)
    {
        var underscore = id.LastIndexOf('_');
        var suffix = underscore < 0 ? "" : id[(underscore + 1)..];
        return suffix.Length == 6 && suffix.All(char.IsAsciiDigit) ? suffix : null;
    }

    private static bool HasCodes(SymbolDto s) =>
        !string.IsNullOrEmpty(s.Symbol) && !string.IsNullOrEmpty(s.BaseAsset) && !string.IsNullOrEmpty(s.QuoteAsset)
        && Symbol.TryParse($"{s.BaseAsset}/{s.QuoteAsset}", out _);

    private static bool IsTrading(SymbolDto s) => string.Equals(s.Status, "TRADING", StringComparison.Ordinal);
}

/// <summary>The parts of an exchangeInfo answer Coinlake reads.</summary>
internal sealed class ExchangeInfoDto
{
    public List<RateLimitDto>? RateLimits { get; set; }

    public List<SymbolDto>? Symbols { get; set; }
}

/// <summary>One <c>rateLimits</c> entry.</summary>
internal sealed class RateLimitDto
{
    public string? RateLimitType { get; set; }

    public string? Interval { get; set; }

    public int IntervalNum { get; set; }

    public int Limit { get; set; }
}

/// <summary>One <c>symbols</c> entry (spot and futures fields).</summary>
internal sealed class SymbolDto
{
    public string? Symbol { get; set; }

    public string? Pair { get; set; }

    public string? ContractType { get; set; }

    public long? DeliveryDate { get; set; }

    public string? Status { get; set; }

    public string? BaseAsset { get; set; }

    public string? QuoteAsset { get; set; }

    public string? MarginAsset { get; set; }
}

/// <summary>Source-generated JSON metadata of the exchangeInfo DTOs.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(ExchangeInfoDto))]
internal sealed partial class BinanceJsonContext : JsonSerializerContext;
