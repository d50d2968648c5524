using Coinlake.Candles;
using Coinlake.Exchanges.Binance;
using Coinlake.Exchanges.Tests.Support;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Time;

namespace Coinlake.Exchanges.Tests.Binance;

/// <summary>
/// End-to-end: the connector against <see cref="FakeBinanceServer"/> on loopback, serving the real Binance.US
/// BTC/USDT 1m series. Client and server share a clock that runs 60x faster than real time, so minute windows,
/// Retry-After waits and bans pass in milliseconds while every wait is still real behaviour.
/// </summary>
public sealed class BinanceFakeServerTests : IAsyncLifetime
{
    private const long Minute = 60_000;

    private static readonly IReadOnlyList<Candle> Source = TestData.BinanceUsBtcUsdt1m();
    private static readonly long First = Source[0].OpenTime; // 2023-03-01T00:00:00Z
    private static readonly TimeRange All = new(First, Source[^1].OpenTime + Minute);

    private readonly AcceleratedTimeProvider _time = new(60);
    private readonly ExchangeRegistry _registry = new();
    private FakeBinanceServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { TimeProvider = _time });
        _server.AddSeries("BTCUSDT", FakeMarket.Spot, Source);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _registry.Dispose();
    }

    private static BinanceOptions Options(int maxRetries = 10) => new()
    {
        MaxRetries = maxRetries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromSeconds(2),
        RequestTimeout = TimeSpan.FromMinutes(10), // 10 s of real time: loaded CI machines must not time out by accident
    };

    private BinanceClient Client(BinanceOptions? options = null) =>
        (BinanceClient)_registry.Create("binance", _server.BaseUrl, _time, options: options ?? Options());

    private static CandleRequest Spot(TimeRange range) => new(Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last, range);

    private static async Task<List<CandlePage>> AllPages(BinanceClient client, CandleRequest request)
    {
        var pages = new List<CandlePage>();
        await foreach (var page in client.GetCandlesAsync(request))
        {
            pages.Add(page);
        }

        return pages;
    }

    /// <summary>
    /// The server's recorded requests once it has recorded every request <paramref name="client"/> sent (the fake
    /// server records a request after writing its answer, so the client may finish first).
    /// </summary>
    private async Task<IReadOnlyList<RecordedRequest>> SettledRequestsAsync(BinanceClient client)
    {
        for (var i = 0; i < 500 && _server.Requests.Count < client.Stats.Requests; i++)
        {
            await Task.Delay(10);
        }

        var requests = _server.Requests;
        requests.Count.ShouldBe((int)client.Stats.Requests);
        return requests;
    }

    private static void ShouldEqualSource(IEnumerable<Candle> candles, IEnumerable<Candle> expected) =>
        candles.Select(c => (c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume))
            .ShouldBe(expected.Select(c => (c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume)));

    private static void ShouldCoverContiguously(List<CandlePage> pages, TimeRange range)
    {
        pages[0].Covered.Start.ShouldBe(range.Start);
        for (var i = 1; i < pages.Count; i++)
        {
            pages[i].Covered.Start.ShouldBe(pages[i - 1].Covered.End);
        }

        pages[^1].Covered.End.ShouldBe(range.End);
    }

    [Fact]
    public async Task GetCandlesAsync_FullBackfill_EqualsSourceExactly()
    {
        using var client = Client();

        var pages = await AllPages(client, Spot(All));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Source);
        ShouldCoverContiguously(pages, All);
        pages.Count.ShouldBe(31); // 30,240 candles, 1000 a page
        var requests = await SettledRequestsAsync(client);
        requests.Count(r => r.Path == "/api/v3/klines").ShouldBe(31);
        requests.ShouldAllBe(r => r.Status == 200);
        client.Stats.Requests.ShouldBe(32); // + exchangeInfo
        client.Stats.Retries.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_UnalignedRangeAcrossPageBoundaries_NoGapsNoDuplicates()
    {
        using var client = Client();
        var range = new TimeRange(First + (500 * Minute) + 30_000, First + (2500 * Minute)); // starts mid-candle

        var pages = await AllPages(client, Spot(range));

        var candles = pages.SelectMany(p => p.Candles).ToList();
        ShouldEqualSource(candles, Source.Where(c => c.OpenTime >= range.Start && c.OpenTime < range.End));
        candles[0].OpenTime.ShouldBe(First + (501 * Minute));
        candles.Count.ShouldBe(1999);
        ShouldCoverContiguously(pages, range);
        pages.Select(p => p.Candles.Count).ShouldBe([1000, 999]);
    }

    [Fact]
    public async Task GetCandlesAsync_HourlyFromMinutes_AggregatesAndPagesByHour()
    {
        using var client = Client();
        var request = Spot(All) with { Timeframe = Timeframe.OneHour };

        var pages = await AllPages(client, request);

        var candles = pages.SelectMany(p => p.Candles).ToList();
        candles.Count.ShouldBe(504); // 21 days
        candles[1].OpenTime.ShouldBe(First + (60 * Minute));
        candles[0].Open.ShouldBe(Source[0].Open);
        candles[0].Close.ShouldBe(Source[59].Close);
        candles[0].High.ShouldBe(Source.Take(60).Max(c => c.High));
        (await SettledRequestsAsync(client)).Single(r => r.Path == "/api/v3/klines").Query.ShouldContain("interval=1h");
    }

    [Fact]
    public async Task GetCandlesAsync_RangeWithoutData_CoversItAsEmpty()
    {
        using var client = Client();
        var range = new TimeRange(All.End, All.End + (100 * Minute));

        var page = (await AllPages(client, Spot(range))).ShouldHaveSingleItem();

        page.Candles.ShouldBeEmpty();
        page.Covered.ShouldBe(range);
    }

    [Fact]
    public async Task GetCandlesAsync_GapInData_IsCoveredAsEmpty()
    {
        var gap = new TimeRange(First + (10 * Minute), First + (20 * Minute));
        _server.RemoveCandles("BTCUSDT", FakeMarket.Spot, gap);
        using var client = Client();
        var range = new TimeRange(First, First + (60 * Minute));

        var page = (await AllPages(client, Spot(range))).ShouldHaveSingleItem();

        page.Candles.Count.ShouldBe(50);
        page.Candles.ShouldNotContain(c => gap.Contains(c.OpenTime));
        page.Covered.ShouldBe(range);
    }

    [Theory]
    [InlineData(PriceType.Last, "/fapi/v1/klines", "symbol=BTCUSDT&")]
    [InlineData(PriceType.Mark, "/fapi/v1/markPriceKlines", "symbol=BTCUSDT&")]
    [InlineData(PriceType.Index, "/fapi/v1/indexPriceKlines", "pair=BTCUSDT&")]
    public async Task GetCandlesAsync_FuturesPriceTypes_HitTheirEndpoints(PriceType price, string path, string parameter)
    {
        var series = Source.Take(3000).ToList();
        _server.AddSeries("BTCUSDT", FakeMarket.Futures, series, price);
        using var client = Client();
        var range = new TimeRange(First, First + (3000 * Minute));
        var request = new CandleRequest(Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap, Timeframe.OneMinute, price, range);

        var pages = await AllPages(client, request);

        pages.SelectMany(p => p.Candles).Select(c => (c.OpenTime, c.Close)).ShouldBe(series.Select(c => (c.OpenTime, c.Close)));
        ShouldCoverContiguously(pages, range);
        var requests = (await SettledRequestsAsync(client)).Where(r => r.Path == path).ToList();
        requests.Count.ShouldBe(3);
        requests.ShouldAllBe(r => r.Query.StartsWith(parameter, StringComparison.Ordinal) && r.Query.Contains("limit=1000") && r.Weight == 5);
        if (price != PriceType.Last)
        {
            pages.SelectMany(p => p.Candles).ShouldAllBe(c => c.Volume == 0 && c.TradeCount == null);
        }
    }

    [Fact]
    public async Task GetCandlesAsync_TooManyRequestsStorm_EndsComplete()
    {
        using var client = Client();
        _server.Faults.Enqueue(FakeFault.TooManyRequests429, 6);

        var pages = await AllPages(client, Spot(All));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Source);
        client.Stats.RateLimited.ShouldBe(6);
        client.Stats.Retries.ShouldBe(6);
        (await SettledRequestsAsync(client)).Count(r => r.Status == 429).ShouldBe(6);
    }

    [Fact]
    public async Task GetCandlesAsync_ServerErrorsAndBrokenConnections_EndComplete()
    {
        using var client = Client();
        _server.Faults.Enqueue(FakeFault.InternalServerError500);
        _server.Faults.Enqueue(FakeFault.BadGateway502);
        _server.Faults.Enqueue(FakeFault.ServiceUnavailable503);
        _server.Faults.Enqueue(FakeFault.GatewayTimeout504);
        _server.Faults.Enqueue(FakeFault.ConnectionReset);
        _server.Faults.Enqueue(FakeFault.TruncatedBody);

        var pages = await AllPages(client, Spot(All));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Source);
        ShouldCoverContiguously(pages, All);
        client.Stats.Retries.ShouldBe(6);
        _server.Faults.Pending.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_StalledRequest_TimesOutAndRetries()
    {
        var options = Options();
        options.RequestTimeout = TimeSpan.FromSeconds(30); // 0.5 s of real time
        using var client = Client(options);
        _server.Faults.Enqueue(FakeFault.Stall);
        var range = new TimeRange(First, First + (10 * Minute));

        var pages = await AllPages(client, Spot(range));

        pages.SelectMany(p => p.Candles).Count().ShouldBe(10);
        client.Stats.Retries.ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task GetCandlesAsync_Banned418_WaitsRetryAfterThenCompletes()
    {
        using var client = Client();
        _server.Faults.Enqueue(FakeFault.Teapot418);
        var range = new TimeRange(First, First + (2000 * Minute));

        var pages = await AllPages(client, Spot(range));

        pages.SelectMany(p => p.Candles).Count().ShouldBe(2000);
        client.Stats.RateLimited.ShouldBe(1);
        var klines = (await SettledRequestsAsync(client)).Where(r => r.Path == "/api/v3/klines").ToList();
        klines[0].Status.ShouldBe(418);
        (klines[1].Time - klines[0].Time).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1)); // Retry-After: 1 on the shared clock
    }

    [Fact]
    public async Task GetCandlesAsync_ServerWeightLimitBelowBackfill_WaitsForWindowsWithoutAny429()
    {
        _server.Options.WeightLimit = 30; // per minute of the shared clock: exchangeInfo (20) + 5 pages a window
        var options = Options();
        options.SpotWeightLimitPerMinute = 30;
        using var client = Client(options);
        var range = new TimeRange(First, First + (12_000 * Minute));

        var pages = await AllPages(client, Spot(range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Source.Take(12_000));
        var requests = await SettledRequestsAsync(client);
        requests.ShouldAllBe(r => r.Status == 200);
        client.Stats.RateLimited.ShouldBe(0);
        var windows = requests.GroupBy(r => r.Time.ToUnixTimeMilliseconds() / Minute).ToList();
        windows.ShouldAllBe(window => window.Sum(r => r.Weight) <= 30);
        windows.Count.ShouldBeGreaterThanOrEqualTo(2); // 20 + 12 x 2 = 44 weight needs two windows
    }

    [Fact]
    public async Task GetCandlesAsync_MalformedPage_FailsWithUrl()
    {
        using var client = Client();
        _server.Faults.Enqueue(FakeFault.MalformedJson);

        var ex = await Should.ThrowAsync<MalformedResponseException>(() => AllPages(client, Spot(All)));

        ex.Url!.ToString().ShouldStartWith(new Uri(_server.BaseUrl, "/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=").ToString());
        ex.Message.ShouldContain(ex.Url.ToString());
        (await SettledRequestsAsync(client)).Count(r => r.Path == "/api/v3/klines").ShouldBe(1);
        client.Stats.Retries.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_InvalidSymbolAnswer_FailsAtOnceWithCodeAndMessage()
    {
        // A symbol listed by exchangeInfo that klines rejects (delisted in between): simulated by renaming it on the wire.
        using var http = new HttpClient(new RenameSymbolHandler(new SocketsHttpHandler()));
        using var client = BinanceClient.Create("binance", http, _server.BaseUrl, Options(), _time);

        var ex = await Should.ThrowAsync<ExchangeException>(() => AllPages(client, Spot(All)));

        ex.Code.ShouldBe("-1121");
        ex.ExchangeMessage.ShouldBe("Invalid symbol.");
        ex.HttpStatus.ShouldBe(400);
        ex.IsTransient.ShouldBeFalse();
        (await SettledRequestsAsync(client)).Count(r => r.Path == "/api/v3/klines").ShouldBe(1);
    }

    [Fact]
    public async Task GetCandlesAsync_UnknownUnifiedSymbol_FailsBeforeAnyKlineRequest()
    {
        using var client = Client();

        var ex = await Should.ThrowAsync<UnknownSymbolException>(() =>
            AllPages(client, Spot(All) with { Symbol = Symbol.Parse("BTC/USDTT") }));

        ex.Suggestions[0].ShouldBe("BTC/USDT");
        (await SettledRequestsAsync(client)).ShouldAllBe(r => r.Path == "/api/v3/exchangeInfo");
    }

    [Fact]
    public async Task Registry_ClientsOfOneHost_ShareTheWeightLimiter()
    {
        using var a = Client();
        using var b = Client();

        await a.GetMarketsAsync(MarketType.Spot);

        b.SpotLimiter.ShouldBeSameAs(a.SpotLimiter);
        b.SpotLimiter!.Limit.ShouldBe(1200); // lowered by a's exchangeInfo (advertised limit); Used would depend on the 1 s accelerated window
    }

    private sealed class RenameSymbolHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var url = request.RequestUri!.ToString();
            request.RequestUri = new Uri(url.Replace("symbol=BTCUSDT&", "symbol=DELISTEDUSDT&", StringComparison.Ordinal));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
