using Coinlake.Candles;
using Coinlake.Exchanges.Binance;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Binance.Socket;

/// <summary>
/// <see cref="BinanceClient.StreamAsync"/> end to end against <see cref="FakeBinanceServer"/>'s WebSocket side, which
/// plays real data (Binance XRP/ETH trades of 2019 and the 1m candles they make; Binance.US BTC/USDT 1m candles) the
/// way Binance's combined streams send it. The stream host is derived from the REST base-URL override.
/// </summary>
public sealed class BinanceStreamTests : IAsyncLifetime
{
    private const int Candles = 6;

    private static readonly IReadOnlyList<Trade> XrpEthTrades = TradeData.FreqtradeXrpEth();
    private static readonly IReadOnlyList<Candle> XrpEthCandles = TradeAggregator.ToCandles(XrpEthTrades, Timeframe.OneMinute);
    private static readonly Symbol XrpEth = new("XRP", "ETH");

    private readonly HttpClient _http = new();
    private FakeBinanceServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBinanceServer.StartAsync();
        _server.AddSeries("XRPETH", FakeMarket.Spot, XrpEthCandles);
        _server.AddTrades("XRPETH", FakeMarket.Spot, XrpEthTrades);
        _server.AddSeries("BTCUSDT", FakeMarket.Spot, TestData.BinanceUsBtcUsdt1m());
        _server.AddSeries("BTCUSDT", FakeMarket.Futures, TestData.BinanceUsBtcUsdt1m());
        _server.Stream.Steps = Candles * _server.StreamVenue.UpdatesPerCandle;
    }

    public async Task DisposeAsync()
    {
        await _server.Stream.DisposeAsync();
        await _server.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task StreamAsync_SpotCandlesTradesTickers_EqualTheRestDataAndSubscribeInOneRequest()
    {
        using var client = Client("binance");
        var subscriptions = new[]
        {
            StreamSubscription.Candles(XrpEth, MarketType.Spot, Timeframe.OneMinute),
            StreamSubscription.Trades(XrpEth, MarketType.Spot),
            StreamSubscription.Tickers(XrpEth, MarketType.Spot),
        };

        var end = XrpEthCandles[Candles - 1].OpenTime + 60_000;
        var expectedTrades = XrpEthTrades.Where(t => t.Timestamp < end).ToList();
        var events = await CollectAsync(client, subscriptions, e =>
            e.OfType<CandleEvent>().Count(c => c.IsClosed) >= Candles && e.OfType<TickerEvent>().Count() >= _server.Stream.Steps
            && e.OfType<TradeEvent>().Count() >= expectedTrades.Count);

        _server.StreamVenue.Received.ShouldContain("{\"method\":\"SUBSCRIBE\",\"params\":[\"xrpeth@kline_1m\",\"xrpeth@aggTrade\",\"xrpeth@ticker\"],\"id\":1}");
        events.OfType<StreamGapEvent>().ShouldBeEmpty();
        var closed = events.OfType<CandleEvent>().Where(c => c.IsClosed).Select(c => c.Candle).ToList();
        var rest = await RestCandlesAsync(client, XrpEth, MarketType.Spot, XrpEthCandles[0].OpenTime, XrpEthCandles[Candles - 1].OpenTime + 60_000);
        closed.ShouldBe(rest);
        events.OfType<CandleEvent>().Where(c => !c.IsClosed).ShouldNotBeEmpty();

        var trades = events.OfType<TradeEvent>().Select(t => t.Trade).ToList();
        trades.Count.ShouldBe(expectedTrades.Count);
        trades.Select(t => (t.Id, t.Timestamp, t.Price, t.Amount, t.Side)).ShouldBe(expectedTrades.Select(t => (t.Id, t.Timestamp, t.Price, t.Amount, t.Side)));

        var tickers = events.OfType<TickerEvent>().ToList();
        tickers.Count.ShouldBe(_server.Stream.Steps);
        tickers[^1].Ticker.Last.ShouldBe(XrpEthCandles[Candles - 1].Close);
        tickers[^1].Ticker.Bid.ShouldNotBeNull();
        tickers.ShouldAllBe(t => t.Subscription.Symbol == XrpEth);
    }

    [Fact]
    public async Task StreamAsync_UsdmSwap_ConnectsToTheMarketRouteAndStreamsFuturesCandles()
    {
        using var client = Client("binanceusdm");
        var swap = new Symbol("BTC", "USDT", "USDT");
        var source = TestData.BinanceUsBtcUsdt1m();

        var events = await CollectAsync(client, [StreamSubscription.Candles(swap, MarketType.Swap, Timeframe.OneMinute)],
            e => e.OfType<CandleEvent>().Count(c => c.IsClosed) >= Candles);

        // Only the futures series is played on /market/stream (the spot series of the same id would be on /stream).
        var closed = events.OfType<CandleEvent>().Where(c => c.IsClosed).ToList();
        closed.ShouldAllBe(c => c.Subscription.MarketType == MarketType.Swap && c.Subscription.Symbol == swap);
        closed.Select(c => c.Candle).ShouldBe(await RestCandlesAsync(client, swap, MarketType.Swap, source[0].OpenTime, source[Candles - 1].OpenTime + 60_000));
    }

    [Fact]
    public async Task StreamAsync_GroupedSubscriptionRefused_FallsBackToOneConnectionPerSymbol()
    {
        _server.Stream.RefuseGroupedSubscriptions = true;
        _server.Stream.Steps = 20 * _server.StreamVenue.UpdatesPerCandle;
        using var client = Client("binance");
        var btc = new Symbol("BTC", "USDT");
        var subscriptions = new[]
        {
            StreamSubscription.Candles(XrpEth, MarketType.Spot, Timeframe.OneMinute),
            StreamSubscription.Candles(btc, MarketType.Spot, Timeframe.OneMinute),
        };

        var events = await CollectAsync(client, subscriptions,
            e => e.OfType<CandleEvent>().Where(c => c.IsClosed).Select(c => c.Subscription.Symbol).Distinct().Count() == 2);

        _server.Stream.Refusals.ShouldBeGreaterThanOrEqualTo(1);
        _server.Stream.Connections.ShouldBeGreaterThanOrEqualTo(3);
        events.OfType<CandleEvent>().Select(c => c.Subscription.Symbol).Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task StreamAsync_ServerDropsTheConnection_ReconnectsWithAGapAndKeepsStreamingRestEqualCandles()
    {
        const int candles = 12;
        _server.Stream.Steps = candles * _server.StreamVenue.UpdatesPerCandle;
        _server.Stream.DropAt(6);
        using var client = Client("binance");
        var lastOpen = XrpEthCandles[candles - 1].OpenTime;

        var events = await CollectAsync(client, [StreamSubscription.Candles(XrpEth, MarketType.Spot, Timeframe.OneMinute)],
            e => e.OfType<StreamGapEvent>().Any() && e.OfType<CandleEvent>().Any(c => c.IsClosed && c.Candle.OpenTime == lastOpen));

        _server.Stream.Connections.ShouldBeGreaterThanOrEqualTo(2);
        var gap = events.OfType<StreamGapEvent>().ShouldHaveSingleItem();
        gap.Subscription.ShouldBe(StreamSubscription.Candles(XrpEth, MarketType.Spot, Timeframe.OneMinute));
        var rest = (await RestCandlesAsync(client, XrpEth, MarketType.Spot, XrpEthCandles[0].OpenTime, lastOpen + 60_000)).ToDictionary(c => c.OpenTime);
        var closed = events.OfType<CandleEvent>().Where(c => c.IsClosed).Select(c => c.Candle).ToList();
        closed.ShouldAllBe(c => rest[c.OpenTime] == c);
        events.IndexOf(gap).ShouldBeLessThan(events.FindLastIndex(e => e is CandleEvent));
    }

    [Fact]
    public async Task StreamAsync_MalformedFrame_IsSkippedWithoutReconnecting()
    {
        _server.Stream.MalformedAt(2);
        using var client = Client("binance");

        var events = await CollectAsync(client, [StreamSubscription.Candles(XrpEth, MarketType.Spot, Timeframe.OneMinute)],
            e => e.OfType<CandleEvent>().Count(c => c.IsClosed) >= Candles);

        events.OfType<StreamGapEvent>().ShouldBeEmpty();
        _server.Stream.Connections.ShouldBe(1);
        events.OfType<CandleEvent>().Where(c => c.IsClosed).Select(c => c.Candle)
            .ShouldBe(await RestCandlesAsync(client, XrpEth, MarketType.Spot, XrpEthCandles[0].OpenTime, XrpEthCandles[Candles - 1].OpenTime + 60_000));
    }

    [Fact]
    public async Task StreamAsync_UnknownSymbol_ThrowsWithTheClosestNames()
    {
        using var client = Client("binance");
        var ex = await Should.ThrowAsync<UnknownSymbolException>(async () =>
        {
            await foreach (var unused in client.StreamAsync([StreamSubscription.Trades(new Symbol("XRP", "ETHH"), MarketType.Spot)], new StreamOptions()))
            {
            }
        });

        ex.Suggestions.ShouldContain("XRP/ETH");
    }

    [Fact]
    public async Task StreamAsync_MarkPriceCandlesOnUsdm_ThrowsNotSupported()
    {
        using var client = Client("binanceusdm");
        var ex = await Should.ThrowAsync<NotSupportedException>(async () =>
        {
            await foreach (var unused in client.StreamAsync(
                [StreamSubscription.Candles(new Symbol("BTC", "USDT", "USDT"), MarketType.Swap, Timeframe.OneMinute, PriceType.Mark)], new StreamOptions()))
            {
            }
        });

        ex.Message.ShouldContain("markPriceKlines");
    }

    [Fact]
    public void StreamEndpointOverride_RestBaseUrlOverridden_IsThatHost()
    {
        using var overridden = Client("binance");
        overridden.StreamEndpointOverride().ShouldBe(_server.BaseUrl);
        using var production = BinanceClient.Create("binanceus", _http);
        production.StreamEndpointOverride().ShouldBeNull();
    }

    private BinanceClient Client(string exchange) =>
        BinanceClient.Create(exchange, _http, _server.BaseUrl, new BinanceOptions { RespectRateLimits = false, MaxRetries = 0 });

    private static async Task<List<Candle>> RestCandlesAsync(BinanceClient client, Symbol symbol, MarketType type, long start, long end)
    {
        var candles = new List<Candle>();
        await foreach (var page in client.GetCandlesAsync(new CandleRequest(symbol, type, Timeframe.OneMinute, PriceType.Last, new TimeRange(start, end))))
        {
            candles.AddRange(page.Candles);
        }

        return candles;
    }

    /// <summary>Streams until <paramref name="done"/> holds for the events so far (or 30 s pass), then stops the stream.</summary>
    private static async Task<List<MarketEvent>> CollectAsync(BinanceClient client, IReadOnlyList<StreamSubscription> subscriptions, Func<List<MarketEvent>, bool> done)
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
