using System.Net;
using Coinlake.Testing;
using Coinlake.Testing.Binance;

namespace Coinlake.Exchanges.Tests.FakeServer;

public sealed class FakeBinanceServerTests
{
    [Fact]
    public async Task StartAsync_ManyInParallel_EachOnItsOwnLoopbackPort()
    {
        var servers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => FakeBinanceServer.StartAsync()));
        try
        {
            servers.Select(s => s.BaseUrl.Port).Distinct().Count().ShouldBe(6);
            foreach (var server in servers)
            {
                server.BaseUrl.Host.ShouldBe("127.0.0.1");
                using var http = FakeHttp.Client(server);
                (await http.FetchAsync("/api/v3/ping")).Body.ShouldBe("{}");
            }
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task DisposeAsync_WithStalledRequest_CompletesAndClientFails()
    {
        var server = await FakeBinanceServer.StartAsync();
        server.Faults.Enqueue(FakeFault.Stall);
        using var http = FakeHttp.Client(server);
        var stalled = http.GetAsync(new Uri("/api/v3/klines?symbol=BTCUSDT&interval=1m", UriKind.Relative));
        while (server.CountRequests("/klines") == 0)
        {
            await Task.Delay(10);
        }

        await server.DisposeAsync();
        await server.DisposeAsync();

        await Should.ThrowAsync<HttpRequestException>(() => stalled);
    }

    [Fact]
    public async Task ExchangeInfo_Spot_ServesCapturedBinanceBody()
    {
        await using var server = await FakeBinanceServer.StartAsync();
        using var http = FakeHttp.Client(server);

        var answer = await http.FetchAsync("/api/v3/exchangeInfo");

        answer.Status.ShouldBe(HttpStatusCode.OK);
        answer.Body.ShouldBe(TestData.CapturePayload("BINANCE.0", "/api/v3/exchangeInfo"));
    }

    [Fact]
    public async Task ExchangeInfo_Futures_ServesCapturedFapiBody()
    {
        await using var server = await FakeBinanceServer.StartAsync();
        using var http = FakeHttp.Client(server);

        var answer = await http.FetchAsync("/fapi/v1/exchangeInfo");

        answer.Body.ShouldBe(TestData.CapturePayload("BINANCE_FUTURES.0", "/fapi/v1/exchangeInfo"));
    }

    [Fact]
    public async Task ExchangeInfo_SymbolFilter_ListsOnlyThatSymbol()
    {
        await using var server = await FakeBinanceServer.StartAsync();
        using var http = FakeHttp.Client(server);

        var one = await http.FetchAsync("/api/v3/exchangeInfo?symbol=BTCUSDT");
        var two = await http.FetchAsync("/api/v3/exchangeInfo?symbols=%5B%22BTCUSDT%22,%22ETHBTC%22%5D");

        one.Json.GetProperty("symbols").EnumerateArray().Select(s => s.GetProperty("symbol").GetString()).ShouldBe(["BTCUSDT"]);
        one.Json.GetProperty("rateLimits").GetArrayLength().ShouldBeGreaterThan(0);
        two.Json.GetProperty("symbols").EnumerateArray().Select(s => s.GetProperty("symbol").GetString()).ShouldBe(["ETHBTC", "BTCUSDT"], ignoreOrder: true);
    }

    [Fact]
    public async Task ExchangeInfo_UnknownSymbolFilter_Returns400Code1121()
    {
        await using var server = await FakeBinanceServer.StartAsync();
        using var http = FakeHttp.Client(server);

        var answer = await http.FetchAsync("/api/v3/exchangeInfo?symbol=NOPE");

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.Error.ShouldBe((-1121, "Invalid symbol."));
    }

    [Fact]
    public async Task Requests_Recorded_WithPathQueryStatusAndWeight_AndCanBeCleared()
    {
        await using var server = await FakeBinanceServer.StartAsync();
        using var http = FakeHttp.Client(server);
        await http.FetchAsync("/api/v3/klines?symbol=NOPE&interval=1m");
        await http.FetchAsync("/fapi/v1/time");
        await http.FetchAsync("/nowhere");

        server.Requests.Select(r => (r.Path, r.Query, r.Status, r.Weight)).ShouldBe([
            ("/api/v3/klines", "symbol=NOPE&interval=1m", 400, 2),
            ("/fapi/v1/time", "", 200, 1),
            ("/nowhere", "", 404, 0),
        ]);
        server.CountRequests("/api/").ShouldBe(1);
        server.CountRequests("/").ShouldBe(3);
        (await http.FetchAsync("/nowhere")).UsedWeight.ShouldBe(3);

        server.ClearRequests();

        server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Time_FromFakeClock_ReportsServerTime()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { TimeProvider = time });
        using var http = FakeHttp.Client(server);

        var answer = await http.FetchAsync("/api/v3/time");

        answer.Json.GetProperty("serverTime").GetInt64().ShouldBe(time.GetUtcNow().ToUnixTimeMilliseconds());
    }
}
