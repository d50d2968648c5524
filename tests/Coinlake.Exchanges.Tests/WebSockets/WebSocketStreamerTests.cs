using Coinlake.Candles;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Testing.Hosting;
using Coinlake.Time;

namespace Coinlake.Exchanges.Tests.WebSockets;

/// <summary>The shared engine against a loopback WebSocket server replaying real candles, with injected faults.</summary>
public sealed class WebSocketStreamerTests
{
    private static readonly string[] Ids = ["BTC-USDT", "ETH-USDT", "SOL-USDT"];

    private static List<StreamSubscription> Subscriptions(int count) =>
        [.. Ids.Take(count).Select(id => StreamSubscription.Candles(Symbol.Parse(id.Replace('-', '/')), MarketType.Spot, Timeframe.OneMinute))];

    private static FakeCandleTimeline Timeline(int candles = 20) => new([.. TestData.BinanceUsBtcUsdt1m().Take(candles)], UpdatesPerCandle: 3);

    private static StreamOptions Options(Uri endpoint, TimeSpan? stall = null) => new()
    {
        Endpoint = endpoint,
        StallTimeout = stall ?? TimeSpan.FromSeconds(5),
        ReconnectDelay = TimeSpan.FromMilliseconds(50),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(400),
    };

    /// <summary>Runs a stream until the hub's timeline ended (plus a moment for the last frames), returning all events.</summary>
    private static async Task<List<MarketEvent>> CollectAsync(WebSocketStreamer streamer, FakeStreamHub hub, IReadOnlyList<StreamSubscription> subscriptions, StreamOptions options)
    {
        var events = new List<MarketEvent>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reading = Task.Run(async () =>
        {
            await foreach (var item in streamer.RunAsync(subscriptions, options, stop.Token))
            {
                lock (events)
                {
                    events.Add(item);
                }
            }
        });
        await hub.Finished.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(300);
        await stop.CancelAsync();
        await reading;
        return events;
    }

    private static List<Candle> Closed(IEnumerable<MarketEvent> events, string symbol) =>
        [.. events.OfType<CandleEvent>().Where(e => e.IsClosed && e.Subscription.Symbol.ToString() == symbol).Select(e => e.Candle).Distinct()];

    [Fact]
    public async Task RunAsync_CleanStream_DeliversEveryClosedCandleOfEverySymbol()
    {
        var timeline = Timeline();
        await using var hub = new FakeStreamHub(new TestVenue(timeline)) { Steps = timeline.Steps };
        await using var server = await TestStreamServer.StartAsync(hub);
        var streamer = new WebSocketStreamer(new TestProtocol(), TestProtocol.Symbols(Ids));

        var events = await CollectAsync(streamer, hub, Subscriptions(2), Options(server.BaseUrl));

        Closed(events, "BTC/USDT").ShouldBe(timeline.Candles);
        Closed(events, "ETH/USDT").ShouldBe(timeline.Candles);
        events.OfType<CandleEvent>().Count(e => !e.IsClosed).ShouldBe(2 * timeline.Candles.Count * 2);
        events.OfType<StreamGapEvent>().ShouldBeEmpty();
        hub.Connections.ShouldBe(1);
    }

