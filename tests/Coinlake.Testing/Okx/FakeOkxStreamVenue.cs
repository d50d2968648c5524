using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Testing.Hosting;
using Coinlake.Trades;
using Microsoft.AspNetCore.Http;

namespace Coinlake.Testing.Okx;

/// <summary>
/// The WebSocket side of <see cref="FakeOkxServer"/>, speaking OKX API v5 ("Overview / WebSocket"): the text
/// <c>ping</c> is answered <c>pong</c>; <c>{"op":"subscribe","args":[{"channel","instId"},..]}</c> is acknowledged per
/// argument with <c>{"event":"subscribe","arg":{..},"connId":..}</c>. Candle channels (<c>candle1m</c>,
/// <c>mark-price-candle1m</c>, <c>index-candle1m</c>) and <c>trades-all</c> exist on <c>/ws/v5/business</c> only,
/// <c>trades</c> and <c>tickers</c> on <c>/ws/v5/public</c> only; a channel on the wrong path, an unknown channel or a bad request is
/// answered <c>{"event":"error","code":"60018"|"60012","msg":..}</c> as OKX does. With
/// <see cref="FakeStreamHub.RefuseGroupedSubscriptions"/>, a subscribe naming more than one instrument is refused
/// (<c>60012</c>).
/// </summary>
/// <remarks>
/// Timeline (see <see cref="FakeStreamHub"/>): candle topics play the 1m candles registered with
/// <see cref="FakeOkxServer.AddSeries"/> through <see cref="FakeCandleTimeline"/> (in-progress updates with
/// <c>confirm</c> 0, then the exact candle with <c>confirm</c> 1); trade topics push trade <c>step</c> of those
/// registered with <see cref="FakeOkxServer.AddTrades"/> (in id order); ticker topics push the instrument's recorded
/// ticker (<c>captures/OKX.ws.1.0</c>) with <c>ts</c> advanced by one second a step. Rows are rendered as OKX writes them:
/// strings, decimals without trailing zeros.
/// </remarks>
public sealed class FakeOkxStreamVenue : IFakeStreamVenue
{
    private const string BusinessPath = "/ws/v5/business";
    private const string PublicPath = "/ws/v5/public";

    private readonly Func<string, PriceType, IReadOnlyList<Candle>?> _candles;
    private readonly Func<string, IReadOnlyList<Trade>?> _trades;
    private readonly ConcurrentDictionary<(string, PriceType), FakeCandleTimeline?> _timelines = new();
    private int _connections;

    /// <summary>Creates the venue over the server's data.</summary>
    /// <param name="candles">The 1m candles of an instrument (index id for index prices) and price type, or null.</param>
    /// <param name="trades">The trades of an instrument in id order, or null.</param>
    public FakeOkxStreamVenue(Func<string, PriceType, IReadOnlyList<Candle>?> candles, Func<string, IReadOnlyList<Trade>?> trades)
    {
        _candles = candles;
        _trades = trades;
    }

    /// <summary>Candle updates per candle (default 3: two in progress, then the closed one).</summary>
    public int UpdatesPerCandle { get; set; } = 3;

    /// <summary>Every text frame clients sent (subscribe requests and pings), in arrival order.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    /// <inheritdoc/>
    public IEnumerable<string> OnConnected(FakeStreamSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.Items["connId"] = Interlocked.Increment(ref _connections).ToString("x8", CultureInfo.InvariantCulture);
        return [];
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> TopicsFromUrl(HttpRequest request) => [];

    /// <inheritdoc/>
    public IEnumerable<string> OnMessage(FakeStreamSession session, string message)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(message);
        Received.Enqueue(message);
        if (message == "ping")
        {
            return ["pong"];
        }

        var connId = (string)session.Items["connId"];
        List<(string Channel, string InstId)> args;
        try
        {
            var root = JsonNode.Parse(message)!.AsObject();
            if ((string?)root["op"] != "subscribe" || root["args"] is not JsonArray array || array.Count == 0)
            {
                return [Error("60012", $"Invalid request: {message}", connId)];
            }

            args = [.. array.Select(a => ((string?)a?["channel"] ?? "", (string?)a?["instId"] ?? ""))];
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return [Error("60012", $"Invalid request: {message}", connId)];
        }

        if (session.Hub.RefuseGroupedSubscriptions && args.Select(a => a.InstId).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            session.Hub.CountRefusal();
            return [Error("60012", $"Invalid request: {message}", connId)];
        }

        var answers = new List<string>(args.Count);
        foreach (var (channel, instId) in args)
        {
            var path = IsCandleChannel(channel) || channel == "trades-all" ? BusinessPath : channel is "trades" or "tickers" ? PublicPath : null;
            if (path is null || session.Path != path || instId.Length == 0)
            {
                answers.Add(Error("60018", $"Wrong URL or channel:{channel},instId:{instId} doesn't exist. Please use the correct URL, channel and parameters referring to API document.", connId));
                continue;
            }

            session.Topics[channel + "|" + instId] = true;
            answers.Add(new JsonObject
            {
                ["event"] = "subscribe",
                ["arg"] = new JsonObject { ["channel"] = channel, ["instId"] = instId },
                ["connId"] = connId,
            }.ToJsonString());
        }

        return answers;
    }

