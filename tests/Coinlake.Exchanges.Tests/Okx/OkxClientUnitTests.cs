using System.Net;
using System.Text;
using Coinlake.Exchanges.Okx;
using Coinlake.Exchanges.Okx.Rest;
using Coinlake.Markets;
using Coinlake.Time;

namespace Coinlake.Exchanges.Tests.Okx;

/// <summary>Parsing, error mapping, options and bar names of the OKX connector, with scripted answers.</summary>
public sealed class OkxClientUnitTests : IDisposable
{
    private static readonly Uri Url = new("https://www.okx.com/api/v5/market/candles");
    private const long T0 = 1677628800000; // 2023-03-01T00:00:00Z

    private readonly OkxStubHandler _stub = new();
    private readonly HttpClient _http;

    public OkxClientUnitTests() => _http = new HttpClient(_stub);

    public void Dispose() => _http.Dispose();

    private OkxClient Client(int maxRetries = 3) => new(_http, new OkxOptions
    {
        MaxRetries = maxRetries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(5),
        RateLimitWindow = TimeSpan.FromMilliseconds(5),
    });

    private static CandleRequest Spot(long start, long end) =>
        new(Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last, new TimeRange(start, end));

    private static async Task<List<CandlePage>> AllPages(OkxClient client, CandleRequest request)
    {
        var pages = new List<CandlePage>();
        await foreach (var page in client.GetCandlesAsync(request))
        {
            pages.Add(page);
        }

        return pages;
    }

    [Fact]
    public void Parse_SpotRowsNewestFirst_ReadsExactDecimalsAndDropsUnconfirmed()
    {
        var json = """[["1677628920000","23150.1","23160","23140","23155.5","1.5","34725.1","34725.1","0"],["1677628860000","23140.48","23150.77","23128.52","23142.31","2.131777","49334.94","49334.94","1"]]"""u8;

        var rows = OkxCandleParser.Parse(json, Url, "okx", OkxCandleShape.Spot);

        var c = rows.Candles.ShouldHaveSingleItem();
        (c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume, c.QuoteVolume).ShouldBe((1677628860000, 23140.48m, 23150.77m, 23128.52m, 23142.31m, 2.131777m, (decimal?)49334.94m));
        rows.FirstUnconfirmed.ShouldBe(1677628920000);
    }

    [Fact]
    public void Parse_DerivativeRow_VolumeIsVolCcyNotContracts()
    {
        var json = """[["1677628860000","1","2","0.5","1.5","213.1777","2.131777","3.2","1"]]"""u8;

        var c = OkxCandleParser.Parse(json, Url, "okx", OkxCandleShape.Derivative).Candles.ShouldHaveSingleItem();

        c.Volume.ShouldBe(2.131777m);
        c.QuoteVolume.ShouldBe(3.2m);
    }

    [Fact]
    public void Parse_LegacySevenColumnRow_IsAccepted()
    {
        var json = """[["1677628860000","1","2","0.5","1.5","10","15"]]"""u8;

        var c = OkxCandleParser.Parse(json, Url, "okx", OkxCandleShape.Spot).Candles.ShouldHaveSingleItem();

        c.QuoteVolume.ShouldBe(15m);
    }

    [Theory]
    [InlineData("""[["x","1","2","0.5","1.5","1"]]""")]
    [InlineData("""[["1","1","2"]]""")]
    [InlineData("""{"ts":"1"}""")]
    public void Parse_BadShapes_ThrowMalformedNamingTheUrl(string json)
    {
        var ex = Should.Throw<MalformedResponseException>(() => OkxCandleParser.Parse(Encoding.UTF8.GetBytes(json), Url, "okx", OkxCandleShape.PriceOnly));

        ex.Url.ShouldBe(Url);
    }

