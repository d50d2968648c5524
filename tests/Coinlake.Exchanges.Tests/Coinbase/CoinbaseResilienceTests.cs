using Coinlake.Exchanges.Coinbase;
using Coinlake.Exchanges.Tests.Support;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Coinbase;
using Coinlake.Time;
using static Coinlake.Exchanges.Tests.Coinbase.CoinbaseFixture;

namespace Coinlake.Exchanges.Tests.Coinbase;

public sealed class CoinbaseResilienceTests : IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    private static async Task<FakeCoinbaseServer> ServerWithMinutes(TimeProvider? time = null, bool rateLimited = false)
    {
        var server = await FakeCoinbaseServer.StartAsync(ServerOptions(time, rateLimited));
        server.AddSeries("BTC-USD", TestData.BinanceUsBtcUsdt1m().Take(600).ToList());
        return server;
    }

    private static TimeRange Range => new(TestData.BinanceUsBtcUsdt1m()[0].OpenTime, TestData.BinanceUsBtcUsdt1m()[599].OpenTime + 60_000);

    [Fact]
    public async Task GetCandlesAsync_429WithoutRetryAfter_WaitsTheDocumentedSecondThenCompletes()
    {
        var time = new AcceleratedTimeProvider(50);
        await using var server = await ServerWithMinutes(time);
        server.Faults.Enqueue(FakeCoinbaseFault.TooManyRequests429);
        var options = Options(respectRateLimits: true);
        options.MaxRetryDelay = TimeSpan.FromSeconds(30);
        using var client = Client(server, _http, options, time);

        var pages = await Pages(client, "BTC/USD", "1m", Range);

        pages.SelectMany(p => p.Candles).Count().ShouldBe(600);
        client.Stats.RateLimited.ShouldBe(1);
        var candles = server.Requests.Where(r => r.Path.EndsWith("/candles", StringComparison.Ordinal)).ToList();
        candles[0].Status.ShouldBe(429);
        (candles[1].Time - candles[0].Time).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.95)); // RateLimitedWait on the shared clock
    }

    [Fact]
    public async Task GetCandlesAsync_BurstAboveTheServerLimit_LimiterKeepsItFrom429()
    {
        var time = new AcceleratedTimeProvider(25);
        await using var server = await ServerWithMinutes(time, rateLimited: true);
        using var client = Client(server, _http, Options(respectRateLimits: true), time);

        // 40 parallel requests: the server allows 15 at once and 10 per second, the client's bucket 10 and 10.
        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Pages(client, "BTC/USD", "1m", new TimeRange(Range.Start, Range.Start + 60_000))));

        server.Requests.ShouldNotContain(r => r.Status == 429);
        server.CountRequests("/candles").ShouldBe(40);
    }

    [Theory]
    [InlineData(FakeCoinbaseFault.InternalServerError500)]
    [InlineData(FakeCoinbaseFault.BadGateway502)]
    [InlineData(FakeCoinbaseFault.ServiceUnavailable503)]
    [InlineData(FakeCoinbaseFault.ConnectionReset)]
    [InlineData(FakeCoinbaseFault.TruncatedBody)]
    public async Task GetCandlesAsync_TransientFault_IsRetriedAndCompletes(FakeCoinbaseFault fault)
    {
        await using var server = await ServerWithMinutes();
        server.Faults.Enqueue(fault, 2);
        using var client = Client(server, _http);

        var pages = await Pages(client, "BTC/USD", "1m", Range);

        pages.SelectMany(p => p.Candles).ShouldBe(Plain(TestData.BinanceUsBtcUsdt1m().Take(600)));
        client.Stats.Retries.ShouldBe(2);
    }

    [Fact]
    public async Task GetCandlesAsync_MalformedJson_FailsAtOnceNamingTheUrl()
    {
        await using var server = await ServerWithMinutes();
        server.Faults.Enqueue(FakeCoinbaseFault.MalformedJson);
        using var client = Client(server, _http);

        var ex = await Should.ThrowAsync<MalformedResponseException>(() => Pages(client, "BTC/USD", "1m", Range));

        ex.Url!.AbsolutePath.ShouldBe("/products/BTC-USD/candles");
        ex.Message.ShouldContain("granularity=60");
        server.CountRequests("/candles").ShouldBe(1);
    }

    [Fact]
    public async Task GetCandlesAsync_StalledRequest_TimesOutAndIsRetried()
    {
        await using var server = await ServerWithMinutes();
        server.Faults.Enqueue(FakeCoinbaseFault.Stall);
        var options = Options();
        // Room for a loaded machine: the stalled attempt must time out and be retried; later attempts may be slow too.
        options.RequestTimeout = TimeSpan.FromSeconds(1);
        using var client = Client(server, _http, options);

        var pages = await Pages(client, "BTC/USD", "1m", Range);

        pages.SelectMany(p => p.Candles).Count().ShouldBe(600);
        client.Stats.Retries.ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task GetAsync_BadRequestAnswer_IsTypedWithStatusAndMessageAndNotRetried()
    {
        using var stub = new StubCoinbase((400, "{\"message\":\"granularity too small for the requested time range. Count of aggregations requested exceeds 300\"}"));
        using var http = new HttpClient(stub);
        using var client = CoinbaseClient.Create("coinbase", http, new Uri("http://stub.test"), Options());

        var ex = await Should.ThrowAsync<ExchangeException>(() => Pages(client, "BTC/USD", "1m", Range));

        ex.HttpStatus.ShouldBe(400);
        ex.Code.ShouldBe("400");
        ex.ExchangeMessage.ShouldStartWith("granularity too small");
        ex.IsTransient.ShouldBeFalse();
        stub.DataRequests.ShouldBe(1);
    }

    [Fact]
    public async Task GetAsync_NotFoundAnswer_IsTypedAndNotRetried()
    {
        using var stub = new StubCoinbase((404, "{\"message\":\"NotFound\"}"));
        using var http = new HttpClient(stub);
        using var client = CoinbaseClient.Create("coinbase", http, new Uri("http://stub.test"), Options());

        var ex = await Should.ThrowAsync<ExchangeException>(() => client.GetTickersAsync(MarketType.Spot, [Symbol.Parse("BTC/USD")]));

        ex.ExchangeMessage.ShouldBe("NotFound");
        ex.Code.ShouldBe("404");
        ex.Message.ShouldContain("404");
        stub.DataRequests.ShouldBe(1);
    }

    /// <summary>Answers <c>/products</c> from the recording and every other request with one canned error.</summary>
    private sealed class StubCoinbase((int Status, string Body) answer) : HttpMessageHandler
    {
        public int DataRequests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath == "/products")
            {
                return Task.FromResult(StubHandler.Json(System.Net.HttpStatusCode.OK, CoinbaseTestData.ProductsInTodaysSchema()));
            }

            DataRequests++;
            return Task.FromResult(StubHandler.Json((System.Net.HttpStatusCode)answer.Status, answer.Body));
        }
    }
}
