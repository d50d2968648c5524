using Coinlake.Candles;
using Coinlake.Exchanges.Bybit;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Testing.Bybit;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Bybit.Socket;

/// <summary>
/// <see cref="BybitClient.StreamAsync"/> end to end against <see cref="FakeBybitServer"/>'s WebSocket side, playing real
/// Binance XRP/ETH trades of 2019 and the 1m candles they make, listed on the fake as XRPETH spot and linear perpetual.
/// </summary>
public sealed class BybitStreamTests : IAsyncLifetime
{
    private const int Candles = 6;

    private static readonly IReadOnlyList<Trade> XrpEthTrades = TradeData.FreqtradeXrpEth();
    private static readonly IReadOnlyList<Candle> XrpEthCandles = TradeAggregator.ToCandles(XrpEthTrades, Timeframe.OneMinute);
    private static readonly Symbol XrpEthSwap = new("XRP", "ETH", "ETH");

    private readonly HttpClient _http = new();
    private FakeBybitServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBybitServer.StartAsync();
        _server.AddInstrument(FakeBybitCategory.Spot, new FakeBybitInstrument("XRPETH", "XRP", "ETH", null, null, "Trading", 0, "0.00000001", "1", "1", "1000000", 8));
        _server.AddInstrument(FakeBybitCategory.Linear, new FakeBybitInstrument("XRPETH", "XRP", "ETH", "ETH", "LinearPerpetual", "Trading", 0, "0.00000001", "1", "1", "1000000", 8));
        _server.AddSeries(FakeBybitCategory.Linear, "XRPETH", XrpEthCandles);
        _server.AddTrades(FakeBybitCategory.Linear, "XRPETH", XrpEthTrades);
        _server.Stream.Steps = Candles * _server.StreamVenue.UpdatesPerCandle;
    }

    public async Task DisposeAsync()
    {
        await _server.Stream.DisposeAsync();
        await _server.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task StreamAsync_LinearCandlesTradesTickers_EqualTheRestDataWithTickerDeltasMerged()
    {
        using var client = Client();
        var subscriptions = new[]
        {
            StreamSubscription.Candles(XrpEthSwap, MarketType.Swap, Timeframe.OneMinute),
            StreamSubscription.Trades(XrpEthSwap, MarketType.Swap),
            StreamSubscription.Tickers(XrpEthSwap, MarketType.Swap),
        };
        var end = XrpEthCandles[Candles - 1].OpenTime + 60_000;
        var expectedTrades = XrpEthTrades.Where(t => t.Timestamp < end).ToList();

        var events = await CollectAsync(client, subscriptions, e =>
            e.OfType<CandleEvent>().Count(c => c.IsClosed) >= Candles && e.OfType<TradeEvent>().Count() >= expectedTrades.Count
            && e.OfType<TickerEvent>().Count() >= _server.Stream.Steps + 1); // the snapshot, then one delta per step

        _server.StreamVenue.Received.ShouldContain("{\"op\":\"subscribe\",\"args\":[\"kline.1.XRPETH\",\"publicTrade.XRPETH\",\"tickers.XRPETH\"],\"req_id\":\"1\"}");
        events.OfType<StreamGapEvent>().ShouldBeEmpty();

        // Candles are registered for the linear category only: they arrive only because the client connected to /v5/public/linear.
        var closed = events.OfType<CandleEvent>().Where(c => c.IsClosed).Select(c => c.Candle).ToList();
        closed.ShouldBe(await RestCandlesAsync(client, XrpEthCandles[0].OpenTime, end));

        var trades = events.OfType<TradeEvent>().Select(t => t.Trade).ToList();
        trades.Select(t => (t.Id, t.Timestamp, t.Price, t.Amount, t.Side)).ShouldBe(expectedTrades.Select(t => (t.Id, t.Timestamp, t.Price, t.Amount, t.Side)));

        // A snapshot at subscription, then deltas of last/bid/ask merged into it: the 24 h fields stay those of the snapshot.
        var tickers = events.OfType<TickerEvent>().Select(t => t.Ticker).ToList();
        tickers[^1].Last.ShouldBe(XrpEthCandles[Candles - 1].Close);
        tickers[^1].Bid.ShouldBe(XrpEthCandles[Candles - 1].Close);
        tickers[^1].Open.ShouldNotBeNull().ShouldBe(tickers[0].Open.ShouldNotBeNull());
        tickers[^1].Change.ShouldBe(tickers[^1].Last - tickers[^1].Open);
    }

    [Fact]
    public async Task StreamAsync_GroupedSubscriptionRefused_FallsBackToOneConnectionPerSymbol()
    {
        _server.AddSeries(FakeBybitCategory.Linear, "BTCUSDT", TestData.BinanceUsBtcUsdt1m());
        _server.Stream.RefuseGroupedSubscriptions = true;
        _server.Stream.Steps = 20 * _server.StreamVenue.UpdatesPerCandle;
        using var client = Client();
        var btc = new Symbol("BTC", "USDT", "USDT");

        var events = await CollectAsync(client,
            [StreamSubscription.Candles(XrpEthSwap, MarketType.Swap, Timeframe.OneMinute), StreamSubscription.Candles(btc, MarketType.Swap, Timeframe.OneMinute)],
            e => e.OfType<CandleEvent>().Where(c => c.IsClosed).Select(c => c.Subscription.Symbol).Distinct().Count() == 2);

        _server.Stream.Refusals.ShouldBeGreaterThanOrEqualTo(1);
        _server.Stream.Connections.ShouldBeGreaterThanOrEqualTo(3);
        events.OfType<CandleEvent>().Select(c => c.Subscription.Symbol).Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task StreamAsync_ServerStalls_ReconnectsAfterTheStallTimeoutWithAGap()
    {
        const int candles = 40;
        _server.Stream.Steps = candles * _server.StreamVenue.UpdatesPerCandle;
        _server.Stream.StallAt(6);
        _server.Stream.RepeatLastStep = true; // the connection stays lively after the timeline: no second stall
        using var client = Client();
        var lastOpen = XrpEthCandles[candles - 1].OpenTime;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<MarketEvent>();
        var options = new StreamOptions { StallTimeout = TimeSpan.FromMilliseconds(400), ReconnectDelay = TimeSpan.FromMilliseconds(20) };
        await foreach (var item in client.StreamAsync([StreamSubscription.Candles(XrpEthSwap, MarketType.Swap, Timeframe.OneMinute)], options, timeout.Token))
        {
            events.Add(item);
            if (events.OfType<StreamGapEvent>().Any() && item is CandleEvent { IsClosed: true } closed && closed.Candle.OpenTime == lastOpen)
            {
                break;
            }
        }

        timeout.IsCancellationRequested.ShouldBeFalse("the stream did not recover from the stall within 30 s");
        _server.Stream.Connections.ShouldBeGreaterThanOrEqualTo(2);
        // At least one gap; a loaded machine can pause longer than the 400 ms stall timeout and cause another.
        events.OfType<StreamGapEvent>().ShouldNotBeEmpty();
        events.OfType<StreamGapEvent>().ShouldAllBe(g => g.Reason.Contains("no frame"));
        var rest = (await RestCandlesAsync(client, XrpEthCandles[0].OpenTime, lastOpen + 60_000)).ToDictionary(c => c.OpenTime);
        events.OfType<CandleEvent>().Where(c => c.IsClosed).ShouldAllBe(c => rest[c.Candle.OpenTime] == c.Candle);
    }

    [Fact]
    public async Task StreamAsync_UnknownSymbol_ThrowsWithTheClosestNames()
    {
        using var client = Client();
        var ex = await Should.ThrowAsync<UnknownSymbolException>(async () =>
        {
            await foreach (var unused in client.StreamAsync([StreamSubscription.Trades(new Symbol("XRP", "ETC", "ETC"), MarketType.Swap)], new StreamOptions()))
            {
            }
        });

        ex.Suggestions.ShouldContain("XRP/ETH:ETH");
    }

    [Fact]
    public void StreamEndpointOverride_RestBaseUrlOverridden_IsThatHost()
    {
        using var overridden = Client();
        overridden.StreamEndpointOverride().ShouldBe(_server.BaseUrl);
        using var production = BybitClient.Create("bybit", _http);
        production.StreamEndpointOverride().ShouldBeNull();
    }

    private BybitClient Client() => BybitClient.Create("bybit", _http, _server.BaseUrl, BybitFakeServerTests.Options());

    private static async Task<List<Candle>> RestCandlesAsync(BybitClient client, long start, long end)
    {
        var candles = new List<Candle>();
        await foreach (var page in client.GetCandlesAsync(new CandleRequest(XrpEthSwap, MarketType.Swap, Timeframe.OneMinute, PriceType.Last, new TimeRange(start, end))))
        {
            candles.AddRange(page.Candles);
        }

        return candles;
    }

    /// <summary>Streams until <paramref name="done"/> holds for the events so far (or 30 s pass), then stops the stream.</summary>
    private static async Task<List<MarketEvent>> CollectAsync(BybitClient client, IReadOnlyList<StreamSubscription> subscriptions, Func<List<MarketEvent>, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<MarketEvent>();
        await foreach (var item in client.StreamAsync(subscriptions, new StreamOptions { ReconnectDelay = TimeSpan.FromMilliseconds(20) }, timeout.Token))
        {
            events.Add(item);
            if (done(events))
            {
                break;
            }
        }

        timeout.IsCancellationRequested.ShouldBeFalse("the stream did not deliver the expected events within 30 s");
        return events;
    }
}
