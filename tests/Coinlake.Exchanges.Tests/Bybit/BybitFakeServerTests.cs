using Coinlake.Candles;
using Coinlake.Exchanges.Bybit;
using Coinlake.Exchanges.Tests.Support;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Bybit;
using Coinlake.Time;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Exchanges.Tests.Bybit;

/// <summary>
/// End-to-end: <see cref="BybitClient"/> against <see cref="FakeBybitServer"/> on loopback serving real series. Client
/// and server share a clock 60x faster than real time, so 5 s windows, bans and reset waits pass in milliseconds.
/// </summary>
public sealed class BybitFakeServerTests : IAsyncLifetime
{
    private const long Minute = 60_000;

    private static readonly IReadOnlyList<Candle> Source = TestData.BinanceUsBtcUsdt1m();
    private static readonly long First = Source[0].OpenTime; // 2023-03-01T00:00:00Z
    private static readonly TimeRange All = new(First, Source[^1].OpenTime + Minute);

    private readonly AcceleratedTimeProvider _time = new(60);
    private readonly HttpClient _http = new();
    private FakeBybitServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBybitServer.StartAsync(new FakeBybitOptions { TimeProvider = _time, BanDuration = TimeSpan.FromSeconds(30) });
        _server.AddSeries(FakeBybitCategory.Spot, "BTCUSDT", Source);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    internal static BybitOptions Options(int maxRetries = 10) => new()
    {
        MaxRetries = maxRetries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromSeconds(2),
        RequestTimeout = TimeSpan.FromMinutes(10),
        IpBanWait = TimeSpan.FromSeconds(40),
    };

    private BybitClient Client(BybitOptions? options = null, TimeProvider? time = null, HttpClient? http = null) =>
        BybitClient.Create("bybit", http ?? _http, _server.BaseUrl, options ?? Options(), time ?? _time);

    private static CandleRequest Spot(TimeRange range) => new(Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last, range);

    internal static async Task<List<CandlePage>> AllPages(ICandleHistoryClient client, CandleRequest request)
    {
        var pages = new List<CandlePage>();
        await foreach (var page in client.GetCandlesAsync(request))
        {
            pages.Add(page);
        }

        return pages;
    }

    private async Task<IReadOnlyList<FakeBybitRequest>> SettledRequestsAsync(BybitClient client)
    {
        for (var i = 0; i < 500 && _server.Requests.Count < client.Stats.Requests; i++)
        {
            await Task.Delay(10);
        }

        return _server.Requests;
    }

    private static void ShouldEqualSource(IEnumerable<Candle> candles, IEnumerable<Candle> expected) =>
        candles.Select(c => (c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume))
            .ShouldBe(expected.Select(c => (c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume)));

    private static void ShouldBeCompleteAndUnique(List<CandlePage> pages, TimeRange range)
    {
        pages[0].Covered.Start.ShouldBe(range.Start);
        for (var i = 1; i < pages.Count; i++)
        {
            pages[i].Covered.Start.ShouldBe(pages[i - 1].Covered.End);
        }

        pages[^1].Covered.End.ShouldBe(range.End);
        foreach (var page in pages)
        {
            page.Candles.ShouldAllBe(c => page.Covered.Contains(c.OpenTime));
            page.Candles.Select(c => c.OpenTime).ShouldBeInOrder(SortDirection.Ascending);
        }

        var times = pages.SelectMany(p => p.Candles).Select(c => c.OpenTime).ToList();
        times.Distinct().Count().ShouldBe(times.Count);
    }

    [Fact]
    public async Task GetCandlesAsync_FullBackfill_EqualsSourceExactly()
    {
        using var client = Client();

        var pages = await AllPages(client, Spot(All));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Source);
        pages.SelectMany(p => p.Candles).ShouldAllBe(c => c.QuoteVolume == decimal.Round(c.Volume * c.Close, 8, MidpointRounding.AwayFromZero));
        ShouldBeCompleteAndUnique(pages, All);
        pages.Count.ShouldBe(31); // 30,240 candles, windows of 1000
        var requests = await SettledRequestsAsync(client);
        requests.Count(r => r.Path == "/v5/market/kline").ShouldBe(31);
        requests.ShouldAllBe(r => r.Status == 200 && r.RetCode == 0);
        requests.First(r => r.Path == "/v5/market/kline").Query.ShouldBe(
            $"category=spot&symbol=BTCUSDT&interval=1&start={First}&end={First + (1000 * Minute) - 1}&limit=1000");
        client.Stats.Retries.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_SeriesWithNaturalGaps_EqualsSourceAndCoversGapsAsEmpty()
    {
        var source = TestData.FreqtradeUnittestBtc1m();
        _server.AddSeries(FakeBybitCategory.Linear, "BTCUSDT", source);
        using var client = Client();
        var range = new TimeRange(source[0].OpenTime - (30 * Minute), source[^1].OpenTime + Minute);

        var pages = await AllPages(client, new CandleRequest(Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap, Timeframe.OneMinute, PriceType.Last, range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), source);
        ShouldBeCompleteAndUnique(pages, range);
    }

