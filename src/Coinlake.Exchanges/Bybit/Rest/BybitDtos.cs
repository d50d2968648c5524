using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coinlake.Exchanges.Bybit.Rest;

/// <summary>The <c>result</c> of "Get Instruments Info" (<c>/v5/market/instruments-info</c>), the fields Coinlake reads.</summary>
internal sealed class InstrumentsResultDto
{
    public string? Category { get; set; }

    public List<InstrumentDto>? List { get; set; }

    /// <summary>Cursor of the next page; empty on the last page (spot is never paged).</summary>
    public string? NextPageCursor { get; set; }
}

/// <summary>One instrument. Contract fields (<c>contractType</c>, <c>settleCoin</c>, <c>deliveryTime</c>) are absent for spot.</summary>
internal sealed class InstrumentDto
{
    public string? Symbol { get; set; }

    /// <summary><c>LinearPerpetual</c>, <c>LinearFutures</c>, <c>InversePerpetual</c>, <c>InverseFutures</c> ("Enums Definitions" / contractType).</summary>
    public string? ContractType { get; set; }

    /// <summary><c>PreLaunch</c>, <c>Trading</c>, <c>Delivering</c>, <c>Closed</c> ("Enums Definitions" / status).</summary>
    public string? Status { get; set; }

    public string? BaseCoin { get; set; }

    public string? QuoteCoin { get; set; }

    public string? SettleCoin { get; set; }

    /// <summary>Delivery time of a dated future, ms UTC as a string; <c>"0"</c> for perpetuals.</summary>
    public string? DeliveryTime { get; set; }
}

/// <summary>The <c>result</c> of "Get Recent Public Trades" (<c>/v5/market/recent-trade</c>).</summary>
internal sealed class RecentTradesResultDto
{
    public string? Category { get; set; }

    public List<TradeDto>? List { get; set; }
}

/// <summary>One public trade: <c>execId</c>, <c>price</c>, <c>size</c>, taker <c>side</c> (<c>Buy</c>/<c>Sell</c>), <c>time</c> (ms, string).</summary>
internal sealed class TradeDto
{
    public string? ExecId { get; set; }

    public string? Symbol { get; set; }

    public string? Price { get; set; }

    public string? Size { get; set; }

    public string? Side { get; set; }

    public string? Time { get; set; }

    public bool IsBlockTrade { get; set; }
}

/// <summary>The <c>result</c> of "Get Tickers" (<c>/v5/market/tickers</c>).</summary>
internal sealed class TickersResultDto
{
    public string? Category { get; set; }

    public List<TickerDto>? List { get; set; }
}

/// <summary>One ticker; every value is a string, <c>""</c> where not applicable.</summary>
internal sealed class TickerDto
{
    public string? Symbol { get; set; }

    public string? LastPrice { get; set; }

    public string? Bid1Price { get; set; }

    public string? Ask1Price { get; set; }

    public string? PrevPrice24h { get; set; }

    public string? Price24hPcnt { get; set; }

    public string? HighPrice24h { get; set; }

    public string? LowPrice24h { get; set; }

    public string? Turnover24h { get; set; }

    public string? Volume24h { get; set; }
}

/// <summary>Source-generated JSON metadata of the v5 DTOs (not the kline hot path, which uses <see cref="Utf8JsonReader"/> directly).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(LenientStringConverter)])]
[JsonSerializable(typeof(InstrumentsResultDto))]
[JsonSerializable(typeof(RecentTradesResultDto))]
[JsonSerializable(typeof(TickersResultDto))]
internal sealed partial class BybitJsonContext : JsonSerializerContext;

/// <summary>Reads a string field that Bybit may also send as a bare number or boolean (kept as its JSON text).</summary>
internal sealed class LenientStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        _ => throw new JsonException($"expected a string but found {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
