using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coinlake.Candles;
using Coinlake.Testing.Hosting;
using Coinlake.Trades;
using Microsoft.AspNetCore.Http;

namespace Coinlake.Testing.Kucoin;

/// <summary>
/// The WebSocket side of <see cref="FakeKucoinServer"/>, speaking KuCoin's spot protocol (docs-new "WebSocket"): a
/// connection (<c>/endpoint?token=..&amp;connectId=..</c>, as handed out by the fake's <c>POST /api/v1/bullet-public</c>)
/// without a token gets <c>{"type":"error","code":401,"data":"token is invalid"}</c>, else
/// <c>{"id":connectId,"type":"welcome"}</c>; <c>{"id","type":"ping"}</c> is answered <c>{"id","type":"pong","timestamp"}</c>;
/// <c>{"id","type":"subscribe","topic","response":true}</c> is acknowledged <c>{"id","type":"ack"}</c>. Topics:
/// <c>/market/candles:{symbol}_1min</c> (one symbol), <c>/market/match:{symbols}</c> and <c>/market/ticker:{symbols}</c>
/// (up to 100 comma-separated symbols); data is pushed per symbol (<c>/market/match:BTC-USDT</c>). Unknown topics or
/// symbols: <c>{"type":"error","code":404,"data":"topic .. is not found"}</c>. With
/// <see cref="FakeStreamHub.RefuseGroupedSubscriptions"/> a topic naming several symbols is refused with
/// <c>509</c> "exceed max subscription count limitation".
/// </summary>
/// <remarks>
/// Timeline: candle topics play the 1m candles registered with <see cref="FakeKucoinServer.AddSeries"/> through
/// <see cref="FakeCandleTimeline"/> as <c>trade.candles.update</c> messages (KuCoin marks none closed; the last update
/// of a candle equals the source candle); match topics push trade <c>step</c> of <see cref="FakeKucoinServer.AddTrades"/>
/// (<c>sequence</c> = trade id, time in ns); ticker topics push the candle in progress's close as last price, best bid
/// and ask. Decimals as KuCoin writes them (<see cref="FakeKucoinServer.Dec"/>).
/// </remarks>
public sealed class FakeKucoinStreamVenue : IFakeStreamVenue
{
    private const int SymbolsPerTopic = 100;

    private readonly Func<string, IReadOnlyList<Candle>?> _candles;
    private readonly Func<string, IReadOnlyList<Trade>?> _trades;
    private readonly Func<string, bool> _isKnown;
    private readonly ConcurrentDictionary<string, FakeCandleTimeline?> _timelines = new(StringComparer.Ordinal);

    /// <summary>Creates the venue over the server's data.</summary>
    /// <param name="candles">The 1m candles of a symbol id, or null.</param>
    /// <param name="trades">The trades of a symbol id in time order, or null.</param>
    /// <param name="isKnown">Whether the server lists a symbol id.</param>
    public FakeKucoinStreamVenue(Func<string, IReadOnlyList<Candle>?> candles, Func<string, IReadOnlyList<Trade>?> trades, Func<string, bool> isKnown)
    {
        _candles = candles;
        _trades = trades;
        _isKnown = isKnown;
    }

    /// <summary>Candle updates per candle (default 3).</summary>
    public int UpdatesPerCandle { get; set; } = 3;

    /// <summary>Every text frame clients sent (subscribes and pings), in arrival order.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    /// <summary>Query strings of the WebSocket connections (token and connectId), in connection order.</summary>
    public ConcurrentQueue<string> ConnectQueries { get; } = new();

    /// <inheritdoc/>
    public IEnumerable<string> OnConnected(FakeStreamSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        ConnectQueries.Enqueue(session.Query);
        var query = QueryHelpers(session.Query);
        if (!query.TryGetValue("token", out var token) || token.Length == 0)
        {
            return ["""{"id":"0","type":"error","code":401,"data":"token is invalid"}"""];
        }

        var connectId = query.TryGetValue("connectId", out var id) ? id : "fake";
        return [new JsonObject { ["id"] = connectId, ["type"] = "welcome" }.ToJsonString()];
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> TopicsFromUrl(HttpRequest request) => [];

    /// <inheritdoc/>
    public IEnumerable<string> OnMessage(FakeStreamSession session, string message)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(message);
        Received.Enqueue(message);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(message)!.AsObject();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return [Error("0", 400, "request parameters illegal")];
        }

        var id = root["id"]?.ToString() ?? "0";
        switch ((string?)root["type"])
        {
            case "ping":
                return [new JsonObject { ["id"] = id, ["type"] = "pong", ["timestamp"] = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() }.ToJsonString()];
            case "subscribe":
                break;
            default:
                return [Error(id, 400, "request parameters illegal")];
        }

