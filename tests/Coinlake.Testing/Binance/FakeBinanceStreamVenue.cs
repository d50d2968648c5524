using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Testing.Hosting;
using Coinlake.Trades;
using Microsoft.AspNetCore.Http;

namespace Coinlake.Testing.Binance;

/// <summary>
/// The WebSocket side of <see cref="FakeBinanceServer"/>: Binance's combined streams (spot <c>/stream</c>, USDⓈ-M
/// <c>/market/stream</c>, also <c>?streams=a/b</c> in the URL), live <c>SUBSCRIBE</c> / <c>LIST_SUBSCRIPTIONS</c>
/// requests ("Live Subscribing/Unsubscribing to streams"), and the streams <c>&lt;id&gt;@kline_1m</c>,
/// <c>&lt;id&gt;@aggTrade</c> and <c>&lt;id&gt;@ticker</c> rendered from the data registered with the REST fake
/// (<see cref="FakeBinanceServer.AddSeries"/>, <see cref="FakeBinanceServer.AddTrades"/>).
/// </summary>
/// <remarks>
/// Timeline: step <c>s</c> shows 1m candle <c>s / UpdatesPerCandle</c> counted from <see cref="StartTime"/> (the first
/// registered candle when null) as <see cref="FakeCandleTimeline"/> plays it: in progress (<c>x:false</c>) then, at the
/// candle's last step, complete and closed (<c>x:true</c>), with the REST fake's defaults (quote volume = volume × close
/// rounded to 8 decimals, trade count 0) so a closed stream candle equals the REST kline. Each step also sends the
/// aggregate trades whose time falls in the step's share of the minute, and one 24hr ticker computed from the candles of
/// the 24 h before the step's time. Other kline intervals send nothing. With
/// <see cref="FakeStreamHub.RefuseGroupedSubscriptions"/>, a SUBSCRIBE naming more than one symbol is answered
/// <c>{"code":2,"msg":"Invalid request: too many parameters","id":…}</c> (the "Error Messages" form) and subscribes nothing.
/// </remarks>
public sealed class FakeBinanceStreamVenue : IFakeStreamVenue
{
    private const long MinuteMs = 60_000;
    private readonly KlineStore _store;
    private readonly TradeStore _trades;
    private readonly Func<string, FakeMarket, FakeBook?> _book;

    internal FakeBinanceStreamVenue(KlineStore store, TradeStore trades, Func<string, FakeMarket, FakeBook?> book)
    {
        _store = store;
        _trades = trades;
        _book = book;
    }

    /// <summary>Open time (ms UTC) of the candle played at step 0; null: each symbol's first registered 1m candle.</summary>
    public long? StartTime { get; set; }

    /// <summary>Updates per candle (the last one closes it). Default 3.</summary>
    public int UpdatesPerCandle { get; set; } = 3;

    /// <summary>Every text frame clients sent, in arrival order (SUBSCRIBE, LIST_SUBSCRIPTIONS, ...).</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    /// <summary>The candles a topic's series plays, from <see cref="StartTime"/> on (spot or futures 1m last-price candles).</summary>
    public IReadOnlyList<Candle> CandlesOf(string symbolId, FakeMarket market)
    {
        var all = _store.Get(symbolId, market, PriceType.Last);
        var start = StartTime is { } t ? LowerBound(all, t) : 0;
        return new ArraySegment<Candle>(all, start, all.Length - start);
    }

    /// <inheritdoc />
    public IEnumerable<string> OnConnected(FakeStreamSession session) => [];

