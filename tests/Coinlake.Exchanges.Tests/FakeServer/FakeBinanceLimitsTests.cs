using System.Net;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Exchanges.Tests.FakeServer;

public sealed class FakeBinanceLimitsTests
{
    // A window boundary: 2023-03-01T00:00:00Z is a multiple of one second and of one minute.
    private static readonly DateTimeOffset _windowStart = new(2023, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static async Task<(FakeBinanceServer Server, HttpClient Http, FakeTimeProvider Time)> StartAsync(int limit, TimeSpan window, int banAfter = 3)
    {
        var time = new FakeTimeProvider(_windowStart);
        var server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions
        {
            WeightLimit = limit,
            WeightWindow = window,
            BanAfterConsecutive429 = banAfter,
            BanDuration = TimeSpan.FromSeconds(2),
            TimeProvider = time,
        });
        server.AddSeries("BTCUSDT", FakeMarket.Spot, TestData.BinanceUsBtcUsdt1m());
        server.AddSeries("BTCUSDT", FakeMarket.Futures, TestData.BinanceUsBtcUsdt1m());
        return (server, FakeHttp.Client(server), time);
    }

    [Fact]
    public async Task Weight_SpotKlinesAndExchangeInfo_ReportedInUsedWeightHeader()
    {
        var (server, http, _) = await StartAsync(6000, TimeSpan.FromMinutes(1));
        await using var _ = server;
        using var __ = http;

        (await http.FetchAsync("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1000")).UsedWeight.ShouldBe(2);
        (await http.FetchAsync("/api/v3/exchangeInfo")).UsedWeight.ShouldBe(22);
        (await http.FetchAsync("/fapi/v1/exchangeInfo")).UsedWeight.ShouldBe(23);
        server.Requests.Select(r => r.Weight).ShouldBe([2, 20, 1]);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(99, 1)]
    [InlineData(100, 2)]
    [InlineData(499, 2)]
    [InlineData(500, 5)]
    [InlineData(1000, 5)]
    [InlineData(1001, 10)]
    [InlineData(1500, 10)]
    public async Task Weight_FuturesKlines_DependsOnLimit(int limit, int weight)
    {
        var (server, http, _) = await StartAsync(6000, TimeSpan.FromMinutes(1));
        await using var _ = server;
        using var __ = http;

        var answer = await http.FetchAsync($"/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit={limit}");

        answer.Status.ShouldBe(HttpStatusCode.OK);
        answer.UsedWeight.ShouldBe(weight);
    }

    [Fact]
    public async Task Weight_FuturesWithoutLimit_ChargesDefault500Weight5()
    {
        var (server, http, _) = await StartAsync(6000, TimeSpan.FromMinutes(1));
        await using var _ = server;
        using var __ = http;

        (await http.FetchAsync("/fapi/v1/markPriceKlines?symbol=BTCUSDT&interval=1m")).UsedWeight.ShouldBe(5);
    }

    [Fact]
    public async Task Limit_PastWeight_Returns429WithRetryAfterUntilWindowEnds()
    {
        var (server, http, time) = await StartAsync(10, TimeSpan.FromMinutes(1));
        await using var _ = server;
        using var __ = http;
        for (var i = 0; i < 5; i++)
        {
            (await http.FetchAsync("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1")).Status.ShouldBe(HttpStatusCode.OK);
        }

        time.Advance(TimeSpan.FromSeconds(10));
        var rejected = await http.FetchAsync("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1");

        rejected.Status.ShouldBe((HttpStatusCode)429);
        rejected.Error.Code.ShouldBe(-1003);
        rejected.Error.Msg.ShouldContain("current limit is 10 request weight per 1 MINUTE");
        rejected.RetryAfterSeconds.ShouldBe(50);
        rejected.UsedWeight.ShouldBe(10);
        server.Requests[^1].ShouldBe(new RecordedRequest("/api/v3/klines", "symbol=BTCUSDT&interval=1m&limit=1", 429, 0, _windowStart.AddSeconds(10)));
    }

    [Fact]
    public async Task Limit_NextWindow_AllowsAgainFromZero()
    {
        var (server, http, time) = await StartAsync(4, TimeSpan.FromSeconds(1));
        await using var _ = server;
        using var __ = http;
        await http.FetchAsync("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1");
        await http.FetchAsync("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1");
        time.Advance(TimeSpan.FromMilliseconds(250));
        var rejected = await http.FetchAsync("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1");
        rejected.Status.ShouldBe((HttpStatusCode)429);
        rejected.RetryAfterSeconds.ShouldBe(1);

        time.Advance(TimeSpan.FromMilliseconds(750));
        var allowed = await http.FetchAsync("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1");

        allowed.Status.ShouldBe(HttpStatusCode.OK);
        allowed.UsedWeight.ShouldBe(2);
    }

    [Fact]
    public async Task Limit_ConsecutiveRejections_BanWith418UntilBanDurationElapsed()
    {
        var (server, http, time) = await StartAsync(2, TimeSpan.FromSeconds(1), banAfter: 3);
        await using var _ = server;
        using var __ = http;
        const string url = "/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1";
        (await http.FetchAsync(url)).Status.ShouldBe(HttpStatusCode.OK);
        for (var i = 0; i < 3; i++)
        {
            (await http.FetchAsync(url)).Status.ShouldBe((HttpStatusCode)429);
        }

        time.Advance(TimeSpan.FromMilliseconds(500));
        var banned = await http.FetchAsync(url);
        banned.Status.ShouldBe((HttpStatusCode)418);
        banned.Error.Code.ShouldBe(-1003);
        banned.Error.Msg.ShouldContain("IP banned until");
        banned.RetryAfterSeconds.ShouldBe(2); // 1.5 s left, rounded up

        time.Advance(TimeSpan.FromMilliseconds(1400));
        (await http.FetchAsync("/api/v3/exchangeInfo")).Status.ShouldBe((HttpStatusCode)418); // bans cover every endpoint

        time.Advance(TimeSpan.FromMilliseconds(100));
        (await http.FetchAsync(url)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Limit_AllowedRequestBetweenRejections_ResetsBanCounter()
    {
        var (server, http, time) = await StartAsync(2, TimeSpan.FromSeconds(1), banAfter: 2);
        await using var _ = server;
        using var __ = http;
        const string url = "/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1";
        await http.FetchAsync(url);
        (await http.FetchAsync(url)).Status.ShouldBe((HttpStatusCode)429);
        time.Advance(TimeSpan.FromSeconds(1));
        (await http.FetchAsync(url)).Status.ShouldBe(HttpStatusCode.OK);

        (await http.FetchAsync(url)).Status.ShouldBe((HttpStatusCode)429);
        (await http.FetchAsync(url)).Status.ShouldBe((HttpStatusCode)429);
        (await http.FetchAsync(url)).Status.ShouldBe((HttpStatusCode)418);
    }

    [Fact]
    public async Task Limit_ZeroDisables_NeverRejectsButCountsWeight()
    {
        var (server, http, _) = await StartAsync(0, TimeSpan.FromMinutes(1));
        await using var _ = server;
        using var __ = http;
        FakeAnswer last = null!;
        for (var i = 0; i < 5; i++)
        {
            last = await http.FetchAsync("/api/v3/exchangeInfo?symbol=BTCUSDT");
            last.Status.ShouldBe(HttpStatusCode.OK);
        }

        last.UsedWeight.ShouldBe(100);
    }
}
