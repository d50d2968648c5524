using Coinlake.Candles;
using Coinlake.Exchanges.Kucoin;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Testing.Kucoin;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Kucoin.Socket;

/// <summary><see cref="KucoinClient.StreamAsync"/> against <see cref="FakeKucoinServer"/>: token from bullet-public, then its WebSocket side.</summary>
public sealed class KucoinStreamClientTests : IAsyncLifetime
{
    private static readonly Symbol _btcUsdt = Symbol.Parse("BTC/USDT");
    private static readonly Symbol _ethUsdt = Symbol.Parse("ETH/USDT");
    private readonly IReadOnlyList<Candle> _candles = [.. TestData.BinanceUsBtcUsdt1m().Take(6)];
    private readonly IReadOnlyList<Trade> _trades = [.. TradeData.FreqtradeXrpEth().Take(12)];
    private readonly HttpClient _http = new();
    private FakeKucoinServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKucoinServer.StartAsync();
        _server.AddSeries("BTC-USDT", _candles);
        _server.AddTrades("BTC-USDT", _trades);
        _server.AddTrades("ETH-USDT", _trades);
    }

    public async Task DisposeAsync()
    {
        await _server.Stream.DisposeAsync();
        await _server.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task StreamAsync_Candles_TokenThenUpdatesWhoseLastPerMinuteIsTheCandle()
    {
        _server.Stream.Steps = _candles.Count * _server.StreamVenue.UpdatesPerCandle;
        var sub = StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.OneMinute);

        var events = await CollectAsync([sub]);

        var candles = events.OfType<CandleEvent>().ToList();
        candles.Count.ShouldBe(_server.Stream.Steps);
        candles.ShouldAllBe(e => e.Subscription == sub && !e.IsClosed); // KuCoin marks no candle closed
        candles.GroupBy(e => e.Candle.OpenTime).Select(g => g.Last().Candle with { QuoteVolume = null }).ShouldBe(_candles);
        _server.TokensIssued.ShouldBe(1);
        _server.StreamVenue.ConnectQueries.ShouldHaveSingleItem().ShouldStartWith("?token=fake-token-1&connectId=");
        _server.StreamVenue.Received.ShouldContain("""{"id":"1","type":"subscribe","topic":"/market/candles:BTC-USDT_1min","privateChannel":false,"response":true}""");
    }

    [Fact]
    public async Task StreamAsync_TradesAndTickers_EveryTradeBySequenceAndTickersOfTheSymbol()
    {
        _server.Stream.Steps = _trades.Count;
        StreamSubscription[] subs = [StreamSubscription.Trades(_btcUsdt, MarketType.Spot), StreamSubscription.Tickers(_btcUsdt, MarketType.Spot)];

        var events = await CollectAsync(subs);

        events.OfType<TradeEvent>().Select(e => e.Trade).ShouldBe(_trades);
        var tickers = events.OfType<TickerEvent>().Select(e => e.Ticker).ToList();
        tickers.ShouldNotBeEmpty();
        tickers.ShouldAllBe(t => t.Symbol == _btcUsdt && t.Last != null && t.Bid == t.Last && t.Ask == t.Last);
        _server.Stream.Connections.ShouldBe(1);
    }

    [Fact]
    public async Task StreamAsync_ServerRefusesTopicsOfSeveralSymbols_SplitsPerSymbolAndStreamsBoth()
    {
        _server.Stream.Steps = 40;
        _server.Stream.RefuseGroupedSubscriptions = true;
        StreamSubscription[] subs = [StreamSubscription.Trades(_btcUsdt, MarketType.Spot), StreamSubscription.Trades(_ethUsdt, MarketType.Spot)];

        var events = await CollectAsync(subs);

        _server.Stream.Refusals.ShouldBeGreaterThanOrEqualTo(1);
        _server.StreamVenue.Received.ShouldContain(m => m.Contains("/market/match:BTC-USDT,ETH-USDT", StringComparison.Ordinal));
        events.OfType<TradeEvent>().ShouldContain(e => e.Subscription.Symbol == _btcUsdt);
        events.OfType<TradeEvent>().ShouldContain(e => e.Subscription.Symbol == _ethUsdt);
        _server.TokensIssued.ShouldBeGreaterThanOrEqualTo(3); // one per connection: the refused one and one per symbol
    }

    [Fact]
    public async Task StreamAsync_ServerDropsConnection_NewTokenResubscribesAndMarksTheGap()
    {
        _server.Stream.Steps = 60;
        _server.Stream.DropAt(10);
        var sub = StreamSubscription.Trades(_btcUsdt, MarketType.Spot);
        _server.AddTrades("BTC-USDT", [.. TradeData.FreqtradeXrpEth().Skip(12).Take(48)]);

        var events = await CollectAsync([sub]);

        _server.Stream.Connections.ShouldBe(2);
        _server.TokensIssued.ShouldBe(2); // KuCoin tokens are per connection: asked again on reconnect
        var gap = events.OfType<StreamGapEvent>().ShouldHaveSingleItem();
        gap.Subscription.ShouldBe(sub);
        var gapIndex = events.IndexOf(gap);
        events.Take(gapIndex).OfType<TradeEvent>().ShouldNotBeEmpty();
        events.Skip(gapIndex).OfType<TradeEvent>().ShouldNotBeEmpty();
        _server.StreamVenue.Received.Count(m => m.Contains("/market/match:BTC-USDT", StringComparison.Ordinal)).ShouldBe(2);
    }

    [Fact]
    public async Task StreamAsync_UnknownSymbol_ThrowsBeforeAskingForAToken()
    {
        var client = Client();
        var ex = await Should.ThrowAsync<UnknownSymbolException>(async () =>
        {
            await foreach (var _ in client.StreamAsync([StreamSubscription.Trades(Symbol.Parse("BTC/USDX"), MarketType.Spot)], new StreamOptions()))
            {
            }
        });

        ex.Suggestions.ShouldContain("BTC/USDT");
        _server.TokensIssued.ShouldBe(0);
    }

    [Fact]
    public async Task StreamAsync_UnsupportedSubscription_ThrowsNotSupported()
    {
        var client = Client();
        var sub = StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.Parse("1w"));

        client.WhyUnsupported(sub).ShouldNotBeNull();
        await Should.ThrowAsync<NotSupportedException>(async () =>
        {
            await foreach (var _ in client.StreamAsync([sub], new StreamOptions()))
            {
            }
        });
        _server.TokensIssued.ShouldBe(0);
    }

    private KucoinClient Client() =>
        KucoinClient.Create("kucoin", _http, _server.BaseUrl, new KucoinOptions { RespectRateLimits = false, MaxRetries = 0 });

    /// <summary>Streams until the fake's timeline has played (no Endpoint option: the REST base URL's host is used).</summary>
    private async Task<List<MarketEvent>> CollectAsync(IReadOnlyList<StreamSubscription> subscriptions)
    {
        var client = Client();
        var options = new StreamOptions
        {
            StallTimeout = TimeSpan.FromSeconds(10),
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
        await _server.Stream.Finished.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(300);
        await stop.CancelAsync();
        await reading;
        return events;
    }
}
