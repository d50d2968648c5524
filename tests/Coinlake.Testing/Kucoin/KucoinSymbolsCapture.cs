using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using System.Text.Json;

namespace Coinlake.Testing.Kucoin;

/// <summary>
/// KuCoin's symbol list recorded in <c>captures/KUCOIN.0</c> (the 2021 answer of the since retired
/// <c>GET /api/v1/symbols</c>, 634 symbols), and the same list in today's <c>GET /api/v2/symbols</c> schema. The capture
/// lacks the v2-only fields, which are filled with the documented defaults of an ordinary symbol: <c>minFunds</c> =
/// <c>quoteMinSize</c>, <c>feeCategory</c> 1, fee coefficients <c>"1.00"</c>, <c>st</c> false, call auction disabled
/// (its fields null), <c>tradingStartTime</c> null. Loaded once per process.
/// </summary>
public sealed class KucoinSymbolsCapture
{
    private static readonly Lazy<KucoinSymbolsCapture> _instance = new(Load);

    private KucoinSymbolsCapture(byte[] v1Body, IReadOnlyList<KucoinSymbolEntry> entries, string? error)
    {
        V1Body = v1Body;
        Entries = entries;
        Ids = entries.Select(e => e.Symbol).ToFrozenSet(StringComparer.Ordinal);
        ById = entries.DistinctBy(e => e.Symbol).ToFrozenDictionary(e => e.Symbol, StringComparer.Ordinal);
        Error = error;
    }

    /// <summary>The capture, loaded on first use.</summary>
    public static KucoinSymbolsCapture Instance => _instance.Value;

    /// <summary>The recorded <c>/api/v1/symbols</c> answer, byte for byte (empty when it could not be loaded).</summary>
    public byte[] V1Body { get; }

    /// <summary>The recorded symbols, in the recorded order.</summary>
    public IReadOnlyList<KucoinSymbolEntry> Entries { get; }

    /// <summary>The recorded symbol ids (e.g. <c>BTC-USDT</c>, <c>BCHSV-USDT</c>).</summary>
    public FrozenSet<string> Ids { get; }

    /// <summary>The recorded symbols by id.</summary>
    public FrozenDictionary<string, KucoinSymbolEntry> ById { get; }

    /// <summary>Why the capture could not be loaded, or null.</summary>
    public string? Error { get; }

    /// <summary>Renders a <c>/api/v2/symbols</c> answer of the recorded symbols plus <paramref name="extraIds"/> (ids of registered series not in the capture, split at '-').</summary>
    public byte[] RenderV2(IEnumerable<string> extraIds)
    {
        var output = new ArrayBufferWriter<byte>(256 * 1024);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("code", "200000");
            w.WriteStartArray("data");
            foreach (var e in Entries)
            {
                WriteV2(w, e);
            }

            foreach (var id in extraIds.Where(id => !Ids.Contains(id)).Order(StringComparer.Ordinal))
            {
                var dash = id.IndexOf('-', StringComparison.Ordinal);
                var (b, q) = dash > 0 ? (id[..dash], id[(dash + 1)..]) : (id, "USDT");
                WriteV2(w, new KucoinSymbolEntry(id, id, b, q, q, "USDS", "0.0001", "0.1", "10000000000", "99999999", "0.0001", "0.000001", "0.000001", "0.1", false, true));
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    private static void WriteV2(Utf8JsonWriter w, KucoinSymbolEntry e)
    {
        w.WriteStartObject();
        w.WriteString("symbol", e.Symbol);
        w.WriteString("name", e.Name);
        w.WriteString("baseCurrency", e.BaseCurrency);
        w.WriteString("quoteCurrency", e.QuoteCurrency);
        w.WriteString("feeCurrency", e.FeeCurrency);
        w.WriteString("market", e.Market);
        w.WriteString("baseMinSize", e.BaseMinSize);
        w.WriteString("quoteMinSize", e.QuoteMinSize);
        w.WriteString("baseMaxSize", e.BaseMaxSize);
        w.WriteString("quoteMaxSize", e.QuoteMaxSize);
        w.WriteString("baseIncrement", e.BaseIncrement);
        w.WriteString("quoteIncrement", e.QuoteIncrement);
        w.WriteString("priceIncrement", e.PriceIncrement);
        w.WriteString("priceLimitRate", e.PriceLimitRate);
        w.WriteString("minFunds", e.QuoteMinSize);
        w.WriteBoolean("isMarginEnabled", e.IsMarginEnabled);
        w.WriteBoolean("enableTrading", e.EnableTrading);
        w.WriteNumber("feeCategory", 1);
        w.WriteString("makerFeeCoefficient", "1.00");
        w.WriteString("takerFeeCoefficient", "1.00");
        w.WriteBoolean("st", false);
        w.WriteBoolean("callauctionIsEnabled", false);
        w.WriteNull("callauctionPriceFloor");
        w.WriteNull("callauctionPriceCeiling");
        w.WriteNull("callauctionFirstStageStartTime");
        w.WriteNull("callauctionSecondStageStartTime");
        w.WriteNull("callauctionThirdStageStartTime");
        w.WriteNull("tradingStartTime");
        w.WriteEndObject();
    }

    private static KucoinSymbolsCapture Load()
    {
        try
        {
            var body = Encoding.UTF8.GetBytes(TestData.CapturePayload("KUCOIN.0", "/api/v1/symbols"));
            using var doc = JsonDocument.Parse(body);
            var entries = new List<KucoinSymbolEntry>();
            foreach (var s in doc.RootElement.GetProperty("data").EnumerateArray())
            {
                entries.Add(new KucoinSymbolEntry(
                    Str(s, "symbol"), Str(s, "name"), Str(s, "baseCurrency"), Str(s, "quoteCurrency"), Str(s, "feeCurrency"), Str(s, "market"),
                    Str(s, "baseMinSize"), Str(s, "quoteMinSize"), Str(s, "baseMaxSize"), Str(s, "quoteMaxSize"), Str(s, "baseIncrement"),
                    Str(s, "quoteIncrement"), Str(s, "priceIncrement"), Str(s, "priceLimitRate"),
                    s.GetProperty("isMarginEnabled").GetBoolean(), s.GetProperty("enableTrading").GetBoolean()));
            }

            return new KucoinSymbolsCapture(body, entries, null);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new KucoinSymbolsCapture([], [], $"Captured KuCoin symbols unavailable: {ex.Message}");
        }

        static string Str(JsonElement e, string name) => e.GetProperty(name).GetString() ?? "";
    }
}

/// <summary>One recorded KuCoin symbol (the <c>/api/v1/symbols</c> fields).</summary>
public sealed record KucoinSymbolEntry(
    string Symbol, string Name, string BaseCurrency, string QuoteCurrency, string FeeCurrency, string Market,
    string BaseMinSize, string QuoteMinSize, string BaseMaxSize, string QuoteMaxSize, string BaseIncrement,
    string QuoteIncrement, string PriceIncrement, string PriceLimitRate, bool IsMarginEnabled, bool EnableTrading);
