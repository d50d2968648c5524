using Coinlake.Candles;
using Coinlake.Exchanges.Kraken;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Kraken;
using Coinlake.Time;
using static Coinlake.Exchanges.Tests.Kraken.KrakenTestKit;

namespace Coinlake.Exchanges.Tests.Kraken;

/// <summary>
/// Error answers, retries and rate limits against <see cref="FakeKrakenServer"/>. Client and server share a clock
/// running 50x faster than real time, so waits of seconds pass in tens of milliseconds.
/// </summary>
public sealed class KrakenErrorsAndLimitsTests : IAsyncLifetime
{
    private const double Speed = 50;
    private static readonly IReadOnlyList<Candle> Source = TestData.BinanceUsBtcUsdt1m();
    private static readonly long End = Source[^1].OpenTime + Minute;
    private static readonly TimeRange Recent = new(End - (100 * Minute), End);

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ShiftedTimeProvider _time = new(At(End + 1000), Speed);
    private FakeKrakenServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKrakenServer.StartAsync(new FakeKrakenOptions { TimeProvider = _time, RateLimitBurst = 0 });
        _server.AddSeries("XBTUSDT", Source);
        _server.AddTrades("XRPETH", KrakenTradeData.FreqtradeXrpEth());
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private void LimitServer()
    {
        // One request per 4 s with a burst of 3: the slack absorbs timer jitter of a loaded machine (1 s of this clock is 20 ms).
        _server.Options.RateLimitBurst = 3;
        _server.Options.RateLimitInterval = TimeSpan.FromSeconds(4);
    }

    private KrakenClient NewClient(KrakenOptions? options = null) => Client(_server, _http, _time, options);

    private Task<List<CandlePage>> RecentCandles(KrakenClient client) =>
        AllPages(client, CandlesOf("BTC/USDT", Timeframe.OneMinute, Recent));

    private static void ShouldBeTheRecentCandles(List<CandlePage> pages) =>
        ShouldMatchOhlcv([.. pages.SelectMany(p => p.Candles)], [.. Source.Where(c => Recent.Contains(c.OpenTime))]);

    [Theory]
    [InlineData(FakeKrakenFault.InternalServerError500)]
    [InlineData(FakeKrakenFault.BadGateway502)]
    [InlineData(FakeKrakenFault.ServiceUnavailable)]
    [InlineData(FakeKrakenFault.ServiceBusy)]
    [InlineData(FakeKrakenFault.ConnectionReset)]
    [InlineData(FakeKrakenFault.TruncatedBody)]
    public async Task GetCandlesAsync_TransientFailure_IsRetriedAndCompletes(FakeKrakenFault fault)
    {
        using var client = NewClient();
        await client.GetMarketsAsync(MarketType.Spot);
        _server.Faults.Enqueue(fault, 2);

        var pages = await RecentCandles(client);

        ShouldBeTheRecentCandles(pages);
        client.Stats.Retries.ShouldBe(2);
        _server.CountRequests("/0/public/OHLC").ShouldBe(3);
    }

    [Fact]
    public async Task GetCandlesAsync_ServerStalls_AttemptTimesOutAndIsRetried()
    {
        var options = Options();
        options.RequestTimeout = TimeSpan.FromSeconds(30); // 0.6 s of real time at 50x
        using var client = NewClient(options);
        await client.GetMarketsAsync(MarketType.Spot);
        _server.Faults.Enqueue(FakeKrakenFault.Stall);

        var pages = await RecentCandles(client);

        ShouldBeTheRecentCandles(pages);
        client.Stats.Retries.ShouldBeGreaterThanOrEqualTo(1); // more only if a loaded machine slows another attempt past the timeout
        _server.Requests.ShouldContain(r => r.Path == "/0/public/OHLC" && r.Status == 0);
    }

    [Fact]
    public async Task GetCandlesAsync_UnknownAssetPairAnswer_FailsAtOnceWithKrakensCode()
    {
        using var client = NewClient();
        await client.GetMarketsAsync(MarketType.Spot);
        _server.Faults.Enqueue(FakeKrakenFault.UnknownAssetPair);

        var ex = await Should.ThrowAsync<ExchangeException>(() => RecentCandles(client));

        ex.Code.ShouldBe("EQuery:Unknown asset pair");
        ex.ExchangeMessage.ShouldBe("EQuery:Unknown asset pair");
        ex.IsTransient.ShouldBeFalse();
        ex.Url!.AbsolutePath.ShouldBe("/0/public/OHLC");
        ex.Message.ShouldContain("AssetPairs");
        client.Stats.Retries.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_MalformedJson_ThrowsMalformedWithTheUrlWithoutRetry()
    {
        using var client = NewClient();
        await client.GetMarketsAsync(MarketType.Spot);
        _server.Faults.Enqueue(FakeKrakenFault.MalformedJson);

        var ex = await Should.ThrowAsync<MalformedResponseException>(() => RecentCandles(client));

        ex.Message.ShouldContain("/0/public/OHLC");
        ex.Message.ShouldContain("not a decimal");
        client.Stats.Retries.ShouldBe(0);
    }

    [Theory]
    [InlineData(FakeKrakenFault.TooManyRequests, "EGeneral:Too many requests", 5.0)]
    [InlineData(FakeKrakenFault.RateLimitExceeded, "EAPI:Rate limit exceeded", 5.0)]
    [InlineData(FakeKrakenFault.Throttled, "EService:Throttled", 1.0)]
    [InlineData(FakeKrakenFault.Http429, "EGeneral:Too many requests", 1.0)]
    public async Task GetCandlesAsync_RateLimitAnswer_IsWaitedOutThenCompletes(FakeKrakenFault fault, string code, double minimumWaitSeconds)
    {
        using var client = NewClient();
        await client.GetMarketsAsync(MarketType.Spot);
        _server.Faults.Enqueue(fault);

        var pages = await RecentCandles(client);

        ShouldBeTheRecentCandles(pages);
        client.Stats.RateLimited.ShouldBe(1);
        var ohlc = _server.Requests.Where(r => r.Path == "/0/public/OHLC").ToList();
        ohlc.Count.ShouldBe(2);
        ohlc[0].Error.ShouldNotBeNull().ShouldStartWith(code);
        // Backoff 5 s when Kraken names no reset; until the timestamp for EService:Throttled; Retry-After for 429.
        // Half the wait is enough to tell a wait from a retry backoff (at most 0.2 s here) and leaves room for load.
        (ohlc[1].Time - ohlc[0].Time).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(minimumWaitSeconds * 0.5));
    }