    [Fact]
    public async Task GetCandlesAsync_HourlyFuturesSeries_EqualsSource()
    {
        var source = TestData.FreqtradeXrpUsdtFutures1h();
        _server.AddInstrument(FakeBybitCategory.Linear, new FakeBybitInstrument("XRPUSDT", "XRP", "USDT", "USDT", "LinearPerpetual", "Trading", 0, "0.0001", "1", "1", "100000", 4));
        _server.AddSeries(FakeBybitCategory.Linear, "XRPUSDT", source); // each hour held as its opening minute
        using var client = Client();
        var range = new TimeRange(source[0].OpenTime, source[^1].OpenTime + (60 * Minute));

        var pages = await AllPages(client, new CandleRequest(Symbol.Parse("XRP/USDT:USDT"), MarketType.Swap, Timeframe.OneHour, PriceType.Last, range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), source);
        ShouldBeCompleteAndUnique(pages, range);
        _server.Requests.Single(r => r.Path == "/v5/market/kline").Query.ShouldContain("interval=60");
    }

    [Fact]
    public async Task GetCandlesAsync_InverseContract_ReadsBaseVolumeFromTurnover()
    {
        var series = Source.Take(1500).ToList();
        _server.AddSeries(FakeBybitCategory.Inverse, "BTCUSD", series);
        using var client = Client();
        var range = new TimeRange(First, First + (1500 * Minute));

        var pages = await AllPages(client, new CandleRequest(Symbol.Parse("BTC/USD:BTC"), MarketType.Swap, Timeframe.OneMinute, PriceType.Last, range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), series); // volume (base) travelled as "turnover"
        pages.SelectMany(p => p.Candles).First().QuoteVolume.ShouldBe(decimal.Round(series[0].Volume * series[0].Close, 8, MidpointRounding.AwayFromZero));
        _server.Requests.Where(r => r.Path == "/v5/market/kline").ShouldAllBe(r => r.Query.StartsWith("category=inverse&symbol=BTCUSD&", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(PriceType.Last, "/v5/market/kline")]
    [InlineData(PriceType.Mark, "/v5/market/mark-price-kline")]
    [InlineData(PriceType.Index, "/v5/market/index-price-kline")]
    public async Task GetCandlesAsync_PriceTypes_HitTheirEndpoints(PriceType price, string path)
    {
        var series = Source.Take(2500).ToList();
        _server.AddSeries(FakeBybitCategory.Linear, "BTCUSDT", series, price);
        using var client = Client();
        var range = new TimeRange(First, First + (2500 * Minute));

        var pages = await AllPages(client, new CandleRequest(Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap, Timeframe.OneMinute, price, range));

        pages.SelectMany(p => p.Candles).Select(c => (c.OpenTime, c.Open, c.High, c.Low, c.Close))
            .ShouldBe(series.Select(c => (c.OpenTime, c.Open, c.High, c.Low, c.Close)));
        ShouldBeCompleteAndUnique(pages, range);
        var requests = (await SettledRequestsAsync(client)).Where(r => r.Path.Contains("kline", StringComparison.Ordinal)).ToList();
        requests.Count.ShouldBe(3);
        requests.ShouldAllBe(r => r.Path == path && r.Query.StartsWith("category=linear&symbol=BTCUSDT&interval=1&", StringComparison.Ordinal));
        if (price != PriceType.Last)
        {
            pages.SelectMany(p => p.Candles).ShouldAllBe(c => c.Volume == 0 && c.QuoteVolume == null);
        }
    }

    [Fact]
    public async Task GetCandlesAsync_PageCappedInsideTheRange_ContinuesBackwardsAndEndsComplete()
    {
        _server.Options.CappedPageSize = 300;
        _server.Faults.Enqueue(FakeBybitFault.CappedPage, 2);
        using var client = Client();
        var range = new TimeRange(First, First + (2000 * Minute));

        var pages = await AllPages(client, Spot(range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Source.Take(2000));
        ShouldBeCompleteAndUnique(pages, range);
        var klines = _server.Requests.Where(r => r.Path == "/v5/market/kline").Select(r => r.Query).ToList();
        klines.Count.ShouldBe(4); // 300 newest of window 1, then the 700 older ones; same for window 2
        klines[1].ShouldContain($"&end={First + (700 * Minute) - 1}&");
    }

    [Fact]
    public async Task GetCandlesAsync_CandlesRepeatedAtPageBoundaries_AreNotDuplicated()
    {
        _server.Faults.Enqueue(FakeBybitFault.RepeatedBoundaryCandles, 3);
        using var client = Client();
        var range = new TimeRange(First + (10 * Minute), First + (2510 * Minute));

        var pages = await AllPages(client, Spot(range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Source.Skip(10).Take(2500));
        ShouldBeCompleteAndUnique(pages, range);
        pages.Select(p => p.Candles.Count).ShouldBe([1000, 1000, 500]); // last page partial
    }

    [Fact]
    public async Task GetCandlesAsync_RangeBeforeListingAndGapAtWindowStart_CoveredAsEmptyWithoutLosingCandles()
    {
        _server.RemoveCandles(FakeBybitCategory.Spot, "BTCUSDT", new TimeRange(First + (500 * Minute), First + (510 * Minute))); // window 2 starts at +500
        using var client = Client();
        var range = new TimeRange(First - (500 * Minute), First + (1500 * Minute));

        var pages = await AllPages(client, Spot(range));

        var expected = Source.Take(1500).Where(c => c.OpenTime < First + (500 * Minute) || c.OpenTime >= First + (510 * Minute));
        ShouldEqualSource(pages.SelectMany(p => p.Candles), expected);
        ShouldBeCompleteAndUnique(pages, range);
        _server.CountRequests("/v5/market/kline").ShouldBe(4); // each window: one answer, then one empty answer proving its start
    }

    [Fact]
    public async Task GetCandlesAsync_RangeWithoutData_IsOneEmptyCoveredPage()
    {
        using var client = Client();
        var range = new TimeRange(All.End, All.End + (100 * Minute));

        var page = (await AllPages(client, Spot(range))).ShouldHaveSingleItem();

        page.Candles.ShouldBeEmpty();
        page.Covered.ShouldBe(range);
    }

    [Fact]
    public async Task GetCandlesAsync_CandleInProgress_IsNeverReturnedNorCovered()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(First + (100 * Minute) + 30_000)); // mid-candle 100
        await using var server = await FakeBybitServer.StartAsync(new FakeBybitOptions { TimeProvider = clock });
        server.AddSeries(FakeBybitCategory.Spot, "BTCUSDT", Source.Take(200).ToList());
        using var client = BybitClient.Create("bybit", _http, server.BaseUrl, Options(), clock);
        var range = new TimeRange(First, First + (200 * Minute));

        var pages = await AllPages(client, Spot(range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Source.Take(100));
        pages[^1].Covered.End.ShouldBe(First + (100 * Minute));
    }

    [Fact]
    public async Task GetCandlesAsync_ServerClockBehindClient_CoversOnlyWhatTheServerClosed()
    {
        var serverClock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(First + (50 * Minute) + 1));
        await using var server = await FakeBybitServer.StartAsync(new FakeBybitOptions { TimeProvider = serverClock });
        server.AddSeries(FakeBybitCategory.Spot, "BTCUSDT", Source.Take(200).ToList());
        var clientClock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(First + (100 * Minute) + 1));
        using var client = BybitClient.Create("bybit", _http, server.BaseUrl, Options(), clientClock);

        var pages = await AllPages(client, Spot(new TimeRange(First, First + (200 * Minute))));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Source.Take(50));
        pages[^1].Covered.End.ShouldBe(First + (50 * Minute));
    }