    [Fact]
    public async Task RunAsync_ServerDropsConnection_ReconnectsResubscribesAndMarksTheGap()
    {
        var timeline = Timeline(30);
        await using var hub = new FakeStreamHub(new TestVenue(timeline)) { Steps = timeline.Steps }.DropAt(30);
        await using var server = await TestStreamServer.StartAsync(hub);
        var logger = new ListLogger();
        var streamer = new WebSocketStreamer(new TestProtocol(), TestProtocol.Symbols(Ids), logger: logger);

        // A reconnect delay of 300 ms (150-300 ms with jitter) spans several 20 ms steps: data is certainly missed.
        var events = await CollectAsync(streamer, hub, Subscriptions(2), Options(server.BaseUrl) with { ReconnectDelay = TimeSpan.FromMilliseconds(300) });

        hub.Connections.ShouldBe(2);
        streamer.Reconnects.ShouldBe(1);
        var gaps = events.OfType<StreamGapEvent>().ToList();
        gaps.Select(g => g.Subscription.Symbol.ToString()).Order().ShouldBe(["BTC/USDT", "ETH/USDT"]);
        gaps.ShouldAllBe(g => g.Missed.End >= g.Missed.Start && g.Reason.Contains("connection lost"));

        // Data before the drop and after the reconnect both arrived; what was played meanwhile did not.
        var closed = Closed(events, "BTC/USDT");
        closed.ShouldContain(timeline.Candles[0]);
        closed.ShouldContain(timeline.Candles[^1]);
        closed.Count.ShouldBeLessThan(timeline.Candles.Count);
        var gapIndex = events.IndexOf(gaps[0]);
        events.Take(gapIndex).OfType<CandleEvent>().Max(e => e.Candle.OpenTime)
            .ShouldBeLessThan(events.Skip(gapIndex).OfType<CandleEvent>().Min(e => e.Candle.OpenTime));
        logger.Lines.ShouldContain(l => l.Contains("reconnecting 2 subscriptions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ServerStalls_TreatsTheConnectionAsDeadAndReconnects()
    {
        var timeline = Timeline(60);
        await using var hub = new FakeStreamHub(new TestVenue(timeline)) { Steps = timeline.Steps, RepeatLastStep = true }.StallAt(20);
        await using var server = await TestStreamServer.StartAsync(hub);
        var streamer = new WebSocketStreamer(new TestProtocol(), TestProtocol.Symbols(Ids));

        var events = await CollectAsync(streamer, hub, Subscriptions(1), Options(server.BaseUrl, stall: TimeSpan.FromMilliseconds(500)));

        // At least one reconnect; a loaded machine can pause longer than the short stall timeout and cause another.
        hub.Connections.ShouldBeGreaterThanOrEqualTo(2);
        events.OfType<StreamGapEvent>().ShouldNotBeEmpty();
        events.OfType<StreamGapEvent>().First().Reason.ShouldContain("no frame for 0.5 s");
        Closed(events, "BTC/USDT").ShouldContain(timeline.Candles[^1]);
    }

    [Fact]
    public async Task RunAsync_MalformedFrame_IsSkippedCountedAndLogged_WithoutReconnecting()
    {
        var timeline = Timeline();
        await using var hub = new FakeStreamHub(new TestVenue(timeline)) { Steps = timeline.Steps }.MalformedAt(10);
        await using var server = await TestStreamServer.StartAsync(hub);
        var logger = new ListLogger();
        var streamer = new WebSocketStreamer(new TestProtocol(), TestProtocol.Symbols(Ids), logger: logger);

        var events = await CollectAsync(streamer, hub, Subscriptions(1), Options(server.BaseUrl));

        streamer.MalformedFrames.ShouldBe(1);
        hub.Connections.ShouldBe(1);
        Closed(events, "BTC/USDT").ShouldBe(timeline.Candles);
        logger.Lines.ShouldContain(l => l.Contains("malformed frame", StringComparison.Ordinal) && l.Contains("this is not", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_GroupedSubscriptionRefused_FallsBackToOneConnectionPerSymbolAndSaysSo()
    {
        var timeline = Timeline();
        await using var hub = new FakeStreamHub(new TestVenue(timeline)) { Steps = timeline.Steps, RefuseGroupedSubscriptions = true };
        await using var server = await TestStreamServer.StartAsync(hub);
        var logger = new ListLogger();
        var streamer = new WebSocketStreamer(new TestProtocol(), TestProtocol.Symbols(Ids), logger: logger);

        var events = await CollectAsync(streamer, hub, Subscriptions(3), Options(server.BaseUrl));

        hub.Refusals.ShouldBe(1);
        hub.Connections.ShouldBe(4);
        foreach (var symbol in new[] { "BTC/USDT", "ETH/USDT", "SOL/USDT" })
        {
            Closed(events, symbol).ShouldNotBeEmpty();
        }

        logger.Lines.ShouldContain(l => l.Contains("grouped subscription of 3 refused", StringComparison.Ordinal) && l.Contains("one per symbol", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_SingleSubscriptionRefused_FailsWithTheExchangesMessage()
    {
        var timeline = Timeline();
        var venue = new RefusingVenue(timeline);
        await using var hub = new FakeStreamHub(venue) { Steps = timeline.Steps };
        await using var server = await TestStreamServer.StartAsync(hub);
        var streamer = new WebSocketStreamer(new TestProtocol(), TestProtocol.Symbols(Ids));

        var error = await Should.ThrowAsync<ExchangeException>(async () =>
        {
            await foreach (var _ in streamer.RunAsync(Subscriptions(1), Options(server.BaseUrl)))
            {
            }
        });

        error.Message.ShouldContain("refused the subscription to BTC/USDT spot candles 1m last: unknown symbol");
    }

    [Fact]
    public async Task RunAsync_MoreSubscriptionsThanTheLimit_OpensMoreConnections()
    {
        var timeline = Timeline(5);
        await using var hub = new FakeStreamHub(new TestVenue(timeline)) { Steps = timeline.Steps };
        await using var server = await TestStreamServer.StartAsync(hub);
        var streamer = new WebSocketStreamer(new TestProtocol(maxPerConnection: 2), TestProtocol.Symbols(Ids));

        var events = await CollectAsync(streamer, hub, Subscriptions(3), Options(server.BaseUrl));

        hub.Connections.ShouldBe(2);
        Closed(events, "SOL/USDT").ShouldNotBeEmpty();
    }

    [Fact]
    public void Plan_WithoutGrouping_OpensOneConnectionPerSymbol()
    {
        var streamer = new WebSocketStreamer(new TestProtocol(maxPerConnection: 10), TestProtocol.Symbols(Ids));

        streamer.Plan(Subscriptions(3), group: true).Count.ShouldBe(1);
        streamer.Plan(Subscriptions(3), group: false).Select(g => g.Count).ShouldBe([1, 1, 1]);
    }

    [Fact]
    public async Task RunAsync_KeepAlive_SendsTheApplicationPing()
    {
        var timeline = Timeline(20);
        var venue = new TestVenue(timeline);
        await using var hub = new FakeStreamHub(venue) { Steps = timeline.Steps };
        await using var server = await TestStreamServer.StartAsync(hub);
        var streamer = new WebSocketStreamer(new TestProtocol(keepAlive: new StreamKeepAlive("ping", TimeSpan.FromMilliseconds(100))), TestProtocol.Symbols(Ids));

        await CollectAsync(streamer, hub, Subscriptions(1), Options(server.BaseUrl));

        venue.Pings.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task RunAsync_UnsupportedSubscription_ThrowsBeforeConnecting()
    {
        var streamer = new WebSocketStreamer(new TestProtocol(), TestProtocol.Symbols(Ids));
        var trades = StreamSubscription.Trades(Symbol.Parse("BTC/USDT"), MarketType.Spot);

        var error = await Should.ThrowAsync<NotSupportedException>(async () =>
        {
            await foreach (var _ in streamer.RunAsync([trades], new StreamOptions()))
            {
            }
        });

        error.Message.ShouldBe("test: cannot stream BTC/USDT spot trades: only 1m candles");
    }

    [Fact]
    public async Task RunAsync_CancelledWhileDisconnected_EndsNormallyWithAGapMarker()
    {
        var streamer = new WebSocketStreamer(new TestProtocol(), TestProtocol.Symbols(Ids));
        var options = new StreamOptions { Endpoint = new Uri("http://127.0.0.1:1/"), ReconnectDelay = TimeSpan.FromMilliseconds(50), MaxReconnectDelay = TimeSpan.FromMilliseconds(100) };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var events = new List<MarketEvent>();

        await foreach (var item in streamer.RunAsync(Subscriptions(1), options, stop.Token))
        {
            events.Add(item);
        }

        var gap = events.OfType<StreamGapEvent>().ShouldHaveSingleItem();
        gap.Reason.ShouldContain("cannot connect");
    }

    [Fact]
    public async Task Capture_RecordsEveryFrame_AndReplaysToTheSameEvents()
    {
        var timeline = Timeline(10);
        await using var hub = new FakeStreamHub(new TestVenue(timeline)) { Steps = timeline.Steps };
        await using var server = await TestStreamServer.StartAsync(hub);
        var path = Path.Combine(Path.GetTempPath(), $"coinlake-capture-{Guid.NewGuid():N}.txt");
        try
        {
            var streamer = new WebSocketStreamer(new TestProtocol(), TestProtocol.Symbols(Ids));
            List<MarketEvent> live;
            await using (var capture = new CaptureWriter(path))
            {
                var options = Options(server.BaseUrl) with { Capture = capture };
                live = await CollectAsync(streamer, hub, Subscriptions(2), options);
            }

            var lines = await File.ReadAllLinesAsync(path);
            lines[0].ShouldMatch(@"^ws://127\.0\.0\.1:\d+/ws <-> \d+\.\d{3}$");
            lines[1].ShouldMatch(@"^ws://127\.0\.0\.1:\d+/ws <- \d+\.\d{3}: \{""op"":""subscribe"",""args"":\[""BTC-USDT"",""ETH-USDT""\]\}$");

            var replayed = new List<MarketEvent>();
            var stats = new ReplayStats();
            await foreach (var item in CaptureReplay.ReplayAsync(path, new TestProtocol(), TestProtocol.Symbols(Ids), stats))
            {
                replayed.Add(item);
            }

            replayed.OfType<CandleEvent>().Select(e => (e.Subscription, e.Candle, e.IsClosed))
                .ShouldBe(live.OfType<CandleEvent>().Select(e => (e.Subscription, e.Candle, e.IsClosed)));
            stats.Connections.ShouldBe(1);
            stats.DataFrames.ShouldBe(live.OfType<CandleEvent>().Count());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class RefusingVenue(FakeCandleTimeline timeline) : IFakeStreamVenue
    {
        private readonly TestVenue _inner = new(timeline);

        public IEnumerable<string> OnConnected(FakeStreamSession session) => [];

        public IReadOnlyList<string> TopicsFromUrl(Microsoft.AspNetCore.Http.HttpRequest request) => [];

        public IEnumerable<string> OnMessage(FakeStreamSession session, string message) => ["{\"event\":\"error\",\"msg\":\"unknown symbol\"}"];

        public IEnumerable<string> FramesAt(string topic, int step) => _inner.FramesAt(topic, step);
    }
}
