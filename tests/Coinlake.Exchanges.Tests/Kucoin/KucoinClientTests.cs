using System.Web;
using Coinlake.Candles;
using Coinlake.Exchanges.Kucoin;
using Coinlake.Exchanges.Tests.Support;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Testing.Kucoin;
using Coinlake.Time;

namespace Coinlake.Exchanges.Tests.Kucoin;

/// <summary>
/// End-to-end: the connector against <see cref="FakeKucoinServer"/> on loopback serving real series converted to
/// KuCoin's wire format. Client and server share a clock running 100x faster than real time, so 30-second pool windows
/// and reset waits pass in a fraction of a second while every wait is real behaviour.
/// </summary>
public sealed class KucoinClientTests : IAsyncLifetime, IDisposable
{
    private const long Minute = 60_000;

    private static readonly IReadOnlyList<Candle> BinanceUs = TestData.BinanceUsBtcUsdt1m();
    private static readonly IReadOnlyList<Candle> Gappy = TestData.FreqtradeUnittestBtc1m();

    private readonly AcceleratedTimeProvider _time = new(100);
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private FakeKucoinServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKucoinServer.StartAsync(new FakeKucoinOptions { TimeProvider = _time });
        _server.AddSeries("BTC-USDT", BinanceUs);
        _server.AddSeries("ETH-BTC", Gappy);
        _server.AddSeries("XRP-USDT", TestData.FreqtradeXrpUsdtFutures1h());
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http.Dispose();

    private static KucoinOptions Options(int maxRetries = 10) => new()
    {
        MaxRetries = maxRetries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromSeconds(2),
        RequestTimeout = TimeSpan.FromMinutes(10),
    };

    private KucoinClient Client(KucoinOptions? options = null) => KucoinClient.Create("kucoin", _http, _server.BaseUrl, options ?? Options(), _time);

    private static CandleRequest Request(string symbol, TimeRange range, string timeframe = "1m", PriceType price = PriceType.Last) =>
        new(Symbol.Parse(symbol), MarketType.Spot, Timeframe.Parse(timeframe), price, range);

    private static TimeRange RangeOf(IReadOnlyList<Candle> candles, long step = Minute) => new(candles[0].OpenTime, candles[^1].OpenTime + step);

    private static async Task<List<CandlePage>> AllPages(KucoinClient client, CandleRequest request)
    {
        var pages = new List<CandlePage>();
        await foreach (var page in client.GetCandlesAsync(request))
        {
            pages.Add(page);
        }

        return pages;
    }

    /// <summary>Pages are oldest first, each ascending and unique inside its Covered range, and the Covered ranges tile <paramref name="range"/>.</summary>
    private static List<Candle> ShouldTile(List<CandlePage> pages, TimeRange range)
    {
        var cursor = range.Start;
        var all = new List<Candle>();
        foreach (var page in pages)
        {
            page.Covered.Start.ShouldBe(cursor);
            page.Covered.End.ShouldBeGreaterThan(page.Covered.Start);
            foreach (var c in page.Candles)
            {
                page.Covered.Contains(c.OpenTime).ShouldBeTrue();
                if (all.Count > 0)
                {
                    c.OpenTime.ShouldBeGreaterThan(all[^1].OpenTime);
                }

                all.Add(c);
            }

            cursor = page.Covered.End;
        }

        cursor.ShouldBe(range.End);
        return all;
    }

    private static void ShouldEqualSource(IReadOnlyList<Candle> actual, IEnumerable<Candle> source)
    {
        var expected = source.ToList();
        actual.Count.ShouldBe(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (a, e) = (actual[i], expected[i]);
            (a.OpenTime, a.Open, a.High, a.Low, a.Close, a.Volume).ShouldBe((e.OpenTime, e.Open, e.High, e.Low, e.Close, e.Volume), $"candle #{i}");
            a.QuoteVolume.ShouldBe(e.QuoteVolume ?? decimal.Round(e.Volume * e.Close, 8, MidpointRounding.AwayFromZero), $"turnover of candle #{i}");
        }
    }

