using Coinlake.Candles;
using Coinlake.Exchanges.Kraken;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Kraken;
using Coinlake.Time;
using static Coinlake.Exchanges.Tests.Kraken.KrakenTestKit;

namespace Coinlake.Exchanges.Tests.Kraken;

/// <summary>
/// Candles end to end: <see cref="KrakenClient"/> against <see cref="FakeKrakenServer"/> serving real kline series in
/// Kraken's wire format, with "now" set right after the series so the 720-candle OHLC window lands on it.
/// </summary>
public sealed class KrakenCandlesTests : IAsyncLifetime
{
    private static readonly IReadOnlyList<Candle> BinanceUs = TestData.BinanceUsBtcUsdt1m();
    private static readonly IReadOnlyList<Candle> Freqtrade = TestData.FreqtradeUnittestBtc1m();
    private static readonly Timeframe OneHour = Timeframe.OneHour;

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly List<FakeKrakenServer> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var s in _servers)
        {
            await s.DisposeAsync();
        }

        _http.Dispose();
    }

    private async Task<(FakeKrakenServer Server, KrakenClient Client)> StartAsync(DateTimeOffset now, KrakenOptions? options = null)
    {
        var time = new ShiftedTimeProvider(now);
        var server = await FakeKrakenServer.StartAsync(new FakeKrakenOptions { TimeProvider = time, RateLimitBurst = 0 });
        _servers.Add(server);
        return (server, Client(server, _http, time, options));
    }

    // Freqtrade's 1m series on ETH/BTC (Kraken XETHXXBT) with four trades per candle, "now" 90 s after its last candle opened.
    private async Task<(FakeKrakenServer Server, KrakenClient Client, TimeRange All)> DeepAsync(KrakenOptions? options = null)
    {
        var end = Freqtrade[^1].OpenTime + Minute;
        var (server, client) = await StartAsync(At(end + 30_000), options);
        server.AddSeries("XETHXXBT", Freqtrade);
        server.AddTrades("XETHXXBT", KrakenTradeData.FromCandles(Freqtrade));
        return (server, client, new TimeRange(Freqtrade[0].OpenTime, end));
    }

    [Fact]
    public async Task GetCandlesAsync_HourlyRangeInsideWindow_EqualsSourceFromOneOhlcRequest()
    {
        var end = BinanceUs[^1].OpenTime + Minute; // 2023-03-22T00:00Z: 504 hourly candles, inside the 720 window
        var (server, client) = await StartAsync(At(end + (30 * Minute)));
        server.AddSeries("XBTUSDT", BinanceUs);
        using var _ = client;

        var pages = await AllPages(client, CandlesOf("BTC/USDT", OneHour, new TimeRange(BinanceUs[0].OpenTime, end)));

        ShouldBeWellFormed(pages);
        var page = pages.ShouldHaveSingleItem();
        page.Covered.ShouldBe(new TimeRange(BinanceUs[0].OpenTime, end));
        ShouldMatchOhlcv(page.Candles, Aggregate(BinanceUs, OneHour));
        page.Candles.ShouldAllBe(c => c.QuoteVolume == null); // Kraken sends a rounded VWAP, not a quote volume
        server.CountRequests("/0/public/OHLC").ShouldBe(1);
        server.CountRequests("/0/public/Trades").ShouldBe(0);
        var query = server.Requests.Single(r => r.Path == "/0/public/OHLC").Query;
        query.ShouldContain("pair=XBTUSDT");
        query.ShouldContain("interval=60");
        client.CandlesRebuiltFromTrades.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_HistoryOlderThanWindow_IsRebuiltFromTradesAndEqualsSource()
    {
        var (server, client, all) = await DeepAsync();
        using var _ = client;

        var pages = await AllPages(client, CandlesOf("ETH/BTC", Timeframe.OneMinute, all));

        ShouldBeWellFormed(pages);
        pages[0].Covered.Start.ShouldBe(all.Start);
        pages[^1].Covered.End.ShouldBe(all.End);
        ShouldMatchOhlcv([.. pages.SelectMany(p => p.Candles)], Freqtrade);
        client.RebuildsCandlesFromTrades.ShouldBeTrue();
        client.HistoryNote(MarketType.Spot).ShouldNotBeNull().ShouldContain("rebuilt from trades");
        client.HistoryNote(MarketType.Swap).ShouldBeNull();
        client.CandlesRebuiltFromTrades.ShouldBeGreaterThan(Freqtrade.Count - KrakenClient.OhlcWindow);
        server.CountRequests("/0/public/OHLC").ShouldBe(1);
        server.CountRequests("/0/public/Trades").ShouldBeGreaterThan(50); // 54,724 trades, 1000 a page
    }

    [Fact]
    public async Task GetCandlesAsync_RebuiltFiveMinuteCandlesFromUnalignedStart_MatchAggregatedSource()
    {
        var (_, client, all) = await DeepAsync();
        using var __ = client;
        var tf = Timeframe.Parse("5m");
        var range = new TimeRange(all.Start + 90_000, all.Start + (3 * 24 * 60 * Minute)); // 3 days, all older than the window

        var pages = await AllPages(client, CandlesOf("ETH/BTC", tf, range));

        ShouldBeWellFormed(pages);
        pages[^1].Covered.End.ShouldBe(range.End);
        var expected = Aggregate(Freqtrade.Where(c => c.OpenTime >= tf.Ceiling(range.Start) && c.OpenTime < tf.Ceiling(range.End)), tf); // the last candle is whole
        ShouldMatchOhlcv([.. pages.SelectMany(p => p.Candles)], expected);
    }

    [Theory]
    [InlineData(FakeKrakenFault.NewestFirst)]
    [InlineData(FakeKrakenFault.RepeatedBoundaryRow)]
    [InlineData(FakeKrakenFault.ShortPage)]
    public async Task GetCandlesAsync_OddOhlcPage_StillCompleteAndDuplicateFree(FakeKrakenFault fault)
    {
        var (server, client, all) = await DeepAsync();
        using var _ = client;
        var recent = new TimeRange(all.End - (600 * Minute), all.End);
        server.Faults.Enqueue(fault);

        var pages = await AllPages(client, CandlesOf("ETH/BTC", Timeframe.OneMinute, recent));

        ShouldBeWellFormed(pages);
        pages[0].Covered.Start.ShouldBe(recent.Start);
        pages[^1].Covered.End.ShouldBe(recent.End);
        ShouldMatchOhlcv([.. pages.SelectMany(p => p.Candles)], [.. Freqtrade.Where(c => recent.Contains(c.OpenTime))]);
        // An empty OHLC array proves nothing: the range is rebuilt from trades instead of being claimed empty.
        (server.CountRequests("/0/public/Trades") > 0).ShouldBe(fault == FakeKrakenFault.ShortPage);
    }

    [Theory]
    [InlineData("1h")]
    [InlineData("4h")]
    public async Task GetCandlesAsync_HourlyFuturesFileServedAsSpot_EqualsSource(string timeframe)
    {
        var source = TestData.FreqtradeXrpUsdtFutures1h(); // 100 contiguous 1h candles
        var tf = Timeframe.Parse(timeframe);
        var end = source[^1].OpenTime + OneHour.ApproximateMilliseconds;
        var (server, client) = await StartAsync(At(tf.Ceiling(end) + 1000));
        server.AddSeries("XRPUSDT", source, OneHour);
        using var _ = client;
        var range = new TimeRange(tf.Ceiling(source[0].OpenTime), tf.Ceiling(end));

        var pages = await AllPages(client, CandlesOf("XRP/USDT", tf, range));

        ShouldBeWellFormed(pages);
        pages.ShouldHaveSingleItem().Covered.ShouldBe(range);
        ShouldMatchOhlcv(pages[0].Candles, Aggregate(source.Where(c => range.Contains(c.OpenTime)), tf));
    }

    [Fact]
    public async Task GetCandlesAsync_RangeIntoTheFuture_NeverCoversTheCandleInProgress()
    {
        var end = BinanceUs[^1].OpenTime + Minute;
        var now = end - (20 * Minute) + 30_000; // the series still has 20 minutes "ahead" of now
        var (server, client) = await StartAsync(At(now));
        server.AddSeries("XBTUSDT", BinanceUs);
        using var _ = client;
        var inProgress = Timeframe.OneMinute.Floor(now);

        var pages = await AllPages(client, CandlesOf("BTC/USDT", Timeframe.OneMinute, new TimeRange(end - (100 * Minute), end + (60 * Minute))));

        ShouldBeWellFormed(pages);
        var page = pages.ShouldHaveSingleItem();
        page.Covered.End.ShouldBe(inProgress);
        page.Candles[^1].OpenTime.ShouldBe(inProgress - Minute);
    }

    [Fact]
    public async Task GetCandlesAsync_OldRangeWithRebuildOff_ClaimsNothingAndSendsNoTradeRequest()
    {
        var options = Options();
        options.RebuildCandlesFromTrades = false;
        var (server, client, all) = await DeepAsync(options);
        using var _ = client;

        var pages = await AllPages(client, CandlesOf("ETH/BTC", Timeframe.OneMinute, new TimeRange(all.Start, all.Start + (1000 * Minute))));

        pages.ShouldBeEmpty();
        client.RebuildsCandlesFromTrades.ShouldBeFalse();
        client.HistoryNote(MarketType.Spot).ShouldNotBeNull().ShouldContain("not fetched");
        server.CountRequests("/0/public/Trades").ShouldBe(0);
        server.CountRequests("/0/public/OHLC").ShouldBe(0); // the range ends before the window: not even asked
    }

    [Theory]
    [InlineData(PriceType.Mark, MarketType.Spot)]
    [InlineData(PriceType.Index, MarketType.Spot)]
    [InlineData(PriceType.Last, MarketType.Swap)]
    [InlineData(PriceType.Mark, MarketType.Swap)]
    public async Task GetCandlesAsync_MarkIndexOrDerivatives_NotSupportedWithoutAnyRequest(PriceType price, MarketType type)
    {
        var (server, client) = await StartAsync(At(BinanceUs[^1].OpenTime));
        using var _ = client;

        client.Supports(type, price).ShouldBeFalse();
        var ex = await Should.ThrowAsync<NotSupportedException>(() =>
            AllPages(client, CandlesOf("BTC/USDT", Timeframe.OneMinute, new TimeRange(0, Minute), price, type)));

        ex.Message.ShouldContain("spot");
        server.Requests.ShouldBeEmpty();
        client.Supports(MarketType.Spot, PriceType.Last).ShouldBeTrue();
    }

    [Theory]
    [InlineData("1w")]
    [InlineData("3m")]
    [InlineData("1M")]
    public async Task GetCandlesAsync_TimeframeKrakenLacks_NotSupported(string timeframe)
    {
        var (_, client) = await StartAsync(At(BinanceUs[^1].OpenTime));
        using var _ = client;

        var ex = await Should.ThrowAsync<NotSupportedException>(() =>
            AllPages(client, CandlesOf("BTC/USDT", Timeframe.Parse(timeframe), new TimeRange(0, Minute))));

        ex.Message.ShouldContain("1m 5m 15m 30m 1h 4h 1d");
    }
}