    [Fact]
    public async Task GetCandlesAsync_RateLimitedBeyondRetries_ThrowsTypedRateLimitError()
    {
        using var client = NewClient(Options(maxRetries: 1));
        await client.GetMarketsAsync(MarketType.Spot);
        _server.Faults.Enqueue(FakeKrakenFault.RateLimitExceeded, 2);

        var ex = await Should.ThrowAsync<RateLimitedException>(() => RecentCandles(client));

        ex.Code.ShouldBe("EAPI:Rate limit exceeded");
        ex.RetryAfter.ShouldBe(TimeSpan.FromSeconds(5));
        ex.IsTransient.ShouldBeTrue();
    }

    [Fact]
    public async Task GetTradesAsync_ClientLimiterOn_ServerNeverAnswersTooManyRequests()
    {
        LimitServer(); // Kraken-like, slowed so the accelerated clock cannot hide a burst
        var options = Options(respectRateLimits: true);
        options.PublicRequestInterval = TimeSpan.FromSeconds(5);
        using var client = NewClient(options);
        var trades = KrakenTradeData.FreqtradeXrpEth();

        var pages = await AllTradePages(client, new TradeRequest(Symbol.Parse("XRP/ETH"), MarketType.Spot, new TimeRange(trades[0].Timestamp, trades[^1].Timestamp + 1)));

        pages.SelectMany(p => p.Trades).Count().ShouldBe(trades.Count);
        _server.Requests.Count.ShouldBeGreaterThan(10);
        _server.Requests.ShouldAllBe(r => r.Error == null);
        client.Stats.RateLimited.ShouldBe(0);
        client.Limiter.ShouldNotBeNull();
    }

    [Fact]
    public async Task GetTradesAsync_ClientLimiterOff_ServerAnswersTooManyRequestsAndClientWaitsThemOut()
    {
        LimitServer();
        var options = Options(respectRateLimits: false, maxRetries: 20);
        options.RateLimitBackoff = TimeSpan.FromSeconds(2);
        using var client = NewClient(options);
        var trades = KrakenTradeData.FreqtradeXrpEth();

        var pages = await AllTradePages(client, new TradeRequest(Symbol.Parse("XRP/ETH"), MarketType.Spot, new TimeRange(trades[0].Timestamp, trades[^1].Timestamp + 1)));

        pages.SelectMany(p => p.Trades).Count().ShouldBe(trades.Count);
        client.Stats.RateLimited.ShouldBeGreaterThan(0); // the control: without the limiter Kraken's limit is hit
        _server.Requests.ShouldContain(r => r.Error == "EGeneral:Too many requests");
    }

    [Theory]
    [InlineData("EQuery:Unknown asset pair", "EQuery:Unknown asset pair", false, false)]
    [InlineData("EGeneral:Invalid arguments:interval", "EGeneral:Invalid arguments", false, false)]
    [InlineData("EService:Unavailable", "EService:Unavailable", true, false)]
    [InlineData("EService:Busy", "EService:Busy", true, false)]
    [InlineData("EGeneral:Internal error", "EGeneral:Internal error", true, false)]
    [InlineData("EAPI:Rate limit exceeded", "EAPI:Rate limit exceeded", true, true)]
    [InlineData("EGeneral:Too many requests", "EGeneral:Too many requests", true, true)]
    [InlineData("EService:Throttled: 1700000000", "EService:Throttled", true, true)]
    public void KrakenErrors_ErrorString_ClassifiedByCode(string error, string code, bool transient, bool rateLimit)
    {
        KrakenErrors.Code(error).ShouldBe(code);
        KrakenErrors.IsTransient(error).ShouldBe(transient);
        KrakenErrors.IsRateLimit(error).ShouldBe(rateLimit);
        KrakenErrors.IsError(error).ShouldBeTrue();
    }

    [Fact]
    public void KrakenErrors_Throttled_NamesTheResetTime()
    {
        KrakenErrors.ThrottledUntil("EService:Throttled: 1700000000").ShouldBe(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        KrakenErrors.ThrottledUntil("EService:Busy").ShouldBeNull();
        KrakenErrors.IsError("WGeneral:Something").ShouldBeFalse();
    }
}
