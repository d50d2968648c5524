using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coinlake.Markets;
using Coinlake.Tickers;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Kucoin;

/// <summary>
/// Parses the non-kline answers of KuCoin's spot "Market Data" (source-generated <see cref="System.Text.Json"/>; these
/// answers are small or rare): "Get All Symbols" (<c>/api/v2/symbols</c>, also the retired <c>/api/v1/symbols</c>
/// shape, a subset of it), "Get Trade History" (<c>/api/v1/market/histories</c>), "Get All Tickers"
/// (<c>/api/v1/market/allTickers</c>) and "Get 24hr Stats" (<c>/api/v1/market/stats</c>).
/// </summary>
internal static class KucoinMarketData
{
    /// <summary>
    /// Markets of a symbols answer, named as ccxt names them: <c>baseCurrency/quoteCurrency</c> upper-cased (the
    /// current names: id <c>BCHSV-USDT</c> with base <c>BSV</c> is <c>BSV/USDT</c>; ids never change on a rename,
    /// names do, "Get All Symbols": <c>symbol</c> vs <c>name</c>). <c>enableTrading</c> means active. Entries
    /// without an id or with currency codes a unified symbol cannot hold are skipped.
    /// </summary>
    /// <exception cref="KucoinEnvelopeException">The envelope's code is not <c>200000</c>.</exception>
    /// <exception cref="MalformedResponseException">The body is not a symbols answer.</exception>
    public static IReadOnlyList<MarketInfo> ParseSymbols(ReadOnlySpan<byte> json, Uri url, string exchange)
    {
        var data = Deserialize(json, url, exchange, KucoinJsonContext.Default.EnvelopeListSymbolDto, "symbols");
        var markets = new List<MarketInfo>(data.Count);
        foreach (var s in data)
        {
            if (string.IsNullOrEmpty(s.Symbol) || string.IsNullOrEmpty(s.BaseCurrency) || string.IsNullOrEmpty(s.QuoteCurrency)
                || !Symbol.TryParse($"{s.BaseCurrency}/{s.QuoteCurrency}", out var symbol))
            {
                continue;
            }

            markets.Add(new MarketInfo(symbol, s.Symbol, MarketType.Spot, MarketSubtype.None, s.EnableTrading));
        }

        return markets;
    }

    /// <summary>
    /// Trades of a trade-history answer, ascending by time then sequence. Id = <c>sequence</c> (the answer has no
    /// trade id), timestamp = <c>time</c> (nanoseconds) floored to ms, side = the taker's side.
    /// </summary>
    /// <exception cref="KucoinEnvelopeException">The envelope's code is not <c>200000</c>.</exception>
    /// <exception cref="MalformedResponseException">The body is not a trade-history answer, or a value is missing or not a number.</exception>
    public static List<Trade> ParseTrades(ReadOnlySpan<byte> json, Uri url, string exchange)
    {
        var data = Deserialize(json, url, exchange, KucoinJsonContext.Default.EnvelopeListTradeDto, "trade history");
        var trades = new List<Trade>(data.Count);
        foreach (var t in data)
        {
            if (string.IsNullOrEmpty(t.Sequence) || t.Time is not { } ns || Dec(t.Price) is not { } price || Dec(t.Size) is not { } size)
            {
                throw new MalformedResponseException(exchange, url,
                    $"a trade lacks sequence, time, price or size (sequence '{t.Sequence}', time {t.Time}, price '{t.Price}', size '{t.Size}')");
            }

            var side = t.Side switch
            {
                "buy" => TradeSide.Buy,
                "sell" => TradeSide.Sell,
                _ => TradeSide.Unknown,
            };
            trades.Add(new Trade(t.Sequence, FloorDiv(ns, 1_000_000), price, size, side));
        }

        trades.Sort(static (a, b) => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : CompareIds(a.Id, b.Id));
        return trades;
    }

    /// <summary>The tickers of an all-tickers answer with the snapshot time (ms UTC), keyed by symbol id.</summary>
    /// <exception cref="KucoinEnvelopeException">The envelope's code is not <c>200000</c>.</exception>
    /// <exception cref="MalformedResponseException">The body is not an all-tickers answer.</exception>
    public static (long Time, IReadOnlyList<TickerDto> Tickers) ParseAllTickers(ReadOnlySpan<byte> json, Uri url, string exchange)
    {
        var data = Deserialize(json, url, exchange, KucoinJsonContext.Default.EnvelopeAllTickersDto, "all tickers");
        return (data.Time, data.Ticker ?? []);
    }

    /// <summary>The ticker of a 24h-stats answer (its <c>time</c> is in the DTO).</summary>
    /// <exception cref="KucoinEnvelopeException">The envelope's code is not <c>200000</c>.</exception>
    /// <exception cref="MalformedResponseException">The body is not a 24h-stats answer.</exception>
    public static TickerDto ParseStats(ReadOnlySpan<byte> json, Uri url, string exchange) =>
        Deserialize(json, url, exchange, KucoinJsonContext.Default.EnvelopeTickerDto, "24h stats");