    [Fact]
    public async Task GetCandlesAsync_RowsOutsideWindowAndRepeated_AreDroppedAndPageIsAscending()
    {
        using var client = Client();
        // Newest first, one row repeated, one row of the previous window.
        _stub.Then(HttpStatusCode.OK, OkxStubHandler.Envelope($$"""[["{{T0 + 120_000}}","3","3","3","3","1","3","3","1"],["{{T0 + 120_000}}","3","3","3","3","1","3","3","1"],["{{T0}}","1","1","1","1","1","1","1","1"],["{{T0 - 60_000}}","0","0","0","0","1","0","0","1"]]"""));

        var pages = await AllPages(client, Spot(T0, T0 + 180_000));

        var page = pages.ShouldHaveSingleItem();
        page.Candles.Select(c => c.OpenTime).ShouldBe([T0, T0 + 120_000]);
        page.Covered.ShouldBe(new TimeRange(T0, T0 + 180_000));
        var url = _stub.DataRequests.ShouldHaveSingleItem();
        url.AbsolutePath.ShouldBe("/api/v5/market/history-candles");
        url.Query.ShouldBe($"?instId=BTC-USDT&bar=1m&before={T0 - 1}&after={T0 + 180_000}&limit=100");
    }

    [Fact]
    public async Task GetCandlesAsync_InstrumentDoesNotExist_ThrowsTypedAtOnce()
    {
        using var client = Client();
        _stub.Then(HttpStatusCode.OK, OkxStubHandler.Envelope("[]", "51001", "Instrument ID does not exist"));

        var ex = await Should.ThrowAsync<ExchangeException>(() => AllPages(client, Spot(T0, T0 + 60_000)));

        ex.Code.ShouldBe("51001");
        ex.ExchangeMessage.ShouldBe("Instrument ID does not exist");
        ex.IsTransient.ShouldBeFalse();
        ex.HttpStatus.ShouldBe(200);
        _stub.DataRequests.Count().ShouldBe(1);
    }

    [Fact]
    public async Task GetCandlesAsync_ParameterError400_ThrowsTypedAtOnce()
    {
        using var client = Client();
        _stub.Then(HttpStatusCode.BadRequest, OkxStubHandler.Envelope("[]", "51000", "Parameter bar error"));

        var ex = await Should.ThrowAsync<ExchangeException>(() => AllPages(client, Spot(T0, T0 + 60_000)));

        ex.Code.ShouldBe("51000");
        ex.IsTransient.ShouldBeFalse();
        _stub.DataRequests.Count().ShouldBe(1);
    }

    [Fact]
    public async Task GetCandlesAsync_SystemBusyThenSuccess_Retries()
    {
        using var client = Client();
        _stub.Then(HttpStatusCode.OK, OkxStubHandler.Envelope("[]", "50013", "Systems are busy. Please try again later."))
            .Then(HttpStatusCode.ServiceUnavailable, OkxStubHandler.Envelope("[]", "50001", "Service temporarily unavailable."))
            .Then(HttpStatusCode.OK, OkxStubHandler.Envelope($$"""[["{{T0}}","1","1","1","1","1","1","1","1"]]"""));

        var pages = await AllPages(client, Spot(T0, T0 + 60_000));

        pages.ShouldHaveSingleItem().Candles.Count.ShouldBe(1);
        client.Stats.Retries.ShouldBe(2);
    }

    [Fact]
    public async Task GetCandlesAsync_RateLimitOutlivesRetries_ThrowsRateLimitedWithDocumentedReset()
    {
        using var client = Client(maxRetries: 1);
        _stub.Then((HttpStatusCode)429, """{"msg":"Too Many Requests","code":"50011"}""").Then((HttpStatusCode)429, """{"msg":"Too Many Requests","code":"50011"}""");

        var ex = await Should.ThrowAsync<RateLimitedException>(() => AllPages(client, Spot(T0, T0 + 60_000)));

        ex.Code.ShouldBe("50011");
        ex.RetryAfter.ShouldBe(TimeSpan.FromMilliseconds(5)); // the configured window: OKX sends no Retry-After
        client.Stats.RateLimited.ShouldBe(2);
    }

    [Fact]
    public async Task RateLimiters_PastTheLimit_WaitAWholeWindowOnTheInjectedClock()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var limiters = new OkxRateLimiters(TimeSpan.FromSeconds(2), 1.0, clock);
        for (var i = 0; i < 10; i++)
        {
            await limiters.AcquireAsync(OkxEndpoint.HistoryIndexCandles, CancellationToken.None); // documented: 10 per 2 s
        }