    [Fact]
    public async Task GetCandlesAsync_IpLimitBroken_Waits403BanOutThenCompletes()
    {
        _server.Options.RequestLimit = 5; // per 10 min of the shared clock (10 s of real time); the client is told 600
        _server.Options.RequestWindow = TimeSpan.FromMinutes(10);
        var options = Options();
        options.RequestsPerWindow = 600;
        using var client = Client(options);
        var range = new TimeRange(First, First + (8000 * Minute));

        var pages = await AllPages(client, Spot(range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Source.Take(8000));
        var requests = await SettledRequestsAsync(client);
        var first403 = requests.First(r => r.Status == 403);
        var nextOk = requests.First(r => r.Status == 200 && r.Time > first403.Time);
        (nextOk.Time - first403.Time).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(30)); // the ban, waited out on the shared clock
        client.Stats.RateLimited.ShouldBe(1);
    }

    [Fact]
    public async Task GetCandlesAsync_ClientLimitAtServerLimit_NeverAnswered403()
    {
        var clock = new AcceleratedTimeProvider(10); // 5 s windows = 0.5 s of real time: latency stays well inside a window
        await using var server = await FakeBybitServer.StartAsync(new FakeBybitOptions { TimeProvider = clock, RequestLimit = 3 });
        server.AddSeries(FakeBybitCategory.Spot, "BTCUSDT", Source);
        var options = Options();
        options.RequestsPerWindow = 3;
        using var client = BybitClient.Create("bybit", _http, server.BaseUrl, options, clock);
        var range = new TimeRange(First, First + (9000 * Minute));

        var pages = await AllPages(client, Spot(range));

        pages.SelectMany(p => p.Candles).Count().ShouldBe(9000);
        var requests = server.Requests;
        requests.Count.ShouldBe(10);
        requests.ShouldAllBe(r => r.Status == 200);
        requests.GroupBy(r => r.Time.ToUnixTimeMilliseconds() / 5000).ShouldAllBe(window => window.Count() <= 3);
    }

