using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Testing.Hosting;
using Coinlake.Time;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coinlake.Exchanges.Tests.WebSockets;

/// <summary>
/// A minimal exchange dialect for testing the shared engine: subscribe <c>{"op":"subscribe","args":["BTC-USDT",...]}</c>,
/// ack <c>{"event":"subscribed"}</c>, refusal <c>{"event":"error","msg":...}</c>, ping <c>ping</c> / <c>pong</c>, candle frames
/// <c>{"topic":"BTC-USDT","closed":bool,"k":[openTime,"o","h","l","c","v"]}</c>.
/// </summary>
internal sealed class TestProtocol(int maxPerConnection = 10, StreamKeepAlive? keepAlive = null) : StreamProtocol("test")
{
    public override int MaxSubscriptionsPerConnection => maxPerConnection;

    public override StreamKeepAlive? KeepAlive => keepAlive;

    public override string? WhyUnsupported(StreamSubscription subscription) =>
        subscription.Channel == StreamChannel.Candles && subscription.Timeframe == Timeframe.OneMinute ? null : "only 1m candles";

    public override ValueTask<Uri> GetEndpointAsync(IReadOnlyList<StreamSubscription> group, Uri? endpointOverride, CancellationToken cancellationToken) =>
        ValueTask.FromResult(WithOverride(new Uri("wss://stream.test.invalid/ws"), endpointOverride));

    public override IReadOnlyList<string> SubscribeMessages(IReadOnlyList<StreamSubscription> group, StreamSymbols symbols) =>
        [JsonSerializer.Serialize(new { op = "subscribe", args = group.Select(s => symbols.IdOf(s.Symbol, s.MarketType)).ToArray() })];

    public override StreamFrameParser CreateParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group, Uri endpoint) => new Parser(symbols);

    public static StreamSymbols Symbols(params string[] ids) =>
        new(ids.Select(id => new MarketInfo(Symbol.Parse(id.Replace('-', '/')), id, MarketType.Spot, MarketSubtype.None, true)));

    private sealed class Parser(StreamSymbols symbols) : StreamFrameParser
    {
        private readonly Dictionary<string, StreamSubscription> _subscriptions = new(StringComparer.Ordinal);

        public override FrameResult Parse(ReadOnlySpan<byte> frame, long receivedAt, ICollection<MarketEvent> events)
        {
            if (frame.SequenceEqual("pong"u8))
            {
                return FrameResult.Control;
            }

            try
            {
                using var document = JsonDocument.Parse(frame.ToArray());
                var root = document.RootElement;
                if (root.TryGetProperty("event", out var kind))
                {
                    return kind.GetString() == "error" ? FrameResult.Rejected(root.GetProperty("msg").GetString()!) : FrameResult.Control;
                }

                var topic = root.GetProperty("topic").GetString()!;
                if (!_subscriptions.TryGetValue(topic, out var subscription))
                {
                    subscription = StreamSubscription.Candles(symbols.Resolve(topic, MarketType.Spot)!, MarketType.Spot, Timeframe.OneMinute);
                    _subscriptions[topic] = subscription;
                }

                var k = root.GetProperty("k");
                var candle = new Candle(k[0].GetInt64(), Dec(k[1]), Dec(k[2]), Dec(k[3]), Dec(k[4]), Dec(k[5]));
                events.Add(new CandleEvent(subscription, receivedAt, candle, root.GetProperty("closed").GetBoolean()));
                return FrameResult.Data;
            }
            catch (JsonException ex)
            {
                return FrameResult.Malformed(ex.Message);
            }
        }

        private static decimal Dec(JsonElement e) => decimal.Parse(e.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}

/// <summary>The fake side of <see cref="TestProtocol"/>: each symbol plays the same real candles, shifted by nothing.</summary>
internal sealed class TestVenue(FakeCandleTimeline timeline) : IFakeStreamVenue
{
    public ConcurrentQueue<string> Received { get; } = new();

    public int Pings => Received.Count(m => m == "ping");

    public IEnumerable<string> OnConnected(FakeStreamSession session) => [];

    public IReadOnlyList<string> TopicsFromUrl(HttpRequest request) => [];

    public IEnumerable<string> OnMessage(FakeStreamSession session, string message)
    {
        Received.Enqueue(message);
        if (message == "ping")
        {
            return ["pong"];
        }

        using var document = JsonDocument.Parse(message);
        var args = document.RootElement.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToList();
        if (session.Hub.RefuseGroupedSubscriptions && args.Count > 1)
        {
            session.Hub.CountRefusal();
            return ["{\"event\":\"error\",\"msg\":\"too many symbols in one request\"}"];
        }

        foreach (var arg in args)
        {
            session.Topics[arg] = true;
        }

        return ["{\"event\":\"subscribed\"}"];
    }

    public IEnumerable<string> FramesAt(string topic, int step)
    {
        if (timeline.At(step) is not var (candle, closed))
        {
            yield break;
        }

        yield return string.Create(CultureInfo.InvariantCulture,
            $"{{\"topic\":\"{topic}\",\"closed\":{(closed ? "true" : "false")},\"k\":[{candle.OpenTime},\"{candle.Open}\",\"{candle.High}\",\"{candle.Low}\",\"{candle.Close}\",\"{candle.Volume}\"]}}");
    }
}

/// <summary>A loopback server with only a WebSocket side speaking <see cref="TestVenue"/>.</summary>
internal sealed class TestStreamServer : FakeServerBase<string>
{
    private TestStreamServer(FakeStreamHub hub) => Hub = hub;

    public FakeStreamHub Hub { get; }

    protected override FakeStreamHub? StreamHub => Hub;

    protected override TimeProvider Clock => TimeProvider.System;

    public static Task<TestStreamServer> StartAsync(FakeStreamHub hub) => StartHostAsync(new TestStreamServer(hub), CancellationToken.None);

    protected override RequestLog CreateLog() => new Log();

    protected override Task HandleAsync(HttpContext context, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    }

    private sealed class Log : RequestLog
    {
        protected override string ToRecord(int status) => $"{Path} {status}";
    }
}

/// <summary>Collects log lines.</summary>
internal sealed class ListLogger : ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
}