        var waiting = limiters.AcquireAsync(OkxEndpoint.HistoryIndexCandles, CancellationToken.None).AsTask();
        clock.Advance(TimeSpan.FromSeconds(2));
        var afterOneWindow = waiting.IsCompleted;
        clock.Advance(TimeSpan.FromMilliseconds(200));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        afterOneWindow.ShouldBeFalse(); // any 2-second span holds at most 10, whatever the venue's window phase
        limiters.AvailablePermits(OkxEndpoint.Candles).ShouldBe(40);
    }

    [Theory]
    [InlineData(200, "51001", false)]
    [InlineData(400, "51000", false)]
    [InlineData(400, "50014", false)]
    [InlineData(429, "50011", true)]
    [InlineData(200, "50011", true)]
    [InlineData(200, "50013", true)]
    [InlineData(503, "50001", true)]
    [InlineData(500, "50026", true)]
    [InlineData(400, "50004", true)]
    [InlineData(502, null, true)]
    [InlineData(404, null, false)]
    public void IsTransient_CodesAndStatuses_AsDocumented(int status, string? code, bool expected) =>
        OkxErrors.IsTransient(status, code).ShouldBe(expected);

    [Theory]
    [InlineData("1m", "1m")]
    [InlineData("1h", "1H")]
    [InlineData("4h", "4H")]
    [InlineData("6h", "6Hutc")]
    [InlineData("12h", "12Hutc")]
    [InlineData("1d", "1Dutc")]
    [InlineData("1w", "1Wutc")]
    [InlineData("1M", "1Mutc")]
    [InlineData("8h", null)]
    [InlineData("3d", null)]
    public void Bars_Timeframes_MapToUtcBars(string timeframe, string? bar) => OkxBars.Of(Timeframe.Parse(timeframe)).ShouldBe(bar);

    [Fact]
    public async Task GetCandlesAsync_EightHours_ThrowsNotSupported()
    {
        using var client = Client();

        await Should.ThrowAsync<NotSupportedException>(() => AllPages(client, Spot(T0, T0 + 60_000) with { Timeframe = Timeframe.Parse("8h") }));
        await Should.ThrowAsync<NotSupportedException>(() => AllPages(client, Spot(T0, T0 + 60_000) with { Price = PriceType.Mark }));
    }

    [Fact]
    public void Supports_SpotLastOnly_DerivativesAllPrices()
    {
        using var client = Client();

        client.Supports(MarketType.Spot, PriceType.Last).ShouldBeTrue();
        client.Supports(MarketType.Spot, PriceType.Mark).ShouldBeFalse();
        client.Supports(MarketType.Swap, PriceType.Index).ShouldBeTrue();
        client.Supports(MarketType.Future, PriceType.Mark).ShouldBeTrue();
    }

    [Theory]
    [InlineData(nameof(OkxOptions.HistoryCandleLimit))]
    [InlineData(nameof(OkxOptions.RateLimitShare))]
    [InlineData(nameof(OkxOptions.MaxRetries))]
    [InlineData(nameof(OkxOptions.RequestTimeout))]
    public void Validate_OutOfRange_ThrowsNamingTheSetting(string name)
    {
        var options = new OkxOptions();
        switch (name)
        {
            case nameof(OkxOptions.HistoryCandleLimit): options.HistoryCandleLimit = 301; break;
            case nameof(OkxOptions.RateLimitShare): options.RateLimitShare = 0; break;
            case nameof(OkxOptions.MaxRetries): options.MaxRetries = -1; break;
            default: options.RequestTimeout = TimeSpan.Zero; break;
        }

        Should.Throw<ArgumentException>(options.Validate).ParamName.ShouldBe(name);
    }

    [Fact]
    public void Create_UnknownId_ThrowsNamingOkx()
    {
        var ex = Should.Throw<ArgumentException>(() => OkxClient.Create("okex", _http));

        ex.Message.ShouldContain("okx");
        OkxClient.ExchangeIds.ShouldBe(["okx"]);
    }
}
