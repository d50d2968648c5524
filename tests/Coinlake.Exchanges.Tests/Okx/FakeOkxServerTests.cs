using System.Net;
using System.Text.Json;
using Coinlake.Testing;
using Coinlake.Testing.Okx;

namespace Coinlake.Exchanges.Tests.Okx;

/// <summary>The fake server's own OKX semantics, checked over raw HTTP.</summary>
public sealed class FakeOkxServerTests : IAsyncLifetime
{
    private const long Minute = 60_000;
    private static readonly long First = TestData.BinanceUsBtcUsdt1m()[0].OpenTime;

    private readonly HttpClient _http = new();
    private FakeOkxServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOkxServer.StartAsync(new FakeOkxOptions { TimeProvider = ShiftedClock.At(First + (40_000 * Minute), factor: 1) });
        _server.AddSeries("BTC-USDT", TestData.BinanceUsBtcUsdt1m());
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> GetAsync(string pathAndQuery)
    {
        var response = await _http.GetAsync(new Uri(_server.BaseUrl, pathAndQuery));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone(), response);
    }

    [Fact]
    public async Task HistoryCandles_AfterAndBefore_AreExclusiveAndNewestFirst()
    {
        var (status, body, _) = await GetAsync($"api/v5/market/history-candles?instId=BTC-USDT&before={First}&after={First + (5 * Minute)}&limit=10");

        status.ShouldBe(HttpStatusCode.OK);
        body.GetProperty("code").GetString().ShouldBe("0");
        body.GetProperty("data").EnumerateArray().Select(r => long.Parse(r[0].GetString()!, System.Globalization.CultureInfo.InvariantCulture))
            .ShouldBe([First + (4 * Minute), First + (3 * Minute), First + (2 * Minute), First + Minute]);
        body.GetProperty("data")[0].GetArrayLength().ShouldBe(9);
        body.GetProperty("data")[0][8].GetString().ShouldBe("1");
    }

    [Fact]
    public async Task HistoryCandles_OnlyAfter_ReturnsTheNewestLimitRowsBeforeIt()
    {
        var (_, body, _) = await GetAsync($"api/v5/market/history-candles?instId=BTC-USDT&after={First + (500 * Minute)}&limit=3");

        body.GetProperty("data").EnumerateArray().Select(r => r[0].GetString()).ShouldBe(
            [$"{First + (499 * Minute)}", $"{First + (498 * Minute)}", $"{First + (497 * Minute)}"]);
    }

    [Fact]
    public async Task RecentCandles_OldData_IsBeyondTheLatest1440()
    {
        var (_, body, _) = await GetAsync($"api/v5/market/candles?instId=BTC-USDT&after={First + (500 * Minute)}");

        body.GetProperty("data").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("api/v5/market/history-candles?bar=1m", 400, "50014")]
    [InlineData("api/v5/market/history-candles?instId=BTC-USDT&bar=8H", 400, "51000")]
    [InlineData("api/v5/market/history-candles?instId=BTC-USDT&limit=301", 400, "51000")]
    [InlineData("api/v5/market/history-candles?instId=NOPE-USDT", 200, "51001")]
    [InlineData("api/v5/market/history-trades?instId=BTC-USDT&type=2&before=1", 400, "51000")]
    [InlineData("api/v5/public/instruments?instType=OPTION", 400, "50014")]
    public async Task Errors_AsOkxSendsThem(string pathAndQuery, int status, string code)
    {
        var (actual, body, _) = await GetAsync(pathAndQuery);

        ((int)actual).ShouldBe(status);
        body.GetProperty("code").GetString().ShouldBe(code);
    }

    [Fact]
    public async Task RateLimit_PastTheDocumentedCount_Answers429Code50011WithoutRetryAfter()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(First + (40_000 * Minute)));
        await using var server = await FakeOkxServer.StartAsync(new FakeOkxOptions { TimeProvider = clock });
        var url = new Uri(server.BaseUrl, "api/v5/market/ticker?instId=BTC-USDT");
        for (var i = 0; i < FakeOkxServer.DocumentedLimit("/api/v5/market/ticker"); i++)
        {
            (await _http.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var limited = await _http.GetAsync(url);
        clock.Advance(TimeSpan.FromSeconds(2));
        using var next = await _http.GetAsync(url);

        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter.ShouldBeNull();
        JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString().ShouldBe("50011");
        next.StatusCode.ShouldBe(HttpStatusCode.OK); // the next 2-second window
    }

    [Fact]
    public async Task Instruments_Spot_ServesTheRecordedList()
    {
        var (_, body, _) = await GetAsync("api/v5/public/instruments?instType=SPOT");

        body.GetProperty("data").GetArrayLength().ShouldBe(513);
    }
}