        var topic = (string?)root["topic"] ?? "";
        var colon = topic.IndexOf(':', StringComparison.Ordinal);
        var prefix = colon < 0 ? topic : topic[..(colon + 1)];
        var ids = colon < 0 ? [] : topic[(colon + 1)..].Split(',');
        var candles = prefix == "/market/candles:";
        if (prefix is not ("/market/candles:" or "/market/match:" or "/market/ticker:") || ids.Length == 0 || (candles && ids.Length > 1))
        {
            return [Error(id, 404, $"topic {topic} is not found")];
        }

        if (ids.Length > SymbolsPerTopic || (session.Hub.RefuseGroupedSubscriptions && ids.Length > 1))
        {
            session.Hub.CountRefusal();
            return [Error(id, 509, $"exceed max subscription count limitation of {(session.Hub.RefuseGroupedSubscriptions ? 1 : SymbolsPerTopic)} per time")];
        }

        var pushTopics = new List<string>(ids.Length);
        foreach (var item in ids)
        {
            var symbol = candles ? item[..Math.Max(0, item.LastIndexOf('_'))] : item;
            if ((candles && !item.EndsWith("_1min", StringComparison.Ordinal)) || !_isKnown(symbol))
            {
                return [Error(id, 404, $"topic {prefix}{item} is not found")];
            }

            pushTopics.Add(prefix + item);
        }

        foreach (var t in pushTopics)
        {
            session.Topics[t] = true;
        }

        return (bool?)root["response"] == true ? [new JsonObject { ["id"] = id, ["type"] = "ack" }.ToJsonString()] : [];
    }

    /// <inheritdoc/>
    public IEnumerable<string> FramesAt(string topic, int step)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var colon = topic.IndexOf(':', StringComparison.Ordinal);
        var (prefix, item) = (topic[..(colon + 1)], topic[(colon + 1)..]);
        var (subject, data) = prefix switch
        {
            "/market/candles:" => ("trade.candles.update", CandleData(item[..item.LastIndexOf('_')], step)),
            "/market/match:" => ("trade.l3match", MatchData(item, step)),
            _ => ("trade.ticker", TickerData(item, step)),
        };
        if (data is not null)
        {
            yield return new JsonObject { ["type"] = "message", ["topic"] = topic, ["subject"] = subject, ["data"] = data }.ToJsonString();
        }
    }

    private static string Error(string id, int code, string text) =>
        new JsonObject { ["id"] = id, ["type"] = "error", ["code"] = code, ["data"] = text }.ToJsonString();

    private static Dictionary<string, string> QueryHelpers(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            result[Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq])] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
        }

        return result;
    }

    private (Candle Candle, bool IsClosed)? CandleAt(string id, int step)
    {
        var timeline = _timelines.GetOrAdd(id, key => _candles(key) is { Count: > 0 } c ? new FakeCandleTimeline(c, UpdatesPerCandle) : null);
        return timeline?.At(step);
    }

    private JsonObject? CandleData(string id, int step)
    {
        if (CandleAt(id, step) is not var (candle, _))
        {
            return null;
        }

        var turnover = candle.QuoteVolume ?? Math.Round(candle.Volume * candle.Close, 8, MidpointRounding.AwayFromZero);
        return new JsonObject
        {
            ["symbol"] = id,
            ["candles"] = new JsonArray(
                (candle.OpenTime / 1000).ToString(CultureInfo.InvariantCulture), FakeKucoinServer.Dec(candle.Open), FakeKucoinServer.Dec(candle.Close),
                FakeKucoinServer.Dec(candle.High), FakeKucoinServer.Dec(candle.Low), FakeKucoinServer.Dec(candle.Volume), FakeKucoinServer.Dec(turnover)),
            ["time"] = (candle.OpenTime + (step % UpdatesPerCandle * 1000L)) * 1_000_000,
        };
    }

    private JsonObject? MatchData(string id, int step)
    {
        if (_trades(id) is not { } trades || step >= trades.Count)
        {
            return null;
        }

        var t = trades[step];
        return new JsonObject
        {
            ["makerOrderId"] = "m" + t.Id, ["price"] = FakeKucoinServer.Dec(t.Price), ["sequence"] = t.Id,
            ["side"] = t.Side == TradeSide.Sell ? "sell" : "buy", ["size"] = FakeKucoinServer.Dec(t.Amount), ["symbol"] = id,
            ["takerOrderId"] = "t" + t.Id, ["time"] = (t.Timestamp * 1_000_000).ToString(CultureInfo.InvariantCulture),
            ["tradeId"] = t.Id, ["type"] = "match",
        };
    }

    private JsonObject? TickerData(string id, int step)
    {
        if (CandleAt(id, step) is not var (candle, _))
        {
            return null;
        }

        var last = FakeKucoinServer.Dec(candle.Close);
        return new JsonObject
        {
            ["sequence"] = (1_000_000L + step).ToString(CultureInfo.InvariantCulture), ["price"] = last, ["size"] = "0.01",
            ["bestAsk"] = last, ["bestAskSize"] = "1", ["bestBid"] = last, ["bestBidSize"] = "1",
            ["time"] = candle.OpenTime + (step % UpdatesPerCandle * 1000L),
        };
    }
}
