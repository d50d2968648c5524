using Coinlake.Exchanges.Coinbase;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Testing.Coinbase;
using Coinlake.Testing.Hosting;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Coinbase.Socket;

/// <summary><see cref="CoinbaseClient.StreamAsync"/> end to end against the fake Coinbase server's feed side (loopback).</summary>
public sealed class CoinbaseFakeStreamTests
{
    private static readonly Symbol BtcUsd = Symbol.Parse("BTC/USD");
    private static readonly Symbol EthUsd = Symbol.Parse("ETH/USD");

    private static FakeCandleTimeline Timeline(int candles = 12) => new([.. TestData.BinanceUsBtcUsdt1m().Take(candles)], UpdatesPerCandle: 3);

    private static async Task<List<MarketEvent>> CollectAsync(FakeStreamHub hub, IReadOnlyList<StreamSubscription> subscriptions, TimeSpan? stall = null)
    {
        await using var server = await FakeCoinbaseServer.StartAsync(CoinbaseFixture.ServerOptions());
        server.Stream = hub;
        using var http = new HttpClient();
        using var client = CoinbaseFixture.Client(server, http);
        var options = new StreamOptions
        {
            StallTimeout = stall ?? TimeSpan.FromSeconds(10),
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(400),
        };
        var events = new List<MarketEvent>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reading = Task.Run(async () =>
        {
            await foreach (var item in client.StreamAsync(subscriptions, options, stop.Token))
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

    [Fact]
    public async Task StreamAsync_CleanStream_DeliversEveryMatchWithTheTakerSideAndEveryTicker()
    {
        var timeline = Timeline();
        await using var hub = new FakeStreamHub(new FakeCoinbaseStreamVenue(timeline)) { Steps = timeline.Steps };
        StreamSubscription[] subscriptions = [StreamSubscription.Trades(BtcUsd, MarketType.Spot), StreamSubscription.Tickers(EthUsd, MarketType.Spot)];

        var events = await CollectAsync(hub, subscriptions);

        hub.Connections.ShouldBe(1);
        var trades = events.OfType<TradeEvent>().ToList();
        trades.Count.ShouldBe(timeline.Steps);
        trades.ShouldAllBe(t => t.Subscription == subscriptions[0]);
        trades[4].Trade.ShouldBe(new Trade("5", timeline.Candles[1].OpenTime + 1000, timeline.At(4)!.Value.Candle.Close, FakeCoinbaseStreamVenue.MatchSize(4), TradeSide.Buy));
        trades[5].Trade.Side.ShouldBe(TradeSide.Sell); // maker bought: the taker sold
        var tickers = events.OfType<TickerEvent>().Select(e => e.Ticker).ToList();
        tickers.Count.ShouldBe(timeline.Steps);
        tickers.ShouldAllBe(t => t.Symbol == EthUsd && t.Bid < t.Last && t.Ask > t.Last);
        events.OfType<StreamGapEvent>().ShouldBeEmpty();
    }

    [Fact]
    public async Task StreamAsync_ServerStalls_HeartbeatsStopAndTheConnectionIsReplaced()
    {
        var timeline = Timeline(40);
        await using var hub = new FakeStreamHub(new FakeCoinbaseStreamVenue(timeline)) { Steps = timeline.Steps, RepeatLastStep = true }.StallAt(15);
        var subscription = StreamSubscription.Trades(BtcUsd, MarketType.Spot);

        var events = await CollectAsync(hub, [subscription], stall: TimeSpan.FromMilliseconds(600));

        // At least one reconnect; a loaded machine can pause longer than the short stall timeout and cause another.
        hub.Connections.ShouldBeGreaterThanOrEqualTo(2);
        events.OfType<StreamGapEvent>().ShouldNotBeEmpty();
        events.OfType<StreamGapEvent>().ShouldAllBe(g => g.Subscription == subscription && g.Reason.Contains("no frame"));
        events.OfType<TradeEvent>().Select(e => e.Trade.Id).ShouldContain(timeline.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task StreamAsync_RefusedGroupedSubscription_FallsBackToOneConnectionPerProduct()
    {
        var timeline = Timeline(8);
        await using var hub = new FakeStreamHub(new FakeCoinbaseStreamVenue(timeline)) { Steps = timeline.Steps, RefuseGroupedSubscriptions = true };
        StreamSubscription[] subscriptions = [StreamSubscription.Trades(BtcUsd, MarketType.Spot), StreamSubscription.Trades(EthUsd, MarketType.Spot)];

        var events = await CollectAsync(hub, subscriptions);

        hub.Refusals.ShouldBeGreaterThanOrEqualTo(1);
        events.OfType<TradeEvent>().Select(e => e.Subscription.Symbol).Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task StreamAsync_UnknownProduct_ThrowsWithTheClosestOnes()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(CoinbaseFixture.ServerOptions());
        using var http = new HttpClient();
        using var client = CoinbaseFixture.Client(server, http);

        var error = await Should.ThrowAsync<UnknownSymbolException>(async () =>
        {
            await foreach (var unused in client.StreamAsync([StreamSubscription.Tickers(Symbol.Parse("BTC/USDX"), MarketType.Spot)], new StreamOptions()))
            {
            }
        });

        error.Suggestions.ShouldContain("BTC/USD");
    }
}
