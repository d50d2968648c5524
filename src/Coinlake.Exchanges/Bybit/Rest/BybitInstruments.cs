using System.Globalization;
using System.Text.Json;
using Coinlake.Markets;

namespace Coinlake.Exchanges.Bybit.Rest;

/// <summary>A v5 product category ("Enums Definitions" / category). Options are not served by Coinlake.</summary>
internal enum BybitCategory
{
    /// <summary><c>spot</c>.</summary>
    Spot,

    /// <summary><c>linear</c>: USDT and USDC perpetuals and futures.</summary>
    Linear,

    /// <summary><c>inverse</c>: coin-margined perpetuals and futures.</summary>
    Inverse,
}

/// <summary>
/// Maps "Get Instruments Info" entries to unified markets, as ccxt names them:
/// spot <c>BTCUSDT</c> → <c>BTC/USDT</c>; linear <c>LinearPerpetual</c> <c>BTCUSDT</c> → <c>BTC/USDT:USDT</c> (USDC
/// <c>BTCPERP</c> → <c>BTC/USDC:USDC</c>); linear <c>LinearFutures</c> <c>BTC-29MAR24</c> → <c>BTC/USDC:USDC-240329</c>;
/// inverse <c>InversePerpetual</c> <c>BTCUSD</c> → <c>BTC/USD:BTC</c>; inverse <c>InverseFutures</c> <c>BTCUSDH24</c> →
/// <c>BTC/USD:BTC-240329</c>. The expiry is the UTC date of <c>deliveryTime</c> (or, when that is absent, the
/// <c>DDMMMYY</c> suffix of the id). Status <c>Trading</c> means active.
/// </summary>
internal static class BybitInstruments
{
    /// <summary>The category's wire name: <c>spot</c>, <c>linear</c>, <c>inverse</c>.</summary>
    public static string Name(this BybitCategory category) => category switch
    {
        BybitCategory.Spot => "spot",
        BybitCategory.Linear => "linear",
        BybitCategory.Inverse => "inverse",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, null),
    };

    /// <summary>The category that lists <paramref name="symbol"/> as <paramref name="type"/>: spot, or linear/inverse by settlement.</summary>
    public static BybitCategory CategoryOf(Symbol symbol, MarketType type) =>
        type == MarketType.Spot ? BybitCategory.Spot
        : symbol.ImpliedSubtype == MarketSubtype.Inverse ? BybitCategory.Inverse
        : BybitCategory.Linear;

    /// <summary>The categories listing markets of <paramref name="type"/>.</summary>
    public static IReadOnlyList<BybitCategory> CategoriesOf(MarketType type) =>
        type == MarketType.Spot ? [BybitCategory.Spot] : [BybitCategory.Linear, BybitCategory.Inverse];

    /// <summary>Reads one page of instruments; the reader is on the result's <c>{</c>.</summary>
    /// <exception cref="MalformedResponseException">The result is not an instruments object.</exception>
    public static (List<MarketInfo> Markets, string? NextCursor) ReadResult(ref Utf8JsonReader reader, Uri url, string exchange, BybitCategory category)
    {
        InstrumentsResultDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(ref reader, BybitJsonContext.Default.InstrumentsResultDto);
        }
        catch (JsonException ex)
        {
            throw new MalformedResponseException(exchange, url, $"invalid instruments-info result: {ex.Message}", ex);
        }

        if (dto?.List is null)
        {
            throw new MalformedResponseException(exchange, url, "the instruments-info result has no 'list' array");
        }

        var markets = new List<MarketInfo>(dto.List.Count);
        foreach (var instrument in dto.List)
        {
            if (ToMarket(instrument, category) is { } market)
            {
                markets.Add(market);
            }
        }

        return (markets, string.IsNullOrEmpty(dto.NextPageCursor) ? null : dto.NextPageCursor);
    }

    /// <summary>The unified market of an instrument, or null when it cannot be named (no coins, option, unknown expiry).</summary>
    public static MarketInfo? ToMarket(InstrumentDto d, BybitCategory category)
    {
        if (string.IsNullOrEmpty(d.Symbol) || string.IsNullOrEmpty(d.BaseCoin) || string.IsNullOrEmpty(d.QuoteCoin)
            || !Symbol.TryParse($"{d.BaseCoin}/{d.QuoteCoin}", out var pair))
        {
            return null;
        }

        var active = string.Equals(d.Status, "Trading", StringComparison.Ordinal);
        if (category == BybitCategory.Spot)
        {
            return new MarketInfo(pair, d.Symbol, MarketType.Spot, MarketSubtype.None, active);
        }

        var inverse = category == BybitCategory.Inverse;
        var settle = string.IsNullOrEmpty(d.SettleCoin) ? (inverse ? pair.Base : pair.Quote) : d.SettleCoin.ToUpperInvariant();
        var subtype = inverse ? MarketSubtype.Inverse : MarketSubtype.Linear;
        var contractType = d.ContractType ?? "";
        var delivery = long.TryParse(d.DeliveryTime, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 0;
        var perpetual = contractType.EndsWith("Perpetual", StringComparison.Ordinal) || (contractType.Length == 0 && delivery == 0);
        if (perpetual)
        {
            return new MarketInfo(pair with { Settle = settle }, d.Symbol, MarketType.Swap, subtype, active);
        }

        var expiry = delivery > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds(delivery).UtcDateTime.ToString("yyMMdd", CultureInfo.InvariantCulture)
            : ExpiryFromId(d.Symbol);
        return expiry is null
            ? null
            : new MarketInfo(pair with { Settle = settle, Expiry = expiry }, d.Symbol, MarketType.Future, subtype, active);
    }

    /// <summary>The expiry of a linear future id ending in <c>-DDMMMYY</c> (<c>BTC-29MAR24</c> → <c>240329</c>), else null.</summary>
    internal static string? ExpiryFromId(string id)
    {
        var dash = id.LastIndexOf('-');
        return dash >= 0 && DateTime.TryParseExact(id.AsSpan(dash + 1), ["dMMMyy", "ddMMMyy"], CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            ? date.ToString("yyMMdd", CultureInfo.InvariantCulture)
            : null;
    }
}