    /// <inheritdoc/>
    public IEnumerable<string> FramesAt(string topic, int step)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var bar = topic.IndexOf('|', StringComparison.Ordinal);
        var (channel, instId) = (topic[..bar], topic[(bar + 1)..]);
        var arg = new JsonObject { ["channel"] = channel, ["instId"] = instId };
        JsonArray? data = channel switch
        {
            "trades-all" or "trades" => TradeRow(instId, step),
            "tickers" => TickerRow(instId, step),
            "candle1m" => CandleRow(instId, PriceType.Last, step),
            "mark-price-candle1m" => CandleRow(instId, PriceType.Mark, step),
            "index-candle1m" => CandleRow(instId, PriceType.Index, step),
            _ => null,
        };
        if (data is not null)
        {
            yield return new JsonObject { ["arg"] = arg, ["data"] = data }.ToJsonString();
        }
    }

    private static bool IsCandleChannel(string channel) =>
        channel.StartsWith("candle", StringComparison.Ordinal) || channel.StartsWith("mark-price-candle", StringComparison.Ordinal)
        || channel.StartsWith("index-candle", StringComparison.Ordinal);

    private static string Error(string code, string msg, string connId) =>
        new JsonObject { ["event"] = "error", ["code"] = code, ["msg"] = msg, ["connId"] = connId }.ToJsonString();

    private static string Text(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    private JsonArray? CandleRow(string instId, PriceType price, int step)
    {
        var timeline = _timelines.GetOrAdd((instId, price), key => _candles(key.Item1, key.Item2) is { Count: > 0 } c ? new FakeCandleTimeline(c, UpdatesPerCandle) : null);
        if (timeline?.At(step) is not var (candle, closed))
        {
            return null;
        }

        var row = new JsonArray(
            candle.OpenTime.ToString(CultureInfo.InvariantCulture), Text(candle.Open), Text(candle.High), Text(candle.Low), Text(candle.Close));
        if (price == PriceType.Last)
        {
            // Spot: vol base, volCcy quote; derivatives (contract value 1 base unit here): vol contracts, volCcy base.
            var quote = Text(candle.QuoteVolume ?? Math.Round(candle.Volume * candle.Close, 8));
            var spot = instId.Count(c => c == '-') == 1;
            row.Add(Text(candle.Volume));
            row.Add(spot ? quote : Text(candle.Volume));
            row.Add(quote);
        }

        row.Add(closed ? "1" : "0");
        return [row];
    }

    private JsonArray? TradeRow(string instId, int step)
    {
        if (_trades(instId) is not { } trades || step >= trades.Count)
        {
            return null;
        }

        var t = trades[step];
        return
        [
            new JsonObject
            {
                ["instId"] = instId, ["tradeId"] = t.Id, ["px"] = Text(t.Price), ["sz"] = Text(t.Amount),
                ["side"] = t.Side == TradeSide.Sell ? "sell" : "buy", ["ts"] = t.Timestamp.ToString(CultureInfo.InvariantCulture), ["count"] = "1",
            },
        ];
    }

    private static JsonArray? TickerRow(string instId, int step)
    {
        var ticker = OkxCatalog.Tickers().FirstOrDefault(t => (string?)t["instId"] == instId);
        if (ticker is null)
        {
            return null;
        }

        var ts = long.Parse((string?)ticker["ts"] ?? "0", CultureInfo.InvariantCulture) + (step * 1000L);
        ticker["ts"] = ts.ToString(CultureInfo.InvariantCulture);
        return [ticker];
    }
}