    [Fact]
    public async Task GetCandlesAsync_TooManyVisits10006_WaitsUntilResetTimestamp()
    {
        _server.Faults.Enqueue(FakeBybitFault.TooManyVisits10006);
        using var client = Client();

        var pages = await AllPages(client, Spot(new TimeRange(First, First + (10 * Minute))));

        pages.SelectMany(p => p.Candles).Count().ShouldBe(10);
        var klines = (await SettledRequestsAsync(client)).Where(r => r.Path == "/v5/market/kline").ToList();
        klines[0].RetCode.ShouldBe(10006);
        (klines[1].Time - klines[0].Time).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900)); // reset header: +1 s
        client.Stats.RateLimited.ShouldBe(1);
    }

    [Fact]
    public async Task GetCandlesAsync_TransientFailures_AreRetriedAndEndComplete()
    {
        _server.Faults.Enqueue(FakeBybitFault.ServerError10016);
        _server.Faults.Enqueue(FakeBybitFault.ServerTimeout10000);
        _server.Faults.Enqueue(FakeBybitFault.SystemBusy429);
        _server.Faults.Enqueue(FakeBybitFault.BadGateway502);
        _server.Faults.Enqueue(FakeBybitFault.ConnectionReset);
        _server.Faults.Enqueue(FakeBybitFault.TruncatedBody);
        using var client = Client();
        var range = new TimeRange(First, First + (3000 * Minute));

        var pages = await AllPages(client, Spot(range));

        ShouldEqualSource(pages.SelectMany(p => p.Candles), Source.Take(3000));
        ShouldBeCompleteAndUnique(pages, range);
        client.Stats.Retries.ShouldBe(6);
        _server.Faults.Pending.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_MalformedJson_FailsAtOnceNamingTheUrl()
    {
        _server.Faults.Enqueue(FakeBybitFault.MalformedJson);
        using var client = Client();

        var ex = await Should.ThrowAsync<MalformedResponseException>(() => AllPages(client, Spot(All)));

        ex.Url!.AbsolutePath.ShouldBe("/v5/market/kline");
        ex.Message.ShouldContain(ex.Url.ToString());
        ex.Message.ShouldContain("truncated");
        client.Stats.Retries.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_ParameterError10001_FailsAtOnceWithCodeAndMessage()
    {
        using var http = new HttpClient(new RenameSymbolHandler(new SocketsHttpHandler()));
        using var client = Client(http: http);

        var ex = await Should.ThrowAsync<ExchangeException>(() => AllPages(client, Spot(All)));

        ex.ShouldNotBeOfType<RateLimitedException>();
        ex.Code.ShouldBe("10001");
        ex.ExchangeMessage.ShouldBe("Not supported symbols");
        ex.HttpStatus.ShouldBe(200);
        ex.IsTransient.ShouldBeFalse();
        client.Stats.Retries.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_UnknownSymbol_NamesTheClosestBeforeAnyKlineRequest()
    {
        using var client = Client();

        var ex = await Should.ThrowAsync<UnknownSymbolException>(() => AllPages(client, Spot(All) with { Symbol = Symbol.Parse("BTC/USDTT") }));

        ex.Suggestions[0].ShouldBe("BTC/USDT");
        _server.CountRequests("kline").ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_UnsupportedIntervalOrPrice_ThrowsNotSupported()
    {
        using var client = Client();

        await Should.ThrowAsync<NotSupportedException>(() => AllPages(client, Spot(All) with { Timeframe = Timeframe.Parse("8h") }));
        await Should.ThrowAsync<NotSupportedException>(() => AllPages(client, Spot(All) with { Price = PriceType.Mark }));
        client.Supports(MarketType.Future, PriceType.Index).ShouldBeTrue();
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