    /// <summary>
    /// A unified ticker: last, bid (<c>buy</c>), ask (<c>sell</c>), high, low, base volume (<c>vol</c>), quote volume
    /// (<c>volValue</c>), change (<c>changePrice</c>), change % (<c>changeRate</c> × 100) and open = last − changePrice
    /// (KuCoin sends no open). Missing or null fields are null.
    /// </summary>
    public static Ticker ToTicker(Symbol symbol, TickerDto t, long time)
    {
        var last = Dec(t.Last);
        var change = Dec(t.ChangePrice);
        var rate = Dec(t.ChangeRate);
        return new Ticker(symbol, t.Time is > 0 ? t.Time.Value : time, last, Dec(t.Buy), Dec(t.Sell), Dec(t.High), Dec(t.Low),
            last is { } l && change is { } c ? l - c : null, Dec(t.Vol), Dec(t.VolValue), change, rate is { } r ? r * 100m : null);
    }

    private static T Deserialize<T>(ReadOnlySpan<byte> json, Uri url, string exchange, System.Text.Json.Serialization.Metadata.JsonTypeInfo<Envelope<T>> info, string what)
        where T : class
    {
        Envelope<T>? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(json, info);
        }
        catch (JsonException ex)
        {
            throw new MalformedResponseException(exchange, url, $"invalid {what} JSON: {ex.Message}", ex);
        }

        if (envelope?.Code is not { } code)
        {
            throw new MalformedResponseException(exchange, url, $"the {what} answer has no 'code'; expected {{\"code\":\"200000\",\"data\":...}}");
        }

        if (!string.Equals(code, KucoinErrors.Success, StringComparison.Ordinal))
        {
            throw new KucoinEnvelopeException(code, envelope.Msg);
        }

        return envelope.Data ?? throw new MalformedResponseException(exchange, url, $"the {what} answer has code 200000 but no 'data'");
    }

    private static decimal? Dec(string? text) =>
        !string.IsNullOrEmpty(text) && decimal.TryParse(text, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    private static long FloorDiv(long value, long divisor) => value >= 0 ? value / divisor : ((value + 1) / divisor) - 1;

    /// <summary>Numeric ids by value, others ordinally.</summary>
    internal static int CompareIds(string a, string b) =>
        a.Length != b.Length && a.All(char.IsAsciiDigit) && b.All(char.IsAsciiDigit) ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
}

/// <summary>KuCoin's answer envelope.</summary>
internal sealed class Envelope<T>
    where T : class
{
    [JsonConverter(typeof(CodeConverter))]
    public string? Code { get; set; }

    public string? Msg { get; set; }

    public T? Data { get; set; }
}

/// <summary>Reads <c>code</c> as text whether KuCoin sends <c>"200000"</c> or <c>200000</c>.</summary>
internal sealed class CodeConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"'code' should be a string, not {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>One entry of "Get All Symbols" (the fields Coinlake reads).</summary>
internal sealed class SymbolDto
{
    public string? Symbol { get; set; }

    public string? Name { get; set; }

    public string? BaseCurrency { get; set; }

    public string? QuoteCurrency { get; set; }

    public bool EnableTrading { get; set; }
}

/// <summary>One entry of "Get Trade History".</summary>
internal sealed class TradeDto
{
    public string? Sequence { get; set; }

    public string? Price { get; set; }

    public string? Size { get; set; }

    public string? Side { get; set; }

    /// <summary>Nanoseconds since the epoch.</summary>
    public long? Time { get; set; }
}

/// <summary>The <c>data</c> of "Get All Tickers".</summary>
internal sealed class AllTickersDto
{
    public long Time { get; set; }

    public List<TickerDto>? Ticker { get; set; }
}

/// <summary>One ticker of "Get All Tickers", or the <c>data</c> of "Get 24hr Stats".</summary>
internal sealed class TickerDto
{
    public string? Symbol { get; set; }

    public string? SymbolName { get; set; }

    public long? Time { get; set; }

    public string? Buy { get; set; }

    public string? Sell { get; set; }

    public string? ChangeRate { get; set; }

    public string? ChangePrice { get; set; }

    public string? High { get; set; }

    public string? Low { get; set; }

    public string? Vol { get; set; }

    public string? VolValue { get; set; }

    public string? Last { get; set; }
}

/// <summary>Source-generated JSON metadata of the KuCoin DTOs.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(Envelope<List<SymbolDto>>))]
[JsonSerializable(typeof(Envelope<List<TradeDto>>))]
[JsonSerializable(typeof(Envelope<AllTickersDto>))]
[JsonSerializable(typeof(Envelope<TickerDto>))]
internal sealed partial class KucoinJsonContext : JsonSerializerContext;
