using System.Globalization;
using System.Text.Json;

namespace Coinlake.Testing.Bybit;

/// <summary>A v5 product category the fake serves.</summary>
public enum FakeBybitCategory
{
    /// <summary><c>spot</c>.</summary>
    Spot,

    /// <summary><c>linear</c>: USDT/USDC perpetuals and futures.</summary>
    Linear,

    /// <summary><c>inverse</c>: coin-margined perpetuals and futures.</summary>
    Inverse,
}

/// <summary>
/// One instrument as "Get Instruments Info" (<c>/v5/market/instruments-info</c>) describes it today.
/// </summary>
/// <param name="Symbol">Symbol name, e.g. <c>BTCUSDT</c>, <c>BTCUSDH24</c>, <c>BTC-29MAR24</c>.</param>
/// <param name="BaseCoin">Base coin.</param>
/// <param name="QuoteCoin">Quote coin.</param>
/// <param name="SettleCoin">Settle coin (derivatives); null for spot.</param>
/// <param name="ContractType"><c>LinearPerpetual</c>, <c>LinearFutures</c>, <c>InversePerpetual</c>, <c>InverseFutures</c>; null for spot.</param>
/// <param name="Status"><c>Trading</c>, <c>PreLaunch</c>, <c>Delivering</c>, <c>Closed</c>.</param>
/// <param name="DeliveryTime">Delivery time of a dated future, ms UTC; 0 for perpetuals and spot.</param>
/// <param name="TickSize">Price step, e.g. <c>0.5</c>.</param>
/// <param name="QtyStep">Quantity step.</param>
/// <param name="MinOrderQty">Minimum order quantity.</param>
/// <param name="MaxOrderQty">Maximum order quantity.</param>
/// <param name="PriceScale">Price decimals.</param>
public sealed record FakeBybitInstrument(
    string Symbol,
    string BaseCoin,
    string QuoteCoin,
    string? SettleCoin,
    string? ContractType,
    string Status,
    long DeliveryTime,
    string TickSize,
    string QtyStep,
    string MinOrderQty,
    string MaxOrderQty,
    int PriceScale)
{
    /// <summary>
    /// The instruments of each category built from the pre-v5 answer recorded in <c>captures/BYBIT.0</c>
    /// (<c>https://api.bybit.com/v2/public/symbols</c>, April 2021, 15 symbols). That schema is retired, so the v5
    /// answers are rebuilt from what it records, in today's documented schema: USDT-quoted symbols → <c>linear</c>
    /// <c>LinearPerpetual</c> settled in USDT; USD-quoted → <c>inverse</c>: <c>InversePerpetual</c> when the name equals the
    /// alias (<c>BTCUSD</c>), else <c>InverseFutures</c> delivering at 08:00 UTC on the date the alias ends with
    /// (<c>BTCUSDU21</c> alias <c>BTCUSD0924</c> → 2021-09-24), year from the name. Tick size, quantity filters and price
    /// scale are the recorded ones. The capture holds no spot list: <c>spot</c> lists the USDT pairs of the recorded
    /// linear contracts (all of which Bybit trades spot), with the same filters — a derivation, said here plainly.
    /// </summary>
    /// <exception cref="FileNotFoundException">The capture is absent (see <see cref="TestData.Root"/>).</exception>
    public static IReadOnlyDictionary<FakeBybitCategory, IReadOnlyList<FakeBybitInstrument>> FromCapture()
    {
        var body = TestData.CapturePayload("BYBIT.0", "/v2/public/symbols");
        using var doc = JsonDocument.Parse(body);
        var linear = new List<FakeBybitInstrument>();
        var inverse = new List<FakeBybitInstrument>();
        var spot = new List<FakeBybitInstrument>();
        foreach (var s in doc.RootElement.GetProperty("result").EnumerateArray())
        {
            var name = s.GetProperty("name").GetString()!;
            var alias = s.GetProperty("alias").GetString()!;
            var baseCoin = s.GetProperty("base_currency").GetString()!;
            var quote = s.GetProperty("quote_currency").GetString()!;
            var status = s.GetProperty("status").GetString()!;
            var scale = s.GetProperty("price_scale").GetInt32();
            var tick = s.GetProperty("price_filter").GetProperty("tick_size").GetString()!;
            var lot = s.GetProperty("lot_size_filter");
            var step = Text(lot.GetProperty("qty_step"));
            var min = Text(lot.GetProperty("min_trading_qty"));
            var max = Text(lot.GetProperty("max_trading_qty"));
            if (string.Equals(quote, "USDT", StringComparison.Ordinal))
            {
                linear.Add(new(name, baseCoin, quote, "USDT", "LinearPerpetual", status, 0, tick, step, min, max, scale));
                spot.Add(new(name, baseCoin, quote, null, null, status, 0, tick, step, min, max, scale));
            }
            else if (string.Equals(name, alias, StringComparison.Ordinal))
            {
                inverse.Add(new(name, baseCoin, quote, baseCoin, "InversePerpetual", status, 0, tick, step, min, max, scale));
            }
            else
            {
                // BTCUSDU21 / BTCUSD0924: month and day from the alias, year from the name.
                var monthDay = alias[^4..];
                var year = 2000 + int.Parse(name[^2..], CultureInfo.InvariantCulture);
                var delivery = new DateTimeOffset(year, int.Parse(monthDay[..2], CultureInfo.InvariantCulture),
                    int.Parse(monthDay[2..], CultureInfo.InvariantCulture), 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
                inverse.Add(new(name, baseCoin, quote, baseCoin, "InverseFutures", status, delivery, tick, step, min, max, scale));
            }
        }

        return new Dictionary<FakeBybitCategory, IReadOnlyList<FakeBybitInstrument>>
        {
            [FakeBybitCategory.Spot] = spot,
            [FakeBybitCategory.Linear] = linear,
            [FakeBybitCategory.Inverse] = inverse,
        };

        static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
    }

    /// <summary>Writes the instrument in the v5 schema of its category.</summary>
    internal void WriteTo(Utf8JsonWriter w, FakeBybitCategory category, int symbolId)
    {
        w.WriteStartObject();
        w.WriteString("symbol", Symbol);
        w.WriteNumber("symbolId", symbolId);
        if (category == FakeBybitCategory.Spot)
        {
            w.WriteString("baseCoin", BaseCoin);
            w.WriteString("quoteCoin", QuoteCoin);
            w.WriteString("innovation", "0");
            w.WriteString("status", Status);
            w.WriteString("marginTrading", "utaOnly");
            w.WriteString("stTag", "0");
            w.WriteStartObject("lotSizeFilter");
            w.WriteString("basePrecision", QtyStep);
            w.WriteString("quotePrecision", TickSize);
            w.WriteString("minOrderQty", MinOrderQty);
            w.WriteString("maxOrderQty", MaxOrderQty);
            w.WriteString("minOrderAmt", "5");
            w.WriteString("maxOrderAmt", "8000000");
            w.WriteEndObject();
            w.WriteStartObject("priceFilter");
            w.WriteString("tickSize", TickSize);
            w.WriteEndObject();
            w.WriteString("symbolType", "");
            w.WriteEndObject();
            return;
        }

        w.WriteString("contractType", ContractType);
        w.WriteString("status", Status);
        w.WriteString("baseCoin", BaseCoin);
        w.WriteString("quoteCoin", QuoteCoin);
        w.WriteString("launchTime", "1585526400000");
        w.WriteString("deliveryTime", DeliveryTime.ToString(CultureInfo.InvariantCulture));
        w.WriteString("deliveryFeeRate", DeliveryTime > 0 ? "0.0005" : "");
        w.WriteString("priceScale", PriceScale.ToString(CultureInfo.InvariantCulture));
        w.WriteStartObject("leverageFilter");
        w.WriteString("minLeverage", "1");
        w.WriteString("maxLeverage", "100.00");
        w.WriteString("leverageStep", "0.01");
        w.WriteEndObject();
        w.WriteStartObject("priceFilter");
        w.WriteString("minPrice", TickSize);
        w.WriteString("maxPrice", "1999999.80");
        w.WriteString("tickSize", TickSize);
        w.WriteEndObject();
        w.WriteStartObject("lotSizeFilter");
        w.WriteString("maxOrderQty", MaxOrderQty);
        w.WriteString("minOrderQty", MinOrderQty);
        w.WriteString("qtyStep", QtyStep);
        w.WriteString("postOnlyMaxOrderQty", MaxOrderQty);
        w.WriteString("maxMktOrderQty", MaxOrderQty);
        w.WriteString("minNotionalValue", "5");
        w.WriteEndObject();
        w.WriteBoolean("unifiedMarginTrade", true);
        w.WriteNumber("fundingInterval", DeliveryTime > 0 ? 0 : 480);
        w.WriteString("settleCoin", SettleCoin);
        w.WriteString("copyTrading", "none");
        w.WriteString("upperFundingRate", "0.00375");
        w.WriteString("lowerFundingRate", "-0.00375");
        w.WriteBoolean("isPreListing", false);
        w.WriteNull("preListingInfo");
        w.WriteString("symbolType", "");
        w.WriteEndObject();
    }
}
