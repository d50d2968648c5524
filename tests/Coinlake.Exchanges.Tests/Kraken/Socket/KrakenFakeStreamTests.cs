using Coinlake.Candles;
using Coinlake.Exchanges.Kraken;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Testing.Hosting;
using Coinlake.Testing.Kraken;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Kraken.Socket;

/// <summary><see cref="KrakenClient.StreamAsync"/> end to end against the fake Kraken server's v2 WebSocket side (loopback).</summary>
public sealed class KrakenFakeStreamTests
{
    private static readonly Symbol BtcUsd = Symbol.Parse("BTC/USD");
    private static readonly Symbol EthUsd = Symbol.Parse("ETH/USD");

    private static FakeCandleTimeline Timeline(int candles = 12) => new([.. TestData.BinanceUsBtcUsdt1m().Take(candles)], UpdatesPerCandle: 3);

    private static StreamOptions Options(TimeSpan? stall = null) => new()
    {
        StallTimeout = stall ?? TimeSpan.FromSeconds(10),
        ReconnectDelay = TimeSpan.FromMilliseconds(50),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(400),
    };

    /// <summary>Streams through a client bound to the fake server's REST URL (the stream endpoint is derived from it) until the timeline ended.</summary>
    private static async Task<List<MarketEvent>> CollectAsync(FakeStreamHub hub, IReadOnlyList<StreamSubscription> subscriptions, StreamOptions? options = null)
    {
        await using var server = await FakeKrakenServer.StartAsync(new FakeKrakenOptions { RateLimitBurst = 1000 });
        server.Stream = hub;
        using var http = new HttpClient();
        using var client = KrakenClient.Create("kraken", http, server.BaseUrl, KrakenTestKit.Options());
        var events = new List<MarketEvent>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reading = Task.Run(async () =>
        {
            await foreach (var item in client.StreamAsync(subscriptions, options ?? Options(), stop.Token))
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

    /// <summary>The last update of every candle of a symbol: Kraken marks none closed, the last update of an interval is the final candle.</summary>
    private static List<Candle> Finals(IEnumerable<MarketEvent> events, Symbol symbol) =>
        [.. events.OfType<CandleEvent>().Where(e => e.Subscription.Symbol == symbol).GroupBy(e => e.Candle.OpenTime).Select(g => g.Last().Candle)];

    [Fact]
    public async Task StreamAsync_CleanStream_DeliversCandlesTradesAndTickersOnOneConnection()
    {
        var timeline = Timeline();
        var venue = new FakeKrakenStreamVenue(timeline);
        await using var hub = new FakeStreamHub(venue) { Steps = timeline.Steps };
        StreamSubscription[] subscriptions =
        [
            StreamSubscription.Candles(BtcUsd, MarketType.Spot, Timeframe.OneMinute),
            StreamSubscription.Trades(BtcUsd, MarketType.Spot),
            StreamSubscription.Tickers(EthUsd, MarketType.Spot),
        ];

        var events = await CollectAsync(hub, subscriptions);

        hub.Connections.ShouldBe(1);
        Finals(events, BtcUsd).ShouldBe(timeline.Candles.Select(c => c with { TradeCount = 0 }));
        events.OfType<CandleEvent>().ShouldAllBe(e => !e.IsClosed && e.Subscription == subscriptions[0]);
        var trades = events.OfType<TradeEvent>().Select(e => e.Trade).ToList();
        trades.Count.ShouldBe(timeline.Steps);
        trades[4].ShouldBe(new Trade("5", timeline.Candles[1].OpenTime + 1000, timeline.At(4)!.Value.Candle.Close, FakeKrakenStreamVenue.TradeQuantity(4), TradeSide.Buy));
        var tickers = events.OfType<TickerEvent>().Select(e => e.Ticker).ToList();
        tickers.Count.ShouldBe(timeline.Steps);
        tickers.ShouldAllBe(t => t.Symbol == EthUsd && t.Bid < t.Last && t.Ask > t.Last);
        events.OfType<StreamGapEvent>().ShouldBeEmpty();
    }

    [Fact]
    public async Task StreamAsync_ServerDropsConnection_ReconnectsAndMarksTheGap()
    {
        var timeline = Timeline(20);
        await using var hub = new FakeStreamHub(new FakeKrakenStreamVenue(timeline)) { Steps = timeline.Steps }.DropAt(24);
        var subscription = StreamSubscription.Trades(BtcUsd, MarketType.Spot);

        var events = await CollectAsync(hub, [subscription]);

        hub.Connections.ShouldBe(2);
        var gap = events.OfType<StreamGapEvent>().ShouldHaveSingleItem();
        gap.Subscription.ShouldBe(subscription);
        var ids = events.OfType<TradeEvent>().Select(e => long.Parse(e.Trade.Id, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        ids.ShouldContain(1);
        ids.ShouldContain(timeline.Steps);
        ids.Count.ShouldBeLessThan(timeline.Steps);
    }

    [Fact]
    public async Task StreamAsync_RefusedGroupedSubscription_FallsBackToOneConnectionPerSymbol()
    {
        var timeline = Timeline(8);
        await using var hub = new FakeStreamHub(new FakeKrakenStreamVenue(timeline)) { Steps = timeline.Steps, RefuseGroupedSubscriptions = true };
        StreamSubscription[] subscriptions = [StreamSubscription.Trades(BtcUsd, MarketType.Spot), StreamSubscription.Trades(EthUsd, MarketType.Spot)];

        var events = await CollectAsync(hub, subscriptions);

        hub.Refusals.ShouldBeGreaterThanOrEqualTo(1);
        hub.Connections.ShouldBeGreaterThanOrEqualTo(3);
        events.OfType<TradeEvent>().Select(e => e.Subscription.Symbol).Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task StreamAsync_UnknownSymbol_ThrowsWithTheClosestPairs()
    {
        await using var server = await FakeKrakenServer.StartAsync();
        using var http = new HttpClient();
        using var client = KrakenClient.Create("kraken", http, server.BaseUrl, KrakenTestKit.Options());

        var error = await Should.ThrowAsync<UnknownSymbolException>(async () =>
        {
            await foreach (var unused in client.StreamAsync([StreamSubscription.Trades(Symbol.Parse("BTC/USDX"), MarketType.Spot)], Options()))
            {
            }
        });

        error.Suggestions.ShouldContain("BTC/USD");
    }

    [Fact]
    public async Task StreamAsync_WeeklyCandles_ThrowNotSupported()
    {
        using var http = new HttpClient();
        using var client = KrakenClient.Create("kraken", http, new Uri("http://127.0.0.1:9"), KrakenTestKit.Options(maxRetries: 0));

        var error = await Should.ThrowAsync<NotSupportedException>(async () =>
        {
            await foreach (var unused in client.StreamAsync([StreamSubscription.Candles(BtcUsd, MarketType.Spot, Timeframe.Parse("1w"))], Options()))
            {
            }
        });

        error.Message.ShouldContain("1m 5m 15m 30m 1h 4h 1d");
    }
}
