using System.Net;
using System.Web;
using Coinlake.Candles;
using Coinlake.Exchanges.Binance;
using Coinlake.Exchanges.Tests.Support;
using Coinlake.Markets;
using Coinlake.Time;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Exchanges.Tests.Binance;

public sealed class BinanceClientTests : IDisposable
{
    private const long T0 = 1677628800000; // 2023-03-01T00:00:00Z
    private const long Minute = 60_000;

    private readonly StubHandler _stub = new();
    private readonly HttpClient _http;

    public BinanceClientTests() => _http = new HttpClient(_stub);

    public void Dispose() => _http.Dispose();

    private static BinanceOptions FastOptions(int maxRetries = 3) => new()
    {
        MaxRetries = maxRetries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(5),
    };

    private BinanceClient Client(BinanceOptions? options = null) => new(_http, options ?? FastOptions());

    private static CandleRequest Request(string symbol, MarketType type, long start, long end, PriceType price = PriceType.Last) =>
        new(Symbol.Parse(symbol), type, Timeframe.OneMinute, price, new TimeRange(start, end));

    private static async Task<List<CandlePage>> AllPages(BinanceClient client, CandleRequest request)
    {
        var pages = new List<CandlePage>();
        await foreach (var page in client.GetCandlesAsync(request))
        {
            pages.Add(page);
        }

        return pages;
    }

    private static string Query(Uri url, string name) => HttpUtility.ParseQueryString(url.Query)[name]!;

    [Fact]
    public async Task GetMarketAsync_KnownSpotSymbol_MapsToId()
    {
        using var client = Client();

        var market = await client.GetMarketAsync(Symbol.Parse("BTC/USDT"), MarketType.Spot);

        market.Id.ShouldBe("BTCUSDT");
        market.Active.ShouldBeTrue();
    }

    [Fact]
    public async Task GetMarketAsync_CalledTwice_LoadsExchangeInfoOnce()
    {
        using var client = Client();

        await client.GetMarketAsync(Symbol.Parse("BTC/USDT"), MarketType.Spot);
        await client.GetMarketAsync(Symbol.Parse("ETH/BTC"), MarketType.Spot);
        await client.GetMarketAsync(Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap);
        await client.GetMarketAsync(Symbol.Parse("BTC/USDT:USDT-210924"), MarketType.Future);

        _stub.Count("/api/v3/exchangeInfo").ShouldBe(1);
        _stub.Count("/fapi/v1/exchangeInfo").ShouldBe(1);
    }

    [Fact]
    public async Task GetMarketAsync_UnknownSymbol_ThrowsWithClosestSymbols()
    {
        using var client = Client();

        var ex = await Should.ThrowAsync<UnknownSymbolException>(() => client.GetMarketAsync(Symbol.Parse("BTC/USDTX"), MarketType.Spot));

        ex.Symbol.ShouldBe("BTC/USDTX");
        ex.Suggestions.ShouldContain("BTC/USDT");
        ex.Message.ShouldContain("BTC/USDT");
        ex.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public async Task GetMarketAsync_SpotSymbolAsSwap_SuggestsThePerpetual()
    {
        using var client = Client();

        var ex = await Should.ThrowAsync<UnknownSymbolException>(() => client.GetMarketAsync(Symbol.Parse("ETH/USDT"), MarketType.Swap));

        ex.Suggestions.ShouldContain("ETH/USDT:USDT");
    }

    [Fact]
    public async Task GetMarketsAsync_Types_SplitSwapsAndFutures()
    {
        using var client = Client();

        (await client.GetMarketsAsync(MarketType.Swap)).Count.ShouldBe(120);
        (await client.GetMarketsAsync(MarketType.Future)).Select(m => m.Id).ShouldBe(["BTCUSDT_210924", "ETHUSDT_210924"], ignoreOrder: true);
    }

    [Fact]
    public async Task GetMarketsAsync_AdvertisedLowerWeightLimit_LowersTheLimiter()
    {
        using var client = Client();
        client.SpotLimiter!.Limit.ShouldBe(6000);
        client.FuturesLimiter!.Limit.ShouldBe(2400);

        await client.GetMarketsAsync(MarketType.Spot);

        client.SpotLimiter.Limit.ShouldBe(1200); // the captured exchangeInfo of 2021 advertises REQUEST_WEIGHT 1200 per minute
        client.SpotLimiter.Used.ShouldBe(20); // exchangeInfo weighs 20
    }

    [Fact]
    public void Constructor_RespectRateLimitsOff_HasNoLimiter()
    {
        var options = FastOptions();
        options.RespectRateLimits = false;
        using var client = Client(options);

        client.SpotLimiter.ShouldBeNull();
    }

    [Fact]
    public async Task GetCandlesAsync_ShortSinglePage_CoversWholeRange()
    {
        using var client = Client();
        _stub.Then(HttpStatusCode.OK, KlineRows.Render(KlineRows.Minutes(T0, 10)));

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + (60 * Minute)));

