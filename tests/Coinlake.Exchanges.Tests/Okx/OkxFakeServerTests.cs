using System.Web;
using Coinlake.Candles;
using Coinlake.Exchanges.Okx;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Okx;
using Coinlake.Time;

namespace Coinlake.Exchanges.Tests.Okx;

/// <summary>
/// End-to-end: <see cref="OkxClient"/> against <see cref="FakeOkxServer"/> on loopback, serving real recorded series.
/// Client and server share a clock that starts just after the data (so it is within the venue's reach) and runs 50x
/// faster than real time, so 2-second rate-limit windows pass in milliseconds while every wait is real behaviour.
/// </summary>
public sealed class OkxFakeServerTests : IAsyncLifetime
{
    private const long Minute = 60_000;

    private static readonly IReadOnlyList<Candle> Btc = TestData.BinanceUsBtcUsdt1m();
    private static readonly long First = Btc[0].OpenTime; // 2023-03-01T00:00:00Z
    private static readonly TimeRange All = new(First, Btc[^1].OpenTime + Minute);

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private FakeOkxServer _server = null!;
    private ShiftedClock _clock = ShiftedClock.At(Btc[^1].OpenTime + (3 * 24 * 60 * Minute));

    public async Task InitializeAsync()
    {
        _server = await FakeOkxServer.StartAsync(new FakeOkxOptions { TimeProvider = _clock });
        _server.AddSeries("BTC-USDT", Btc);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private async Task UseClockAsync(ShiftedClock clock)
    {
        _clock = clock;
        _server.Options.TimeProvider = clock;
        await Task.CompletedTask;
    }

    private static OkxOptions Options() => new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromSeconds(2),
        RequestTimeout = TimeSpan.FromMinutes(10), // 12 s of real time at 50x
    };

    private OkxClient Client(OkxOptions? options = null) => OkxClient.Create("okx", _http, _server.BaseUrl, options ?? Options(), _clock);

    private static CandleRequest Request(string symbol, MarketType type, TimeRange range, PriceType price = PriceType.Last, Timeframe? tf = null) =>
        new(Symbol.Parse(symbol), type, tf ?? Timeframe.OneMinute, price, range);

    private static async Task<List<CandlePage>> AllPages(OkxClient client, CandleRequest request)
    {
        var pages = new List<CandlePage>();
        await foreach (var page in client.GetCandlesAsync(request))
        {
            pages.Add(page);
        }

        return pages;
    }

    private static void ShouldBeOrderedUniqueAndTiled(List<CandlePage> pages, TimeRange range)
    {
        pages.ShouldNotBeEmpty();
        pages[0].Covered.Start.ShouldBe(range.Start);
        for (var i = 1; i < pages.Count; i++)
        {
            pages[i].Covered.Start.ShouldBe(pages[i - 1].Covered.End);
        }

        pages[^1].Covered.End.ShouldBe(range.End);
        var times = pages.SelectMany(p => p.Candles).Select(c => c.OpenTime).ToList();
        times.ShouldBe(times.Order().Distinct().ToList());
        times.ShouldAllBe(t => range.Contains(t));
    }

    private static void ShouldEqualSource(IEnumerable<Candle> candles, IEnumerable<Candle> expected) =>
        candles.Select(c => (c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume))
            .ShouldBe(expected.Select(c => (c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume)));

    private static string Query(OkxRecordedRequest r, string name) => HttpUtility.ParseQueryString(r.Query)[name] ?? "";

