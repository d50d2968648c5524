using Coinlake.Candles;
using Coinlake.Exchanges.Okx;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Testing.Okx;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Okx.Socket;

/// <summary><see cref="OkxClient.StreamAsync"/> against <see cref="FakeOkxServer"/>'s WebSocket side (real candles and trades).</summary>
public sealed class OkxStreamClientTests : IAsyncLifetime
{
    private static readonly Symbol _btcUsdt = Symbol.Parse("BTC/USDT");
    private static readonly Symbol _ethUsdt = Symbol.Parse("ETH/USDT");
    private readonly IReadOnlyList<Candle> _candles = [.. TestData.BinanceUsBtcUsdt1m().Take(6)];
    private readonly IReadOnlyList<Trade> _trades = [.. TradeData.FreqtradeXrpEth().Take(12)];
    private readonly HttpClient _http = new();
    private FakeOkxServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOkxServer.StartAsync(new FakeOkxOptions { RateLimitsEnabled = false });
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
    public async Task StreamAsync_Candles_InProgressUpdatesThenEveryClosedCandleOverTheBusinessPath()
    {
        _server.Stream.Steps = _candles.Count * _server.StreamVenue.UpdatesPerCandle;
        var sub = StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.OneMinute);

        var events = await CollectAsync([sub]);

        var candles = events.OfType<CandleEvent>().ToList();
        candles.ShouldAllBe(e => e.Subscription == sub);
        candles.Where(e => e.IsClosed).Select(e => e.Candle with { QuoteVolume = null }).ShouldBe(_candles); // the source has no quote volume; the fake derives one
        candles.Count(e => !e.IsClosed).ShouldBe(_candles.Count * 2);
        events.OfType<StreamGapEvent>().ShouldBeEmpty();
        _server.StreamVenue.Received.ShouldContain("""{"op":"subscribe","args":[{"channel":"candle1m","instId":"BTC-USDT"}]}""");
        _server.Stream.Connections.ShouldBe(1);
    }

    [Fact]
    public async Task StreamAsync_Trades_EveryTradeFromTradesAllOverTheBusinessPath()
    {
        _server.Stream.Steps = _trades.Count;

        var events = await CollectAsync([StreamSubscription.Trades(_btcUsdt, MarketType.Spot)]);

        events.OfType<TradeEvent>().Select(e => e.Trade).ShouldBe(_trades);
        _server.StreamVenue.Received.ShouldContain("""{"op":"subscribe","args":[{"channel":"trades-all","instId":"BTC-USDT"}]}""");
        _server.Stream.Connections.ShouldBe(1);
    }

    [Fact]
    public async Task StreamAsync_Tickers_RecordedTickerEveryStepOverThePublicPath()
    {
        _server.Stream.Steps = 10;

        var events = await CollectAsync([StreamSubscription.Tickers(_btcUsdt, MarketType.Spot)]);

        var tickers = events.OfType<TickerEvent>().Select(e => e.Ticker).ToList();
        tickers.Count.ShouldBe(10);
        tickers.ShouldAllBe(t => t.Symbol == _btcUsdt && t.Last > 0 && t.BaseVolume > 0 && t.QuoteVolume > 0);
        tickers.Zip(tickers.Skip(1)).ShouldAllBe(pair => pair.Second.Timestamp == pair.First.Timestamp + 1000); // the fake advances ts 1 s a step
        _server.StreamVenue.Received.ShouldContain("""{"op":"subscribe","args":[{"channel":"tickers","instId":"BTC-USDT"}]}""");
    }

    [Fact]
    public async Task StreamAsync_ServerRefusesGroupedSubscribe_SplitsPerSymbolAndStreamsBoth()
    {
        _server.Stream.Steps = 40;
        _server.Stream.RefuseGroupedSubscriptions = true;
        StreamSubscription[] subs = [StreamSubscription.Trades(_btcUsdt, MarketType.Spot), StreamSubscription.Trades(_ethUsdt, MarketType.Spot)];

        var events = await CollectAsync(subs);

        _server.Stream.Refusals.ShouldBeGreaterThanOrEqualTo(1);
        events.OfType<TradeEvent>().ShouldContain(e => e.Subscription.Symbol == _btcUsdt);
        events.OfType<TradeEvent>().ShouldContain(e => e.Subscription.Symbol == _ethUsdt);
    }

    [Fact]
    public async Task StreamAsync_ServerDropsConnection_ReconnectsResubscribesAndMarksTheGap()
    {
        IReadOnlyList<Candle> source = [.. TestData.BinanceUsBtcUsdt1m().Take(20)];
        _server.AddSeries("BTC-USDT", source);
        _server.Stream.Steps = source.Count * _server.StreamVenue.UpdatesPerCandle;
        _server.Stream.DropAt(6);
        var sub = StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.OneMinute);

        var events = await CollectAsync([sub]);

        _server.Stream.Connections.ShouldBe(2);
        var gap = events.OfType<StreamGapEvent>().ShouldHaveSingleItem();
        gap.Subscription.ShouldBe(sub);
        var gapIndex = events.IndexOf(gap);
        var before = events.Take(gapIndex).OfType<CandleEvent>().ToList();
        var after = events.Skip(gapIndex).OfType<CandleEvent>().ToList();
        before.ShouldNotBeEmpty();
        after.ShouldNotBeEmpty();
        before.Max(e => e.Candle.OpenTime).ShouldBeLessThan(after.Max(e => e.Candle.OpenTime));
        after.Where(e => e.IsClosed).Select(e => e.Candle with { QuoteVolume = null }).ShouldContain(source[^1]);
        _server.StreamVenue.Received.Count(m => m.Contains("\"candle1m\"", StringComparison.Ordinal)).ShouldBe(2);
    }

    [Fact]
    public async Task StreamAsync_UnknownSymbol_ThrowsWithClosestListedSymbols()
    {
        var client = Client();
        var ex = await Should.ThrowAsync<UnknownSymbolException>(async () =>
        {
            await foreach (var _ in client.StreamAsync([StreamSubscription.Trades(Symbol.Parse("BTC/USDX"), MarketType.Spot)], new StreamOptions()))
            {
            }
        });

        ex.Suggestions.ShouldContain("BTC/USDT");
        _server.Stream.Connections.ShouldBe(0);
    }

    [Fact]
    public async Task StreamAsync_UnsupportedSubscription_ThrowsNotSupportedBeforeConnecting()
    {
        var client = Client();
        var sub = StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.OneMinute, PriceType.Mark);

        client.WhyUnsupported(sub).ShouldNotBeNull();
        await Should.ThrowAsync<NotSupportedException>(async () =>
        {
            await foreach (var _ in client.StreamAsync([sub], new StreamOptions()))
            {
            }
        });
        _server.Stream.Connections.ShouldBe(0);
    }

    private OkxClient Client() =>
        OkxClient.Create("okx", _http, _server.BaseUrl, new OkxOptions { RespectRateLimits = false, MaxRetries = 0 });

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