        var page = pages.ShouldHaveSingleItem();
        page.Candles.Count.ShouldBe(10);
        page.Covered.ShouldBe(new TimeRange(T0, T0 + (60 * Minute)));
        var url = _stub.KlineRequests.ShouldHaveSingleItem();
        url.AbsolutePath.ShouldBe("/api/v3/klines");
        Query(url, "symbol").ShouldBe("BTCUSDT");
        Query(url, "interval").ShouldBe("1m");
        Query(url, "startTime").ShouldBe(T0.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Query(url, "endTime").ShouldBe((T0 + (60 * Minute) - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Query(url, "limit").ShouldBe("1000");
    }

    [Fact]
    public async Task GetCandlesAsync_FullPages_PageForwardFromLastOpenTime()
    {
        using var client = Client();
        var all = KlineRows.Minutes(T0, 2500);
        _stub.Then(HttpStatusCode.OK, KlineRows.Render(all.Take(1000)))
            .Then(HttpStatusCode.OK, KlineRows.Render(all.Skip(1000).Take(1000)))
            .Then(HttpStatusCode.OK, KlineRows.Render(all.Skip(2000)));
        var end = T0 + (3000 * Minute);

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, end));

        pages.Select(p => p.Covered).ShouldBe([
            new TimeRange(T0, T0 + (1000 * Minute)),
            new TimeRange(T0 + (1000 * Minute), T0 + (2000 * Minute)),
            new TimeRange(T0 + (2000 * Minute), end),
        ]);
        pages.SelectMany(p => p.Candles).ShouldBe(all);
        _stub.KlineRequests.Select(u => Query(u, "startTime")).ShouldBe(
            [$"{T0}", $"{T0 + (1000 * Minute)}", $"{T0 + (2000 * Minute)}"]);
    }

