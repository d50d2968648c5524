using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Testing.Binance;
using Coinlake.Testing.Hosting;
using Coinlake.Trades;
using Microsoft.AspNetCore.Http;

namespace Coinlake.Testing.Bybit;

/// <summary>
/// The WebSocket side of <see cref="FakeBybitServer"/>: Bybit's v5 public streams (<c>/v5/public/spot|linear|inverse</c>;
/// "Connect", "How to Subscribe to Topics", "How to Send the Heartbeat Packet") over the data registered with the REST fake
/// (<see cref="FakeBybitServer.AddSeries"/>, <see cref="FakeBybitServer.AddTrades"/>).
/// </summary>
/// <remarks>
/// <para>
/// Requests: <c>{"op":"subscribe","args":[…],"req_id":"n"}</c> → <c>{"success":true,"ret_msg":"subscribe"|"",…,"op":"subscribe"}</c>
/// (spot refuses more than 10 args per request, as documented); <c>{"op":"ping"}</c> →
/// <c>{"success":true,"ret_msg":"pong",…,"op":"ping"}</c>. With <see cref="FakeStreamHub.RefuseGroupedSubscriptions"/>, a
/// subscribe naming more than one symbol is answered <c>{"success":false,"ret_msg":…,"op":"subscribe"}</c> and subscribes nothing.
/// </para>
/// <para>
/// Topics: <c>kline.1.{symbol}</c> plays the registered 1m candles (step <c>s</c> shows candle <c>s / UpdatesPerCandle</c>
/// in progress with <c>confirm:false</c>, its last step complete with <c>confirm:true</c>; quote volume as the REST fake
/// serves it, inverse volumes swapped as Bybit's units are); <c>publicTrade.{symbol}</c> sends the trades of the step's
/// share of the minute in one message; <c>tickers.{symbol}</c> answers the subscription with a snapshot (last = the
/// current candle's close, 24 h statistics of the candles before it) and then sends, for derivatives, deltas carrying only
/// <c>lastPrice</c> and <c>bid1Price</c>/<c>ask1Price</c> (spot: full snapshots, as Bybit's spot tickers are).
/// </para>
/// </remarks>
public sealed class FakeBybitStreamVenue : IFakeStreamVenue
{
    private const long MinuteMs = 60_000;
    private readonly KlineStore _store;
    private readonly ConcurrentDictionary<(FakeBybitCategory, string), Trade[]> _trades;

    internal FakeBybitStreamVenue(KlineStore store, ConcurrentDictionary<(FakeBybitCategory, string), Trade[]> trades)
    {
        _store = store;
        _trades = trades;
    }

    /// <summary>Updates per candle (the last one confirms it). Default 3.</summary>
    public int UpdatesPerCandle { get; set; } = 3;

    /// <summary>Every text frame clients sent, in arrival order.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    /// <summary>The registered 1m last-price candles of an instrument (what <c>kline.1.{symbol}</c> plays, from step 0).</summary>
    public IReadOnlyList<Candle> CandlesOf(FakeBybitCategory category, string symbolId) =>
        _store.Get(Key(category, symbolId), category == FakeBybitCategory.Spot ? FakeMarket.Spot : FakeMarket.Futures, PriceType.Last);

    /// <inheritdoc />
    public IEnumerable<string> OnConnected(FakeStreamSession session) => [];

    /// <inheritdoc />
    public IReadOnlyList<string> TopicsFromUrl(HttpRequest request) => [];

    /// <inheritdoc />
    public IEnumerable<string> OnMessage(FakeStreamSession session, string message)
    {
        ArgumentNullException.ThrowIfNull(session);
        Received.Enqueue(message);
        var category = CategoryOf(session.Path);
        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        var op = root.TryGetProperty("op", out var o) ? o.GetString() : null;
        var reqId = root.TryGetProperty("req_id", out var r) ? r.GetString() ?? "" : "";
        switch (op)
        {
            case "ping":
                return [Reply(true, "pong", reqId, "ping")];
            case "subscribe":
                var args = root.GetProperty("args").EnumerateArray().Select(a => a.GetString() ?? "").ToList();
                if (category == FakeBybitCategory.Spot && args.Count > 10)
                {
                    session.Hub.CountRefusal();
                    return [Reply(false, "args size >10", reqId, "subscribe")];
                }

                if (session.Hub.RefuseGroupedSubscriptions && args.Select(a => a[(a.LastIndexOf('.') + 1)..]).Distinct(StringComparer.Ordinal).Count() > 1)
                {
                    session.Hub.CountRefusal();
                    return [Reply(false, "error:too many symbols in one request", reqId, "subscribe")];
                }

                var frames = new List<string> { Reply(true, category == FakeBybitCategory.Spot ? "subscribe" : "", reqId, "subscribe") };
                foreach (var arg in args)
                {
                    session.Topics[$"{Name(category)}|{arg}"] = true;
                    if (arg.StartsWith("tickers.", StringComparison.Ordinal))
                    {
                        frames.Add(TickerFrame(category, arg, Math.Max(0, session.Hub.CurrentStep), snapshot: true));
                    }
                }

                return frames;
            default:
                return [Reply(false, $"error:unknown op {op}", reqId, op ?? "")];
        }
    }