    /// <inheritdoc />
    public IReadOnlyList<string> TopicsFromUrl(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var streams = request.Query["streams"].ToString();
        var market = MarketOf(request.Path.Value ?? "");
        return string.IsNullOrEmpty(streams) ? [] : streams.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => Topic(market, s)).ToList();
    }

    /// <inheritdoc />
    public IEnumerable<string> OnMessage(FakeStreamSession session, string message)
    {
        ArgumentNullException.ThrowIfNull(session);
        Received.Enqueue(message);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message);
        }
        catch (JsonException ex)
        {
            return [Error(3, $"Invalid JSON: {ex.Message}", "null")];
        }

        using (document)
        {
            var root = document.RootElement;
            var id = root.TryGetProperty("id", out var idElement) ? idElement.GetRawText() : "null";
            var method = root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            var market = MarketOf(session.Path);
            switch (method)
            {
                case "SUBSCRIBE":
                    var streams = root.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Array
                        ? p.EnumerateArray().Select(e => e.GetString() ?? "").ToList()
                        : [];
                    if (session.Hub.RefuseGroupedSubscriptions && streams.Select(s => s.Split('@')[0]).Distinct(StringComparer.Ordinal).Count() > 1)
                    {
                        session.Hub.CountRefusal();
                        return [Error(2, "Invalid request: too many parameters", id)];
                    }

                    foreach (var stream in streams)
                    {
                        session.Topics[Topic(market, stream)] = true;
                    }

                    return [$"{{\"result\":null,\"id\":{id}}}"];
                case "LIST_SUBSCRIPTIONS":
                    var names = session.Topics.Keys.Select(t => JsonSerializer.Serialize(t[(t.IndexOf('|', StringComparison.Ordinal) + 1)..]));
                    return [$"{{\"result\":[{string.Join(',', names)}],\"id\":{id}}}"];
                default:
                    return [Error(2, $"Invalid request: unknown variant {method}, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`", id)];
            }
        }
    }

    /// <inheritdoc />
    public IEnumerable<string> FramesAt(string topic, int step)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var bar = topic.IndexOf('|', StringComparison.Ordinal);
        var market = topic[..bar] == "futures" ? FakeMarket.Futures : FakeMarket.Spot;
        var stream = topic[(bar + 1)..];
        var at = stream.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0)
        {
            yield break;
        }

        var symbolId = stream[..at].ToUpperInvariant();
        var kind = stream[(at + 1)..];
        var updates = Math.Max(1, UpdatesPerCandle);
        var candles = CandlesOf(symbolId, market);
        var timeline = new FakeCandleTimeline(candles, updates);
        if (timeline.At(step) is not var (candle, closed))
        {
            yield break;
        }

        var stepStart = candle.OpenTime + (step % updates * MinuteMs / updates);
        var stepEnd = candle.OpenTime + ((step % updates + 1) * MinuteMs / updates);
        var eventTime = stepEnd - 1;
        switch (kind)
        {
            case "kline_1m":
                yield return Wrap(stream, KlinePayload(symbolId, candle, closed, eventTime));
                break;
            case "aggTrade":
                foreach (var trade in _trades.Get(symbolId, market))
                {
                    if (trade.Trade.Timestamp >= stepStart && trade.Trade.Timestamp < stepEnd)
                    {
                        yield return Wrap(stream, AggTradePayload(symbolId, trade, market == FakeMarket.Spot));
                    }
                }

                break;
            case "ticker":
                yield return Wrap(stream, TickerPayload(symbolId, market, eventTime));
                break;
        }
    }

    private static FakeMarket MarketOf(string path) =>
        path.StartsWith("/market", StringComparison.Ordinal) || path.StartsWith("/public", StringComparison.Ordinal) ? FakeMarket.Futures : FakeMarket.Spot;

    private static string Topic(FakeMarket market, string stream) => (market == FakeMarket.Futures ? "futures|" : "spot|") + stream;

    private static string Error(int code, string msg, string id) =>
        string.Create(CultureInfo.InvariantCulture, $"{{\"code\":{code},\"msg\":{JsonSerializer.Serialize(msg)},\"id\":{id}}}");

    private static string Wrap(string stream, string payload) => $"{{\"stream\":\"{stream}\",\"data\":{payload}}}";

    private static string KlinePayload(string symbolId, Candle c, bool closed, long eventTime)
    {
        var quote = c.QuoteVolume ?? decimal.Round(c.Volume * c.Close, 8, MidpointRounding.AwayFromZero);
        var sb = new StringBuilder(400);
        sb.Append(CultureInfo.InvariantCulture, $"{{\"e\":\"kline\",\"E\":{eventTime},\"s\":\"{symbolId}\",\"k\":{{\"t\":{c.OpenTime},\"T\":{c.OpenTime + MinuteMs - 1},");
        sb.Append(CultureInfo.InvariantCulture, $"\"s\":\"{symbolId}\",\"i\":\"1m\",\"f\":0,\"L\":0,\"o\":\"{KlineJson.Format(c.Open)}\",\"c\":\"{KlineJson.Format(c.Close)}\",");
        sb.Append(CultureInfo.InvariantCulture, $"\"h\":\"{KlineJson.Format(c.High)}\",\"l\":\"{KlineJson.Format(c.Low)}\",\"v\":\"{KlineJson.Format(c.Volume)}\",\"n\":{c.TradeCount ?? 0},");
        sb.Append(CultureInfo.InvariantCulture, $"\"x\":{(closed ? "true" : "false")},\"q\":\"{KlineJson.Format(quote)}\",\"V\":\"0\",\"Q\":\"0\",\"B\":\"0\"}}}}");
        return sb.ToString();
    }

    private static string AggTradePayload(string symbolId, StoredTrade s, bool spot) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{{\"e\":\"aggTrade\",\"E\":{s.Trade.Timestamp},\"s\":\"{symbolId}\",\"a\":{s.Id},\"p\":\"{KlineJson.Format(s.Trade.Price)}\",\"q\":\"{KlineJson.Format(s.Trade.Amount)}\",\"f\":{s.Id},\"l\":{s.Id},\"T\":{s.Trade.Timestamp},\"m\":{(s.Trade.Side == TradeSide.Sell ? "true" : "false")}{(spot ? ",\"M\":true" : "")}}}");

    private string TickerPayload(string symbolId, FakeMarket market, long eventTime)
    {
        // The REST fake's 24hr ticker of the same instant, renamed to the stream's one-letter fields ("Individual Symbol Ticker Streams").
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            MarketDataJson.Ticker24h(writer, symbolId, _store.Get(symbolId, market, PriceType.Last), eventTime + 1, market == FakeMarket.Spot, _book(symbolId, market));
        }

        using var rest = JsonDocument.Parse(buffer.WrittenMemory);
        var r = rest.RootElement;
        string S(string name) => r.TryGetProperty(name, out var v) ? v.GetString() ?? "0" : "0";
        var sb = new StringBuilder(512);
        sb.Append(CultureInfo.InvariantCulture, $"{{\"e\":\"24hrTicker\",\"E\":{eventTime},\"s\":\"{symbolId}\",\"p\":\"{S("priceChange")}\",\"P\":\"{S("priceChangePercent")}\",");
        sb.Append(CultureInfo.InvariantCulture, $"\"w\":\"{S("weightedAvgPrice")}\",\"c\":\"{S("lastPrice")}\",\"Q\":\"{S("lastQty")}\",");
        if (market == FakeMarket.Spot)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\"x\":\"{S("prevClosePrice")}\",\"b\":\"{S("bidPrice")}\",\"B\":\"{S("bidQty")}\",\"a\":\"{S("askPrice")}\",\"A\":\"{S("askQty")}\",");
        }

        sb.Append(CultureInfo.InvariantCulture, $"\"o\":\"{S("openPrice")}\",\"h\":\"{S("highPrice")}\",\"l\":\"{S("lowPrice")}\",\"v\":\"{S("volume")}\",\"q\":\"{S("quoteVolume")}\",");
        sb.Append(CultureInfo.InvariantCulture, $"\"O\":{r.GetProperty("openTime").GetInt64()},\"C\":{r.GetProperty("closeTime").GetInt64()},\"F\":{r.GetProperty("firstId").GetInt64()},\"L\":{r.GetProperty("lastId").GetInt64()},\"n\":{r.GetProperty("count").GetInt64()}}}");
        return sb.ToString();
    }

    private static int LowerBound(Candle[] candles, long time)
    {
        int lo = 0, hi = candles.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (candles[mid].OpenTime < time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

/// <summary>The WebSocket hook of the fake server: <see cref="Stream"/> plays <see cref="StreamVenue"/>'s frames.</summary>
public sealed partial class FakeBinanceServer
{
    private FakeStreamHub? _streamHub;
    private FakeBinanceStreamVenue? _streamVenue;

    /// <summary>Binance's stream dialect over this server's data (see <see cref="FakeBinanceStreamVenue"/>).</summary>
    public FakeBinanceStreamVenue StreamVenue => _streamVenue ??= new FakeBinanceStreamVenue(_store, _trades, (id, market) => _books.TryGetValue((id, market), out var b) ? b : null);

    /// <summary>The WebSocket timeline and its faults (drop, stall, malformed, refuse groups); created on first use. Dispose it to stop its timeline.</summary>
    public FakeStreamHub Stream => _streamHub ??= new FakeStreamHub(StreamVenue);

    /// <inheritdoc/>
    protected override FakeStreamHub? StreamHub => Stream;
}