    [Fact]
    public async Task GetCandlesAsync_FullPageReachingRangeEnd_StopsWithoutAnotherRequest()
    {
        using var client = Client();
        _stub.Then(HttpStatusCode.OK, KlineRows.Render(KlineRows.Minutes(T0, 1000)));

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + (1000 * Minute)));

        pages.ShouldHaveSingleItem().Covered.ShouldBe(new TimeRange(T0, T0 + (1000 * Minute)));
        _stub.KlineRequests.Count().ShouldBe(1);
    }

    [Fact]
    public async Task GetCandlesAsync_CandlesOutsideRange_AreDropped()
    {
        using var client = Client();
        var start = T0 + (30 * Second());
        _stub.Then(HttpStatusCode.OK, KlineRows.Render(KlineRows.Minutes(T0, 5)));

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, start, T0 + (3 * Minute)));

        pages.ShouldHaveSingleItem().Candles.Select(c => c.OpenTime).ShouldBe([T0 + Minute, T0 + (2 * Minute)]);

        static long Second() => 1000;
    }

    [Fact]
    public async Task GetCandlesAsync_FullPageThatDoesNotAdvance_ThrowsMalformed()
    {
        using var client = Client();
        // A misbehaving server answers a full page older than the cursor.
        _stub.Then(HttpStatusCode.OK, KlineRows.Render(KlineRows.Minutes(T0 - (2000 * Minute), 1000)));

        var ex = await Should.ThrowAsync<MalformedResponseException>(() => AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + (5000 * Minute))));

        ex.Message.ShouldContain("would not advance");
        ex.Url!.Query.ShouldContain($"startTime={T0}");
    }

    [Fact]
    public async Task GetCandlesAsync_RangeInTheFuture_CoversOnlyClosedIntervals()
    {
        using var client = Client();
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var start = Timeframe.OneMinute.Floor(now) - (10 * Minute);
        _stub.Then(HttpStatusCode.OK, KlineRows.Render(KlineRows.Minutes(start, 5)));

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, start, start + (1000 * Minute)));

        var covered = pages.ShouldHaveSingleItem().Covered;
        covered.Start.ShouldBe(start);
        covered.End.ShouldBeLessThanOrEqualTo(Timeframe.OneMinute.Floor(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds()));
        covered.End.ShouldBeGreaterThanOrEqualTo(start + (10 * Minute));
    }

    [Fact]
    public async Task GetCandlesAsync_EmptyRange_SendsNothing()
    {
        using var client = Client();

        (await AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0))).ShouldBeEmpty();

        _stub.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(PriceType.Last, "/fapi/v1/klines", "symbol", "BTCUSDT_210924")]
    [InlineData(PriceType.Mark, "/fapi/v1/markPriceKlines", "symbol", "BTCUSDT_210924")]
    [InlineData(PriceType.Index, "/fapi/v1/indexPriceKlines", "pair", "BTCUSDT")]
    public async Task GetCandlesAsync_FuturesPriceTypes_UseTheirEndpoints(PriceType price, string path, string parameter, string id)
    {
        using var client = Client();
        _stub.Then(HttpStatusCode.OK, KlineRows.Render(KlineRows.Minutes(T0, 3)));

        var pages = await AllPages(client, Request("BTC/USDT:USDT-210924", MarketType.Future, T0, T0 + (3 * Minute), price));

        var url = _stub.KlineRequests.ShouldHaveSingleItem();
        url.AbsolutePath.ShouldBe(path);
        Query(url, parameter).ShouldBe(id);
        Query(url, "limit").ShouldBe("1000");
        var candle = pages.ShouldHaveSingleItem().Candles[0];
        if (price == PriceType.Last)
        {
            candle.Volume.ShouldBe(1.5m);
            candle.TradeCount.ShouldBe(7);
        }
        else
        {
            candle.Volume.ShouldBe(0);
            candle.TradeCount.ShouldBeNull();
        }
    }

    [Fact]
    public async Task GetCandlesAsync_FuturesKlineLimitOption_IsSent()
    {
        var options = FastOptions();
        options.FuturesKlineLimit = 499;
        using var client = Client(options);
        _stub.Then(HttpStatusCode.OK, "[]");

        await AllPages(client, Request("BTC/USDT:USDT", MarketType.Swap, T0, T0 + Minute));

        Query(_stub.KlineRequests.Single(), "limit").ShouldBe("499");
    }

    [Theory]
    [InlineData(MarketType.Spot, PriceType.Last, true)]
    [InlineData(MarketType.Spot, PriceType.Mark, false)]
    [InlineData(MarketType.Spot, PriceType.Index, false)]
    [InlineData(MarketType.Swap, PriceType.Mark, true)]
    [InlineData(MarketType.Future, PriceType.Index, true)]
    public void Supports_Binance_SpotLastOnlyFuturesAll(MarketType type, PriceType price, bool expected)
    {
        using var client = Client();

        client.Supports(type, price).ShouldBe(expected);
    }

    [Fact]
    public async Task GetCandlesAsync_SpotMark_ThrowsNotSupported()
    {
        using var client = Client();

        var ex = await Should.ThrowAsync<NotSupportedException>(() => AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + Minute, PriceType.Mark)));

        ex.Message.ShouldContain("mark");
        _stub.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetCandlesAsync_FuturesOneSecond_ThrowsNotSupported()
    {
        using var client = Client();
        var request = Request("BTC/USDT:USDT", MarketType.Swap, T0, T0 + Minute) with { Timeframe = Timeframe.Parse("1s") };

        await Should.ThrowAsync<NotSupportedException>(() => AllPages(client, request));
    }

    [Fact]
    public async Task GetCandlesAsync_InvalidSymbolAnswer_FailsAtOnceWithCodeAndMessage()
    {
        using var client = Client();
        _stub.Fallback = _ => StubHandler.Json(HttpStatusCode.BadRequest, """{"code":-1121,"msg":"Invalid symbol."}""");

        var ex = await Should.ThrowAsync<ExchangeException>(() => AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + Minute)));

        ex.Code.ShouldBe("-1121");
        ex.ExchangeMessage.ShouldBe("Invalid symbol.");
        ex.HttpStatus.ShouldBe(400);
        ex.IsTransient.ShouldBeFalse();
        ex.Url!.AbsolutePath.ShouldBe("/api/v3/klines");
        ex.Message.ShouldContain("Invalid symbol.");
        _stub.KlineRequests.Count().ShouldBe(1);
        client.Stats.Retries.ShouldBe(0);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, """{"code":-1000,"msg":"An unknown error occurred while processing the request."}""")]
    [InlineData(HttpStatusCode.BadGateway, "<html>502 Bad Gateway</html>")]
    [InlineData(HttpStatusCode.ServiceUnavailable, """{"code":-1008,"msg":"Server is currently overloaded with other requests."}""")]
    public async Task GetCandlesAsync_ServerErrorsThenSuccess_RetriesAndCompletes(HttpStatusCode status, string body)
    {
        using var client = Client();
        _stub.Then(status, body).Then(status, body).Then(HttpStatusCode.OK, KlineRows.Render(KlineRows.Minutes(T0, 2)));

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + (2 * Minute)));

        pages.ShouldHaveSingleItem().Candles.Count.ShouldBe(2);
        client.Stats.Retries.ShouldBe(2);
        client.Stats.Requests.ShouldBe(4); // exchangeInfo + 3 kline attempts
    }

    [Fact]
    public async Task GetCandlesAsync_ServerErrorsOutliveRetries_ThrowsTransientWithStatus()
    {
        using var client = Client(FastOptions(maxRetries: 2));
        _stub.Fallback = _ => StubHandler.Json(HttpStatusCode.ServiceUnavailable, """{"code":-1008,"msg":"busy"}""");

        var ex = await Should.ThrowAsync<ExchangeException>(() => AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + Minute)));

        ex.IsTransient.ShouldBeTrue();
        ex.HttpStatus.ShouldBe(503);
        ex.Code.ShouldBe("-1008");
        _stub.KlineRequests.Count().ShouldBe(3);
    }

    [Fact]
    public async Task GetCandlesAsync_TooManyRequestsWithRetryAfter_WaitsAndCountsRateLimited()
    {
        using var client = Client();
        _stub.Then(HttpStatusCode.TooManyRequests, """{"code":-1003,"msg":"Too much request weight used"}""",
                r => r.Headers.Add("Retry-After", "0"))
            .Then(HttpStatusCode.OK, KlineRows.Render(KlineRows.Minutes(T0, 1)));

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + Minute));

        pages.ShouldHaveSingleItem().Candles.Count.ShouldBe(1);
        client.Stats.RateLimited.ShouldBe(1);
        client.Stats.Retries.ShouldBe(1);
    }

    [Fact]
    public async Task GetCandlesAsync_UsedWeightHeader_ResyncsTheLimiterCaseInsensitively()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0 + 5000));
        using var client = new BinanceClient(_http, FastOptions(), time);
        _stub.Then(HttpStatusCode.OK, KlineRows.Render(KlineRows.Minutes(T0, 1)), r => r.Headers.Add("x-mbx-used-weight-1m", "1190"));

        await AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + Minute));

        client.SpotLimiter!.Used.ShouldBe(1190); // we had reserved 20 + 2; the exchange counts other users of the IP too
    }

    [Fact]
    public async Task GetCandlesAsync_TooManyRequestsWithRetryAfter_PausesTheWholeHost()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0 + 5000));
        using var client = new BinanceClient(_http, FastOptions(maxRetries: 0), time);
        _stub.Then(HttpStatusCode.TooManyRequests, """{"code":-1003,"msg":"Too much request weight used"}""", r => r.Headers.Add("Retry-After", "30"));

        var ex = await Should.ThrowAsync<RateLimitedException>(() => AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + Minute)));

        ex.RetryAfter.ShouldBe(TimeSpan.FromSeconds(30));
        ex.HttpStatus.ShouldBe(429);
        ex.Code.ShouldBe("-1003");
        client.SpotLimiter!.PausedUntil.ShouldBe(time.GetUtcNow().AddSeconds(30));
        client.FuturesLimiter!.PausedUntil.ShouldBeNull();
    }

    [Fact]
    public async Task GetCandlesAsync_TooManyRequestsWithoutRetryAfter_ExhaustsTheWindow()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0 + 5000));
        using var client = new BinanceClient(_http, FastOptions(maxRetries: 0), time);
        _stub.Then(HttpStatusCode.TooManyRequests, """{"code":-1003,"msg":"Too much request weight used"}""");

        var ex = await Should.ThrowAsync<RateLimitedException>(() => AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + Minute)));

        ex.RetryAfter.ShouldBeNull();
        client.SpotLimiter!.Used.ShouldBe(client.SpotLimiter.Limit);
    }

    [Fact]
    public async Task GetCandlesAsync_Banned418_IsRateLimitedAndCounted()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0 + 5000));
        using var client = new BinanceClient(_http, FastOptions(maxRetries: 0), time);
        _stub.Then((HttpStatusCode)418, """{"code":-1003,"msg":"Way too much request weight used; IP banned until 1677629000000."}""",
            r => r.Headers.Add("Retry-After", "120"));

        var ex = await Should.ThrowAsync<RateLimitedException>(() => AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + Minute)));

        ex.HttpStatus.ShouldBe(418);
        ex.Message.ShouldContain("banned");
        client.Stats.RateLimited.ShouldBe(1);
        client.SpotLimiter!.PausedUntil.ShouldBe(time.GetUtcNow().AddMinutes(2));
    }

    [Fact]
    public async Task GetCandlesAsync_MalformedPage_FailsWithUrlAndIsNotRetried()
    {
        using var client = Client();
        _stub.Fallback = _ => StubHandler.Json(HttpStatusCode.OK, "[[1,\"a\"");

        var ex = await Should.ThrowAsync<MalformedResponseException>(() => AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + Minute)));

        ex.Message.ShouldContain("/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=");
        _stub.KlineRequests.Count().ShouldBe(1);
    }

    [Fact]
    public async Task GetCandlesAsync_ConnectionFailureThenSuccess_Retries()
    {
        using var client = Client();
        _stub.Then(_ => throw new HttpRequestException("Connection reset by peer"))
            .Then(HttpStatusCode.OK, KlineRows.Render(KlineRows.Minutes(T0, 1)));

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + Minute));

        pages.ShouldHaveSingleItem();
        client.Stats.Retries.ShouldBe(1);
    }

    [Fact]
    public async Task GetCandlesAsync_AttemptTimesOut_IsRetried()
    {
        var options = FastOptions();
        // The first attempt never answers; the timeout must end it and the retry must succeed. Under heavy load a
        // retried attempt can itself take long, so the timeout leaves room and the count is a lower bound.
        options.RequestTimeout = TimeSpan.FromSeconds(1);
        using var stalling = new HttpClient(new StallOnceHandler(_stub));
        using var client = new BinanceClient(stalling, options);
        _stub.Then(HttpStatusCode.OK, KlineRows.Render(KlineRows.Minutes(T0, 1)));

        var pages = await AllPages(client, Request("BTC/USDT", MarketType.Spot, T0, T0 + Minute));

        pages.ShouldHaveSingleItem();
        client.Stats.Retries.ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task GetCandlesAsync_CallerCancels_ThrowsOperationCanceledWithoutRetry()
    {
        using var client = Client();
        using var cts = new CancellationTokenSource();
        await client.GetMarketAsync(Symbol.Parse("BTC/USDT"), MarketType.Spot);
        await cts.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.GetCandlesAsync(Request("BTC/USDT", MarketType.Spot, T0, T0 + Minute), cts.Token))
            {
            }
        });

        client.Stats.Retries.ShouldBe(0);
    }

    [Fact]
    public async Task Create_BinanceUs_ServesSpotFromBinanceUsOnly()
    {
        _stub.SpotCapture = "BINANCE_US.0";
        using var client = BinanceClient.Create("BinanceUS", _http, options: FastOptions());
        _stub.Then(HttpStatusCode.OK, "[]");

        await AllPages(client, Request("BTC/USD", MarketType.Spot, T0, T0 + Minute));

        client.Exchange.ShouldBe("binanceus");
        _stub.Requests.ShouldAllBe(u => u.Host == "api.binance.us");
        client.Supports(MarketType.Swap, PriceType.Last).ShouldBeFalse();
        (await client.GetMarketsAsync(MarketType.Swap)).ShouldBeEmpty();
        await Should.ThrowAsync<NotSupportedException>(() => client.GetMarketAsync(Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap));
    }

    [Fact]
    public void Create_BinanceUsdm_ServesFuturesOnly()
    {
        using var client = BinanceClient.Create("binanceusdm", _http);

        client.Supports(MarketType.Spot, PriceType.Last).ShouldBeFalse();
        client.Supports(MarketType.Swap, PriceType.Mark).ShouldBeTrue();
    }

    [Fact]
    public async Task Create_BaseUrlOverride_ReplacesSpotAndFuturesHosts()
    {
        using var client = BinanceClient.Create("binance", _http, new Uri("http://127.0.0.1:9/"), FastOptions());

        await client.GetMarketsAsync(MarketType.Spot);
        await client.GetMarketsAsync(MarketType.Swap);

        _stub.Requests.Select(u => u.GetLeftPart(UriPartial.Path)).ShouldBe(
            ["http://127.0.0.1:9/api/v3/exchangeInfo", "http://127.0.0.1:9/fapi/v1/exchangeInfo"]);
    }

    [Fact]
    public void Create_UnknownId_NamesClosest()
    {
        var ex = Should.Throw<ArgumentException>(() => BinanceClient.Create("binanse", _http));

        ex.Message.ShouldContain("binance");
    }

    [Theory]
    [InlineData(nameof(BinanceOptions.MaxRetries))]
    [InlineData(nameof(BinanceOptions.SpotWeightLimitPerMinute))]
    [InlineData(nameof(BinanceOptions.FuturesWeightLimitPerMinute))]
    [InlineData(nameof(BinanceOptions.FuturesKlineLimit))]
    [InlineData(nameof(BinanceOptions.RetryBaseDelay))]
    [InlineData(nameof(BinanceOptions.MaxRetryDelay))]
    [InlineData(nameof(BinanceOptions.RequestTimeout))]
    [InlineData(nameof(BinanceOptions.SpotBaseUrl))]
    public void Validate_BadSetting_ThrowsNamingIt(string setting)
    {
        var options = new BinanceOptions();
        switch (setting)
        {
            case nameof(BinanceOptions.MaxRetries): options.MaxRetries = -1; break;
            case nameof(BinanceOptions.SpotWeightLimitPerMinute): options.SpotWeightLimitPerMinute = 10; break;
            case nameof(BinanceOptions.FuturesWeightLimitPerMinute): options.FuturesWeightLimitPerMinute = 4; break;
            case nameof(BinanceOptions.FuturesKlineLimit): options.FuturesKlineLimit = 1501; break;
            case nameof(BinanceOptions.RetryBaseDelay): options.RetryBaseDelay = TimeSpan.Zero; break;
            case nameof(BinanceOptions.MaxRetryDelay): options.MaxRetryDelay = TimeSpan.FromMilliseconds(1); break;
            case nameof(BinanceOptions.RequestTimeout): options.RequestTimeout = Timeout.InfiniteTimeSpan; break;
            case nameof(BinanceOptions.SpotBaseUrl): options.SpotBaseUrl = new Uri("ftp://api.binance.com"); break;
        }

        var ex = Should.Throw<ArgumentException>(options.Validate);

        ex.ParamName.ShouldBe(setting);
        ex.Message.ShouldContain(setting);
    }

    [Fact]
    public void Validate_Defaults_Pass() => new BinanceOptions().Validate();

    [Fact]
    public void PairOf_DatedContract_DropsExpiry()
    {
        BinanceClient.PairOf("BTCUSDT_210924").ShouldBe("BTCUSDT");
        BinanceClient.PairOf("BTCUSDT").ShouldBe("BTCUSDT");
    }

    /// <summary>Never answers the first kline request (until the client's timeout cancels it), then delegates.</summary>
    private sealed class StallOnceHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _stalled;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.Contains("klines", StringComparison.Ordinal) && Interlocked.Exchange(ref _stalled, 1) == 0)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