    private static string Query(RecordedRequest r, string name) => HttpUtility.ParseQueryString(r.Query)[name]!;

    [Fact]
    public async Task GetCandlesAsync_FullBackfill_EqualsSourceExactly()
    {
        using var client = Client();
        var range = RangeOf(BinanceUs);

        var pages = await AllPages(client, Request("BTC/USDT", range));

        ShouldEqualSource(ShouldTile(pages, range), BinanceUs);
        pages.Count.ShouldBe(21); // 30,240 minutes in chunks of 1500
        _server.CountRequests("/market/candles").ShouldBe(21);
        client.Stats.RateLimited.ShouldBe(0);
        var first = _server.Requests.First(r => r.Path.EndsWith("/candles", StringComparison.Ordinal));
        Query(first, "symbol").ShouldBe("BTC-USDT");
        Query(first, "type").ShouldBe("1min");
        Query(first, "startAt").ShouldBe((range.Start / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Query(first, "endAt").ShouldBe(((range.Start / 1000) + (1500 * 60) - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task GetCandlesAsync_VenueCutsAnswersAndSeriesHasGaps_PagesBackByEndAtAndEndsComplete()
    {
        await using var server = await FakeKucoinServer.StartAsync(new FakeKucoinOptions { TimeProvider = _time, MaxCandles = 100 });
        server.AddSeries("ETH-BTC", Gappy);
        var options = Options();
        options.CandlesPerRequest = 100;
        using var client = KucoinClient.Create("kucoin", _http, server.BaseUrl, options, _time);
        client.ChunkCandles = 350; // each chunk: full answers of 100 newest first, paged back by endAt, then a short last answer
        var range = RangeOf(Gappy);

        var pages = await AllPages(client, Request("ETH/BTC", range));

        ShouldEqualSource(ShouldTile(pages, range), Gappy);
        var requests = server.Requests.Where(r => r.Path.EndsWith("/candles", StringComparison.Ordinal)).ToList();
        requests.Count.ShouldBeGreaterThan(pages.Count); // some chunks needed more than one answer
        requests.ShouldContain(r => Query(r, "endAt") != Query(requests[0], "endAt") && Query(r, "startAt") == Query(requests[0], "startAt"));
    }

    [Fact]
    public async Task GetCandlesAsync_AnswersRepeatRowsAcrossPageBoundaries_KeepsEachCandleOnce()
    {
        using var client = Client();
        var range = RangeOf(Gappy);
        _server.Faults.Enqueue(FakeKucoinFault.OverlappingRows, 20);

        var pages = await AllPages(client, Request("ETH/BTC", range));

        _server.Faults.Pending.ShouldBe(10); // 10 chunks, each answer carried its neighbours' boundary candles
        ShouldEqualSource(ShouldTile(pages, range), Gappy);
    }

    [Fact]
    public async Task GetCandlesAsync_RangeWithoutData_ProvesItEmpty()
    {
        using var client = Client();
        var before = new TimeRange(BinanceUs[0].OpenTime - (3000 * Minute), BinanceUs[0].OpenTime + (5 * Minute));

        var pages = await AllPages(client, Request("BTC/USDT", before));

        var candles = ShouldTile(pages, before);
        pages.Count.ShouldBe(3);
        pages[0].Candles.ShouldBeEmpty(); // an empty answer: the venue has nothing there
        ShouldEqualSource(candles, BinanceUs.Take(5));
    }

    [Fact]
    public async Task GetCandlesAsync_HourlyAndAggregated_EqualSource()
    {
        using var client = Client();
        var hourly = TestData.FreqtradeXrpUsdtFutures1h();

        var hours = ShouldTile(await AllPages(client, Request("XRP/USDT", RangeOf(hourly, 3_600_000), "1h")), RangeOf(hourly, 3_600_000));
        var fifteen = ShouldTile(await AllPages(client, Request("BTC/USDT", RangeOf(BinanceUs), "15m")), RangeOf(BinanceUs));

        ShouldEqualSource(hours, hourly);
        fifteen.Count.ShouldBe(30_240 / 15);
        var first = BinanceUs.Take(15).ToList();
        fifteen[0].ShouldBe(new Candle(first[0].OpenTime, first[0].Open, first.Max(c => c.High), first.Min(c => c.Low), first[^1].Close,
            first.Sum(c => c.Volume), first.Sum(c => decimal.Round(c.Volume * c.Close, 8, MidpointRounding.AwayFromZero))));
        _server.Requests.Where(r => r.Path.EndsWith("/candles", StringComparison.Ordinal)).Select(r => Query(r, "type")).Distinct().ShouldBe(["1hour", "15min"], ignoreOrder: true);
    }

    [Fact]
    public async Task GetCandlesAsync_RangeReachesTheCandleInProgress_NeitherReturnsNorClaimsIt()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(BinanceUs[100].OpenTime + 30_000));
        await using var server = await FakeKucoinServer.StartAsync(new FakeKucoinOptions { TimeProvider = clock });
        server.AddSeries("BTC-USDT", BinanceUs);
        using var client = KucoinClient.Create("kucoin", _http, server.BaseUrl, Options(), clock);
        var range = RangeOf(BinanceUs);

        var pages = await AllPages(client, Request("BTC/USDT", range));

        var candles = ShouldTile(pages, new TimeRange(range.Start, BinanceUs[100].OpenTime));
        ShouldEqualSource(candles, BinanceUs.Take(100)); // the venue sent candle #100 (in progress); it is dropped and its minute left unclaimed
    }

    [Theory]
    [InlineData(MarketType.Spot, PriceType.Mark)]
    [InlineData(MarketType.Spot, PriceType.Index)]
    [InlineData(MarketType.Swap, PriceType.Last)]
    [InlineData(MarketType.Swap, PriceType.Mark)]
    public async Task GetCandlesAsync_MarkIndexOrDerivatives_NotSupportedWithoutAnyRequest(MarketType type, PriceType price)
    {
        using var client = Client();
        client.Supports(type, price).ShouldBeFalse();

        var request = new CandleRequest(Symbol.Parse("BTC/USDT"), type, Timeframe.OneMinute, price, RangeOf(BinanceUs));
        await Should.ThrowAsync<NotSupportedException>(async () => await AllPages(client, request));

        _server.Requests.ShouldBeEmpty();
        client.Supports(MarketType.Spot, PriceType.Last).ShouldBeTrue();
    }

    [Theory]
    [InlineData("1w", "Thursdays")]
    [InlineData("1s", "no 1s klines")]
    [InlineData("3d", "no 3d klines")]
    public async Task GetCandlesAsync_TimeframeKucoinLacksOrAlignsDifferently_NotSupported(string timeframe, string reason)
    {
        using var client = Client();

        var ex = await Should.ThrowAsync<NotSupportedException>(async () => await AllPages(client, Request("BTC/USDT", RangeOf(BinanceUs), timeframe)));

        ex.Message.ShouldContain(reason);
    }

    [Fact]
    public async Task GetMarketAsync_EveryRecordedMarket_RoundTripsBetweenSymbolAndId()
    {
        using var client = Client();

        var markets = await client.GetMarketsAsync(MarketType.Spot);

        foreach (var entry in KucoinSymbolsCapture.Instance.Entries)
        {
            var symbol = Symbol.Parse($"{entry.BaseCurrency}/{entry.QuoteCurrency}");
            var market = await client.GetMarketAsync(symbol, MarketType.Spot);
            market.Id.ShouldBe(entry.Symbol);
            market.Symbol.ShouldBe(symbol);
            markets.ShouldContain(market);
        }

        markets.Count.ShouldBe(KucoinSymbolsCapture.Instance.Entries.Count);
        (await client.GetMarketsAsync(MarketType.Swap)).ShouldBeEmpty();
        _server.CountRequests("/api/v2/symbols").ShouldBe(1);
    }

    [Fact]
    public async Task GetMarketAsync_UnknownSymbol_ThrowsWithClosestSymbols()
    {
        using var client = Client();

        var ex = await Should.ThrowAsync<UnknownSymbolException>(() => client.GetMarketAsync(Symbol.Parse("BTC/USDTT"), MarketType.Spot));

        ex.Suggestions.ShouldContain("BTC/USDT");
        ex.IsTransient.ShouldBeFalse();
        await Should.ThrowAsync<NotSupportedException>(() => client.GetMarketAsync(Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap));
    }

    [Fact]
    public async Task GetCandlesAsync_TransientFaults_RetriedAndComplete()
    {
        using var client = Client();
        var range = new TimeRange(BinanceUs[0].OpenTime, BinanceUs[0].OpenTime + (4000 * Minute));
        await client.GetMarketsAsync(MarketType.Spot);
        _server.Faults.Enqueue(FakeKucoinFault.InternalServerError500);
        _server.Faults.Enqueue(FakeKucoinFault.BadGateway502);
        _server.Faults.Enqueue(FakeKucoinFault.ServiceUnavailable503);
        _server.Faults.Enqueue(FakeKucoinFault.ConnectionReset);
        _server.Faults.Enqueue(FakeKucoinFault.TruncatedBody);
        _server.Faults.Enqueue(FakeKucoinFault.TooManyRequests429);

        var candles = ShouldTile(await AllPages(client, Request("BTC/USDT", range)), range);

        ShouldEqualSource(candles, BinanceUs.Take(4000));
        client.Stats.Retries.ShouldBe(6);
        client.Stats.RateLimited.ShouldBe(1);
    }

    [Fact]
    public async Task GetCandlesAsync_ParameterError_FailsAtOnceWithTypedCode()
    {
        using var client = Client();
        await client.GetMarketsAsync(MarketType.Spot);
        _server.Faults.Enqueue(FakeKucoinFault.ParameterError400);

        var ex = await Should.ThrowAsync<ExchangeException>(async () => await AllPages(client, Request("BTC/USDT", RangeOf(BinanceUs))));

        ex.Code.ShouldBe("400100");
        ex.ExchangeMessage.ShouldBe("Parameter error (injected fault)");
        ex.HttpStatus.ShouldBe(400);
        ex.IsTransient.ShouldBeFalse();
        ex.Url!.AbsolutePath.ShouldBe("/api/v1/market/candles");
        client.Stats.Retries.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_ErrorEnvelopeWithHttp200_IsAnErrorNotData()
    {
        using var client = Client();
        await client.GetMarketsAsync(MarketType.Spot);
        _server.Faults.Enqueue(FakeKucoinFault.ErrorEnvelope200);

        var ex = await Should.ThrowAsync<ExchangeException>(async () => await AllPages(client, Request("BTC/USDT", RangeOf(BinanceUs))));

        ex.Code.ShouldBe("400100");
        ex.HttpStatus.ShouldBe(200);
        ex.ExchangeMessage.ShouldBe("This pair is not provided at present");
    }

    [Fact]
    public async Task GetCandlesAsync_MalformedJson_ThrowsMalformedNamingTheUrl()
    {
        using var client = Client();
        await client.GetMarketsAsync(MarketType.Spot);
        _server.Faults.Enqueue(FakeKucoinFault.MalformedJson);

        var ex = await Should.ThrowAsync<MalformedResponseException>(async () => await AllPages(client, Request("BTC/USDT", RangeOf(BinanceUs))));

        ex.Message.ShouldContain("/api/v1/market/candles?symbol=BTC-USDT");
        client.Stats.Retries.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_TransientErrorOutlivesRetries_ThrowsTransientWithCode()
    {
        using var client = Client(Options(maxRetries: 0));
        await client.GetMarketsAsync(MarketType.Spot);
        _server.Faults.Enqueue(FakeKucoinFault.InternalServerError500);

        var ex = await Should.ThrowAsync<ExchangeException>(async () => await AllPages(client, Request("BTC/USDT", RangeOf(BinanceUs))));

        ex.Code.ShouldBe("500000");
        ex.IsTransient.ShouldBeTrue();
    }
}