    [Fact]
    public async Task GetCandlesAsync_FullBackfill_EqualsSourceExactly()
    {
        using var client = Client();

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, All));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Btc);
        ShouldBeOrderedUniqueAndTiled(pages, All);
        pages.Count.ShouldBe(303); // 30,240 candles, 100 a window
        pages.Sum(p => p.Candles.Count(c => c.QuoteVolume == decimal.Round(c.Volume * c.Close, 8, MidpointRounding.AwayFromZero))).ShouldBe(Btc.Count);
        var requests = _server.Requests.Where(r => r.Path.Contains("candles", StringComparison.Ordinal)).ToList();
        requests.ShouldAllBe(r => r.Path == "/api/v5/market/history-candles" && r.Status == 200); // no 429: the limits were respected
        Query(requests[0], "before").ShouldBe((First - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Query(requests[0], "after").ShouldBe((First + (100 * Minute)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        client.Stats.RateLimited.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_HourlyAndDaily_UseUtcBarsAndAggregate()
    {
        using var client = Client();

        var hours = (await AllPages(client, Request("BTC/USDT", MarketType.Spot, All, tf: Timeframe.OneHour))).SelectMany(p => p.Candles).ToList();
        var days = (await AllPages(client, Request("BTC/USDT", MarketType.Spot, All, tf: Timeframe.Parse("1d")))).SelectMany(p => p.Candles).ToList();

        hours.Count.ShouldBe(504);
        hours[0].Close.ShouldBe(Btc[59].Close);
        days.Count.ShouldBe(21);
        days[1].OpenTime.ShouldBe(First + (1440 * Minute)); // 00:00 UTC
        days[0].Volume.ShouldBe(Btc.Take(1440).Sum(c => c.Volume));
        _server.Requests.Select(r => Query(r, "bar")).Where(b => b.Length > 0).Distinct().ShouldBe(["1H", "1Dutc"], ignoreOrder: true);
    }

    [Fact]
    public async Task GetCandlesAsync_RecentRange_UsesCandlesEndpointWithLimit300()
    {
        await UseClockAsync(ShiftedClock.At(Btc[^1].OpenTime + (10 * Minute)));
        using var client = Client();
        var range = new TimeRange(Btc[^1].OpenTime - (599 * Minute), Btc[^1].OpenTime + Minute);

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Btc.Where(c => range.Contains(c.OpenTime)));
        ShouldBeOrderedUniqueAndTiled(pages, range);
        var requests = _server.Requests.Where(r => r.Path.Contains("candles", StringComparison.Ordinal)).ToList();
        requests.ShouldAllBe(r => r.Path == "/api/v5/market/candles" && Query(r, "limit") == "300");
        requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task GetCandlesAsync_CandleInProgress_IsNeitherReturnedNorCovered()
    {
        var inProgress = First + (1000 * Minute);
        await UseClockAsync(ShiftedClock.At(inProgress + 20_000, factor: 1));
        using var client = Client();
        var range = new TimeRange(First + (900 * Minute), First + (1100 * Minute));

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, range));

        var candles = pages.SelectMany(p => p.Candles).ToList();
        candles[^1].OpenTime.ShouldBe(inProgress - Minute);
        candles.Count.ShouldBe(100);
        pages[^1].Covered.End.ShouldBe(inProgress); // never claims the unfinished candle (or later) empty
    }

    [Fact]
    public async Task GetCandlesAsync_GapsAndBoundaryRepeats_EndCompleteAndDuplicateFree()
    {
        using var client = Client();
        var gap = new TimeRange(First + (150 * Minute), First + (480 * Minute)); // three whole windows empty, two partial
        _server.RemoveCandles("BTC-USDT", gap);
        _server.Faults.Enqueue(OkxFault.BoundaryRepeat, 6);
        var range = new TimeRange(First + (30 * Minute) + 1, First + (777 * Minute)); // starts mid-candle, ends mid-window

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Btc.Where(c => range.Contains(c.OpenTime) && !gap.Contains(c.OpenTime)));
        ShouldBeOrderedUniqueAndTiled(pages, range);
        pages.Count(p => p.Candles.Count == 0).ShouldBe(2); // empty windows still prove their range
        _server.Faults.Pending.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_NaturalGapsOnSwap_ReadsBaseVolumeFromVolCcy()
    {
        var source = TestData.FreqtradeUnittestBtc1m();
        await UseClockAsync(ShiftedClock.At(source[^1].OpenTime + (3 * 24 * 60 * Minute)));
        _server.AddSeries("BTC-USDT-SWAP", source);
        using var client = Client();
        var range = new TimeRange(source[0].OpenTime, source[^1].OpenTime + Minute);

        var pages = await AllPages(client, Request("BTC/USDT:USDT", MarketType.Swap, range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), source); // volume = volCcy (base), not vol (contracts = base / 0.01)
        ShouldBeOrderedUniqueAndTiled(pages, range);
    }

    [Fact]
    public async Task GetCandlesAsync_HourlyFuturesSeries_EqualsSource()
    {
        var source = TestData.FreqtradeXrpUsdtFutures1h();
        await UseClockAsync(ShiftedClock.At(source[^1].OpenTime + (30 * 24 * 3_600_000L)));
        _server.AddSeries("XRP-USDT-SWAP", source, timeframe: Timeframe.OneHour);
        using var client = Client();
        var range = new TimeRange(source[0].OpenTime, source[^1].OpenTime + 3_600_000);

        var pages = await AllPages(client, Request("XRP/USDT:USDT", MarketType.Swap, range, tf: Timeframe.OneHour));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), source);
    }

    [Theory]
    [InlineData(PriceType.Mark, "/api/v5/market/history-mark-price-candles", "BTC-USDT-SWAP")]
    [InlineData(PriceType.Index, "/api/v5/market/history-index-candles", "BTC-USDT")]
    public async Task GetCandlesAsync_MarkAndIndex_HitTheirEndpointsWithTheRightId(PriceType price, string path, string id)
    {
        _server.AddSeries(id, Btc, price);
        using var client = Client();
        var range = new TimeRange(First, First + (250 * Minute));

        var pages = await AllPages(client, Request("BTC/USDT:USDT", MarketType.Swap, range, price));

        var candles = pages.SelectMany(p => p.Candles).ToList();
        candles.Select(c => (c.OpenTime, c.Open, c.Close)).ShouldBe(Btc.Take(250).Select(c => (c.OpenTime, c.Open, c.Close)));
        candles.ShouldAllBe(c => c.Volume == 0 && c.QuoteVolume == null);
        var requests = _server.Requests.Where(r => r.Path.Contains("candles", StringComparison.Ordinal)).ToList();
        requests.Count.ShouldBe(3); // 100 a page
        requests.ShouldAllBe(r => r.Path == path && Query(r, "instId") == id);
    }

    [Fact]
    public async Task GetCandlesAsync_VenueLimitBelowDocumented_RateLimitAnswersAreWaitedOut()
    {
        _server.Options.RequestsPerWindow["/api/v5/market/history-candles"] = 3;
        var options = Options();
        options.RespectRateLimits = false;
        using var client = Client(options);
        var range = new TimeRange(First, First + (1000 * Minute));

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Btc.Take(1000));
        _server.Requests.Count(r => r.Status == 429).ShouldBeGreaterThan(0);
        client.Stats.RateLimited.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task GetCandlesAsync_TransientFaults_AreRetriedAndEndComplete()
    {
        using var client = Client();
        foreach (var fault in new[]
                 {
                     OkxFault.InternalServerError500, OkxFault.BadGateway502, OkxFault.ServiceUnavailable503, OkxFault.SystemBusy50013,
                     OkxFault.TooManyRequests429, OkxFault.ConnectionReset, OkxFault.TruncatedBody,
                 })
        {
            _server.Faults.Enqueue(fault);
        }

        var range = new TimeRange(First, First + (500 * Minute));
        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Btc.Take(500));
        client.Stats.Retries.ShouldBe(7);
        client.Stats.RateLimited.ShouldBe(1);
    }

    [Fact]
    public async Task GetCandlesAsync_MalformedBody_ThrowsMalformedWithUrl()
    {
        using var client = Client();
        _server.Faults.Enqueue(OkxFault.MalformedJson);

        var ex = await Should.ThrowAsync<MalformedResponseException>(async () =>
            await AllPages(client, Request("BTC/USDT", MarketType.Spot, new TimeRange(First, First + Minute))));

        ex.Url!.AbsolutePath.ShouldBe("/api/v5/market/history-candles");
        client.Stats.Retries.ShouldBe(0);
    }

    [Fact]
    public async Task GetMarketAsync_EveryRecordedInstrument_RoundTripsBothWays()
    {
        using var client = Client();
        var expected = new Dictionary<MarketType, int> { [MarketType.Spot] = 513, [MarketType.Swap] = 166, [MarketType.Future] = 104 };

        foreach (var (type, count) in expected)
        {
            var markets = await client.GetMarketsAsync(type);
            markets.Count.ShouldBe(count);
            foreach (var m in markets)
            {
                (await client.GetMarketAsync(m.Symbol, type)).Id.ShouldBe(m.Id);
                (await client.FindByIdAsync(m.Id, type))!.Symbol.ShouldBe(m.Symbol);
                Symbol.Parse(m.Symbol.ToString()).ShouldBe(m.Symbol);
                m.Symbol.ImpliedMarketType.ShouldBe(type);
            }
        }

        (await client.GetMarketAsync(Symbol.Parse("BTC/USDT"), MarketType.Spot)).Id.ShouldBe("BTC-USDT");
        (await client.GetMarketAsync(Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap)).Id.ShouldBe("BTC-USDT-SWAP");
        var inverse = await client.GetMarketAsync(Symbol.Parse("BTC/USD:BTC"), MarketType.Swap);
        inverse.Id.ShouldBe("BTC-USD-SWAP");
        inverse.Subtype.ShouldBe(MarketSubtype.Inverse);
        (await client.GetMarketAsync(Symbol.Parse("BTC/USD:BTC-220624"), MarketType.Future)).Id.ShouldBe("BTC-USD-220624");
        (await client.GetMarketAsync(Symbol.Parse("ETH/USDT:USDT-220930"), MarketType.Future)).Subtype.ShouldBe(MarketSubtype.Linear);
        _server.CountRequests("/public/instruments").ShouldBe(3); // once per type
    }

    [Fact]
    public async Task GetMarketAsync_UnknownSymbol_ThrowsWithClosestSymbols()
    {
        using var client = Client();

        var ex = await Should.ThrowAsync<UnknownSymbolException>(() => client.GetMarketAsync(Symbol.Parse("BTC/USDTX"), MarketType.Spot));
        var asSwap = await Should.ThrowAsync<UnknownSymbolException>(() => client.GetMarketAsync(Symbol.Parse("ETH/USDT"), MarketType.Swap));

        ex.Suggestions.ShouldContain("BTC/USDT");
        ex.IsTransient.ShouldBeFalse();
        asSwap.Suggestions.ShouldContain("ETH/USDT:USDT");
    }

    [Fact]
    public async Task GetMarketAsync_InstrumentAddedByTest_IsListedInTodaysSchema()
    {
        _server.AddTrades("BCH-EUR", Coinlake.Testing.TradeData.KrakenBchEur());
        _server.AddSeries("DOGE-USDT-250926", Btc.Take(10).ToList());
        using var client = Client();

        (await client.GetMarketAsync(Symbol.Parse("BCH/EUR"), MarketType.Spot)).Id.ShouldBe("BCH-EUR");
        (await client.GetMarketAsync(Symbol.Parse("DOGE/USDT:USDT-250926"), MarketType.Future)).Id.ShouldBe("DOGE-USDT-250926");
    }
}