    /// <inheritdoc />
    public IEnumerable<string> FramesAt(string topic, int step)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var bar = topic.IndexOf('|', StringComparison.Ordinal);
        var category = CategoryOf("/" + topic[..bar]);
        var name = topic[(bar + 1)..];
        var symbolId = name[(name.LastIndexOf('.') + 1)..];
        var updates = Math.Max(1, UpdatesPerCandle);
        if (new FakeCandleTimeline(CandlesOf(category, symbolId), updates).At(step) is not var (candle, closed))
        {
            yield break;
        }

        var stepStart = candle.OpenTime + (step % updates * MinuteMs / updates);
        var stepEnd = candle.OpenTime + ((step % updates + 1) * MinuteMs / updates);
        if (name.StartsWith("kline.1.", StringComparison.Ordinal))
        {
            yield return KlineFrame(category, name, candle, closed, stepEnd - 1);
        }
        else if (name.StartsWith("publicTrade.", StringComparison.Ordinal))
        {
            var trades = _trades.TryGetValue((category, symbolId), out var all) ? all.Where(t => t.Timestamp >= stepStart && t.Timestamp < stepEnd).ToList() : [];
            if (trades.Count > 0)
            {
                yield return TradeFrame(name, symbolId, trades, stepEnd - 1);
            }
        }
        else if (name.StartsWith("tickers.", StringComparison.Ordinal))
        {
            yield return TickerFrame(category, name, step, snapshot: category == FakeBybitCategory.Spot);
        }
    }

    private static string Key(FakeBybitCategory category, string symbolId) => $"{Name(category)}:{symbolId}";

    private static string Name(FakeBybitCategory category) => category switch
    {
        FakeBybitCategory.Spot => "spot",
        FakeBybitCategory.Linear => "linear",
        _ => "inverse",
    };

    private static FakeBybitCategory CategoryOf(string path) =>
        path.EndsWith("/inverse", StringComparison.Ordinal) ? FakeBybitCategory.Inverse
        : path.EndsWith("/linear", StringComparison.Ordinal) ? FakeBybitCategory.Linear
        : FakeBybitCategory.Spot;

    private static string Reply(bool success, string message, string reqId, string op) =>
        $"{{\"success\":{(success ? "true" : "false")},\"ret_msg\":{JsonSerializer.Serialize(message)},\"conn_id\":\"fake-conn\",\"req_id\":{JsonSerializer.Serialize(reqId)},\"op\":{JsonSerializer.Serialize(op)}}}";

    private static string F(decimal value) => FakeBybitServer.Format(value);

    private static string KlineFrame(FakeBybitCategory category, string topic, Candle c, bool closed, long time)
    {
        var quote = c.QuoteVolume ?? decimal.Round(c.Volume * c.Close, 8, MidpointRounding.AwayFromZero);
        var (volume, turnover) = category == FakeBybitCategory.Inverse ? (quote, c.Volume) : (c.Volume, quote);
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"topic\":\"{topic}\",\"data\":[{{\"start\":{c.OpenTime},\"end\":{c.OpenTime + MinuteMs - 1},\"interval\":\"1\",\"open\":\"{F(c.Open)}\",\"close\":\"{F(c.Close)}\",\"high\":\"{F(c.High)}\",\"low\":\"{F(c.Low)}\",\"volume\":\"{F(volume)}\",\"turnover\":\"{F(turnover)}\",\"confirm\":{(closed ? "true" : "false")},\"timestamp\":{time}}}],\"ts\":{time},\"type\":\"snapshot\"}}");
    }

    private static string TradeFrame(string topic, string symbolId, List<Trade> trades, long time)
    {
        var sb = new StringBuilder(64 + trades.Count * 140);
        sb.Append(CultureInfo.InvariantCulture, $"{{\"topic\":\"{topic}\",\"type\":\"snapshot\",\"ts\":{time},\"data\":[");
        for (var i = 0; i < trades.Count; i++)
        {
            var t = trades[i];
            sb.Append(i > 0 ? "," : "");
            sb.Append(CultureInfo.InvariantCulture,
                $"{{\"T\":{t.Timestamp},\"s\":\"{symbolId}\",\"S\":\"{(t.Side == TradeSide.Sell ? "Sell" : "Buy")}\",\"v\":\"{F(t.Amount)}\",\"p\":\"{F(t.Price)}\",\"L\":\"PlusTick\",\"i\":{JsonSerializer.Serialize(t.Id)},\"BT\":false}}");
        }

        return sb.Append("]}").ToString();
    }

    private string TickerFrame(FakeBybitCategory category, string topic, int step, bool snapshot)
    {
        var symbolId = topic[(topic.LastIndexOf('.') + 1)..];
        var candles = CandlesOf(category, symbolId);
        var updates = Math.Max(1, UpdatesPerCandle);
        var shown = new FakeCandleTimeline(candles, updates).At(step);
        var index = Math.Min(step / updates, Math.Max(0, candles.Count - 1));
        var last = shown?.Candle.Close ?? (candles.Count > 0 ? candles[index].Close : 0m);
        var time = candles.Count > 0 ? candles[index].OpenTime + ((step % updates + 1) * MinuteMs / updates) - 1 : 0;
        if (!snapshot)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"{{\"topic\":\"{topic}\",\"type\":\"delta\",\"data\":{{\"symbol\":\"{symbolId}\",\"lastPrice\":\"{F(last)}\",\"bid1Price\":\"{F(last)}\",\"ask1Price\":\"{F(last)}\"}},\"cs\":{step + 1},\"ts\":{time}}}");
        }

        // 24 h statistics of the closed candles before the current one.
        var from = Math.Max(0, index - 1440);
        decimal open = candles.Count > 0 ? candles[from].Open : 0m, high = last, low = last, volume = 0, turnover = 0;
        for (var i = from; i < index; i++)
        {
            high = Math.Max(high, candles[i].High);
            low = Math.Min(low, candles[i].Low);
            volume += candles[i].Volume;
            turnover += candles[i].QuoteVolume ?? decimal.Round(candles[i].Volume * candles[i].Close, 8, MidpointRounding.AwayFromZero);
        }

        if (category == FakeBybitCategory.Inverse)
        {
            (volume, turnover) = (turnover, volume);
        }

        var percent = open == 0 ? 0 : decimal.Round((last - open) / open, 6, MidpointRounding.AwayFromZero);
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"topic\":\"{topic}\",\"type\":\"snapshot\",\"data\":{{\"symbol\":\"{symbolId}\",\"lastPrice\":\"{F(last)}\",\"prevPrice24h\":\"{F(open)}\",\"highPrice24h\":\"{F(high)}\",\"lowPrice24h\":\"{F(low)}\",\"volume24h\":\"{F(volume)}\",\"turnover24h\":\"{F(turnover)}\",\"price24hPcnt\":\"{F(percent)}\",\"bid1Price\":\"{F(last)}\",\"ask1Price\":\"{F(last)}\"}},\"cs\":{step},\"ts\":{time}}}");
    }
}

/// <summary>The WebSocket hook of the fake server: <see cref="Stream"/> plays <see cref="StreamVenue"/>'s frames.</summary>
public sealed partial class FakeBybitServer
{
    private FakeStreamHub? _streamHub;
    private FakeBybitStreamVenue? _streamVenue;

    /// <summary>Bybit's v5 public stream dialect over this server's data (see <see cref="FakeBybitStreamVenue"/>).</summary>
    public FakeBybitStreamVenue StreamVenue => _streamVenue ??= new FakeBybitStreamVenue(_store, _trades);

    /// <summary>The WebSocket timeline and its faults (drop, stall, malformed, refuse groups); created on first use. Dispose it to stop its timeline.</summary>
    public FakeStreamHub Stream => _streamHub ??= new FakeStreamHub(StreamVenue);

    /// <inheritdoc/>
    protected override FakeStreamHub? StreamHub => Stream;
}
