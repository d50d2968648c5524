using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Coinlake.Trades;

namespace Coinlake.Testing.Coinbase;

/// <summary>
/// Loaders of the real data the fake Coinbase server replays: the recorded products answer and ticker frames
/// (<c>captures/COINBASE.0</c>, <c>captures/COINBASE.ws.28.0</c>) and the trade files of <c>trades/</c>. Results are
/// cached; lists are shared and read-only.
/// </summary>
public static class CoinbaseTestData
{
    private static readonly Lazy<IReadOnlyList<Trade>> _bchEur = new(LoadKrakenTrades);
    private static readonly Lazy<IReadOnlyDictionary<string, FakeCoinbaseTicker>> _tickers = new(LoadTickers);
    private static readonly Lazy<string> _productsToday = new(() => ToTodaysSchema(RecordedProducts()));

    /// <summary>
    /// 12,477 real Binance XRP/ETH trades, 2019-10-11 to 2019-10-13 (<c>trades/freqtrade-XRP_ETH-trades.json.gz</c>,
    /// rows <c>[ts_ms, id, order, side, price, amount, cost]</c>): ids 13519807.. (contiguous), the file's taker side,
    /// prices (ETH) and amounts (XRP) exact from the JSON number text.
    /// </summary>
    public static IReadOnlyList<Trade> FreqtradeXrpEthTrades() => TradeData.FreqtradeXrpEth();

    /// <summary>
    /// The Kraken BCH/EUR trades of <c>trades/kraken-BCHEUR-trades.csv</c> (<c>ts_seconds,price,volume</c>, no header):
    /// ids 1, 2, 3 ... in file order, timestamps in ms, and — the file has no side — the taker side by the tick rule
    /// (an up-tick is a buy, a down-tick a sell, an unchanged price repeats the previous side; the first is a buy).
    /// </summary>
    public static IReadOnlyList<Trade> KrakenBchEurTrades() => _bchEur.Value;

    /// <summary>The recorded <c>GET /products</c> answer of 2021 (162 products, the schema before 2022-06-30).</summary>
    public static string RecordedProducts() => TestData.CapturePayload("COINBASE.0", "/products");

    /// <summary>The recorded products in today's documented schema (see <see cref="FakeCoinbaseOptions.ServeRecordedProducts"/>).</summary>
    public static string ProductsInTodaysSchema() => _productsToday.Value;

    /// <summary>
    /// The last recorded ticker frame of each product in <c>captures/COINBASE.ws.28.0</c> (the feed's <c>ticker</c>
    /// channel, April 2021), keyed by product id: price, best bid/ask, 24h open/high/low/volume, 30d volume, last trade.
    /// </summary>
    public static IReadOnlyDictionary<string, FakeCoinbaseTicker> RecordedTickers() => _tickers.Value;

    private static Trade[] LoadFreqtradeTrades()
    {
        var path = TestData.PathOf("trades/freqtrade-XRP_ETH-trades.json.gz");
        byte[] bytes;
        using (var file = File.OpenRead(path))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var memory = new MemoryStream())
        {
            gzip.CopyTo(memory);
            bytes = memory.ToArray();
        }

        var result = new List<Trade>(12_500);
        var reader = new Utf8JsonReader(bytes);
        try
        {
            Expect(ref reader, JsonTokenType.StartArray);
            while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
            {
                Expect(ref reader, JsonTokenType.Number);
                var ts = reader.GetInt64();
                Expect(ref reader, JsonTokenType.String);
                var id = reader.GetString()!;
                reader.Read(); // order id (null)
                Expect(ref reader, JsonTokenType.String);
                var side = reader.GetString() switch
                {
                    "buy" => TradeSide.Buy,
                    "sell" => TradeSide.Sell,
                    var s => throw new JsonException($"side '{s}' is neither buy nor sell"),
                };
                Expect(ref reader, JsonTokenType.Number);
                var price = decimal.Parse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture);
                Expect(ref reader, JsonTokenType.Number);
                var amount = decimal.Parse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture);
                reader.Read(); // cost
                Expect(ref reader, JsonTokenType.EndArray);
                result.Add(new Trade(id, ts, price, amount, side));
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{path}' is not a JSON array of [ts_ms, id, order, side, price, amount, cost] rows (at byte {reader.BytesConsumed}): {ex.Message}", ex);
        }

        return [.. result];

        static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
        {
            if (!reader.Read() || reader.TokenType != type)
            {
                throw new JsonException($"expected {type}, found {reader.TokenType}");
            }
        }
    }

    private static Trade[] LoadKrakenTrades()
    {
        var path = TestData.PathOf("trades/kraken-BCHEUR-trades.csv");
        var result = new List<Trade>();
        var side = TradeSide.Buy;
        decimal? previous = null;
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(',');
            if (parts.Length != 3
                || !decimal.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                || !decimal.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var price)
                || !decimal.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var volume))
            {
                throw new InvalidDataException($"'{path}' line {lineNumber}: expected 'ts_seconds,price,volume', found '{line}'.");
            }

            if (previous is { } p && price != p)
            {
                side = price > p ? TradeSide.Buy : TradeSide.Sell;
            }

            previous = price;
            result.Add(new Trade((result.Count + 1).ToString(CultureInfo.InvariantCulture), (long)decimal.Truncate(seconds * 1000), price, volume, side));
        }

        return [.. result];
    }

    private static Dictionary<string, FakeCoinbaseTicker> LoadTickers()
    {
        var path = TestData.PathOf("captures/COINBASE.ws.28.0");
        var tickers = new Dictionary<string, FakeCoinbaseTicker>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            var brace = line.IndexOf(": {\"type\":\"ticker\"", StringComparison.Ordinal);
            if (brace < 0)
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line.AsMemory(brace + 2));
            var r = doc.RootElement;
            string S(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            tickers[S("product_id")] = new FakeCoinbaseTicker(S("price"), S("best_bid"), S("best_ask"), S("open_24h"), S("high_24h"),
                S("low_24h"), S("volume_24h"), S("volume_30d"), r.GetProperty("trade_id").GetInt64(), S("last_size"), S("time"));
        }

        return tickers;
    }

    private static string ToTodaysSchema(string recorded)
    {
        using var doc = JsonDocument.Parse(recorded);
        var output = new MemoryStream();
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartArray();
            foreach (var p in doc.RootElement.EnumerateArray())
            {
                w.WriteStartObject();
                foreach (var name in new[] { "id", "base_currency", "quote_currency", "quote_increment", "base_increment", "display_name", "min_market_funds" })
                {
                    w.WriteString(name, p.TryGetProperty(name, out var v) ? v.GetString() : "");
                }

                foreach (var name in new[] { "margin_enabled", "post_only", "limit_only", "cancel_only" })
                {
                    w.WriteBoolean(name, p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True);
                }

                w.WriteString("status", p.GetProperty("status").GetString());
                w.WriteString("status_message", p.TryGetProperty("status_message", out var sm) ? sm.GetString() : "");
                w.WriteBoolean("trading_disabled", p.TryGetProperty("trading_disabled", out var td) && td.ValueKind == JsonValueKind.True);
                w.WriteBoolean("fx_stablecoin", false);
                w.WriteString("max_slippage_percentage", "0.10000000");
                w.WriteBoolean("auction_mode", false);
                w.WriteString("high_bid_limit_percentage", "");
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }
}
