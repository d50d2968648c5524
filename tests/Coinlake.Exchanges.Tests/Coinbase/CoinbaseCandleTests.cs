using System.Web;
using Coinlake.Exchanges.Coinbase;
using Coinlake.Exchanges.Tests.Support;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Coinbase;
using Coinlake.Time;
using Microsoft.Extensions.Time.Testing;
using static Coinlake.Exchanges.Tests.Coinbase.CoinbaseFixture;

namespace Coinlake.Exchanges.Tests.Coinbase;

public sealed class CoinbaseCandleTests : IDisposable
{
    private const long Minute = 60_000;
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    private static TimeRange RangeOf(IReadOnlyList<Coinlake.Candles.Candle> candles, long tail = Minute) => new(candles[0].OpenTime, candles[^1].OpenTime + tail);

    [Fact]
    public async Task GetCandlesAsync_FullBackfillWithRateLimitsOn_EqualsSourceExactlyWithout429()
    {
        var time = new AcceleratedTimeProvider(25);
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions(time, rateLimited: true));
        var source = TestData.BinanceUsBtcUsdt1m();
        server.AddSeries("BTC-USD", source);
        using var client = Client(server, _http, Options(respectRateLimits: true), time);
        var range = RangeOf(source);

        var pages = await Pages(client, "BTC/USD", "1m", range);

        pages.SelectMany(p => p.Candles).ShouldBe(Plain(source));
        ShouldBeContiguous(pages, range.Start);
        pages[^1].Covered.End.ShouldBe(range.End);
        server.Requests.ShouldNotContain(r => r.Status == 429);
        server.CountRequests("/candles").ShouldBe(101); // 30,240 minutes / 300 per request
        client.Stats.RateLimited.ShouldBe(0);
    }

    [Fact]
    public async Task GetCandlesAsync_Requests_Use300BucketWindowsWithIsoStartAndInclusiveEnd()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        var source = TestData.BinanceUsBtcUsdt1m().Take(700).ToList();
        server.AddSeries("BTC-USD", source);
        using var client = Client(server, _http);

        await Pages(client, "BTC/USD", "1m", RangeOf(source));

        var queries = server.Requests.Where(r => r.Path == "/products/BTC-USD/candles").Select(r => HttpUtility.ParseQueryString(r.Query)).ToList();
        queries.Select(q => q["granularity"]).ShouldAllBe(g => g == "60");
        queries.Select(q => q["start"]).ShouldBe(["2023-03-01T00:00:00Z", "2023-03-01T05:00:00Z", "2023-03-01T10:00:00Z"]);
        queries.Select(q => q["end"]).ShouldBe(["2023-03-01T04:59:00Z", "2023-03-01T09:59:00Z", "2023-03-01T11:39:00Z"]);
    }

    [Fact]
    public async Task GetCandlesAsync_NaturalGapsAndRepeatedBoundaryCandle_CompleteAndDuplicateFree()
    {
        // PrecedingCandles = 1: each answer repeats the previous window's newest bucket and, with 301 rows cut to 300,
        // ends one bucket before its window: the client must drop the repeat and continue from inside the range.
        var options = ServerOptions();
        options.PrecedingCandles = 1;
        await using var server = await FakeCoinbaseServer.StartAsync(options);
        var source = TestData.FreqtradeUnittestBtc1m();
        server.AddSeries("BTC-EUR", source);
        using var client = Client(server, _http);
        var range = RangeOf(source);

        var pages = await Pages(client, "BTC/EUR", "1m", range);

        pages.SelectMany(p => p.Candles).ShouldBe(Plain(source));
        ShouldBeContiguous(pages, range.Start);
        pages[^1].Covered.End.ShouldBe(range.End);
    }

    [Fact]
    public async Task GetCandlesAsync_EmptyWindow_IsCoveredAndPagingContinues()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        var source = TestData.BinanceUsBtcUsdt1m().Take(900).ToList();
        server.AddSeries("BTC-USD", source);
        server.RemoveCandles("BTC-USD", new TimeRange(source[0].OpenTime, source[300].OpenTime)); // first window really empty
        using var client = Client(server, _http);
        var range = RangeOf(source);

        var pages = await Pages(client, "BTC/USD", "1m", range);

        pages.SelectMany(p => p.Candles).ShouldBe(Plain(source.Skip(300)));
        ShouldBeContiguous(pages, range.Start);
        pages[0].Candles.ShouldBeEmpty();
        pages[0].Covered.ShouldBe(new TimeRange(range.Start, range.Start + (300 * Minute)));
        pages[^1].Covered.End.ShouldBe(range.End);
    }

    [Fact]
    public async Task GetCandlesAsync_UnalignedRange_ReturnsOnlyOpenTimesInside()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        var source = TestData.BinanceUsBtcUsdt1m().Take(20).ToList();
        server.AddSeries("BTC-USD", source);
        using var client = Client(server, _http);
        var range = new TimeRange(source[2].OpenTime + 30_000, source[7].OpenTime + 1);

        var pages = await Pages(client, "BTC/USD", "1m", range);

        pages.SelectMany(p => p.Candles).Select(c => c.OpenTime).ShouldBe(source.Skip(3).Take(5).Select(c => c.OpenTime));
        pages.ShouldHaveSingleItem().Covered.ShouldBe(range);
    }

    [Theory]
    [InlineData("5m")]
    [InlineData("15m")]
    [InlineData("1h")]
    [InlineData("6h")]
    [InlineData("1d")]
    [InlineData("3m")]
    [InlineData("30m")]
    [InlineData("2h")]
    [InlineData("4h")]
    [InlineData("8h")]
    [InlineData("12h")]
    [InlineData("3d")]
    [InlineData("1w")]
    public async Task GetCandlesAsync_NativeAndBuiltTimeframes_EqualAggregatedSource(string timeframe)
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        var source = TestData.BinanceUsBtcUsdt1m();
        server.AddSeries("BTC-USD", source);
        using var client = Client(server, _http);
        var tf = Timeframe.Parse(timeframe);
        var range = new TimeRange(tf.Ceiling(source[0].OpenTime), tf.Floor(source[^1].OpenTime + Minute)); // whole buckets only

        var pages = await Pages(client, "BTC/USD", timeframe, range);

        var expected = Aggregate(source.Where(c => range.Contains(c.OpenTime)), tf);
        pages.SelectMany(p => p.Candles).ShouldBe(expected);
        ShouldBeContiguous(pages, range.Start);
        pages[^1].Covered.End.ShouldBe(range.End);
        var source0 = CoinbaseGranularity.SourceOf(tf)!.Value;
        server.Requests.ShouldAllBe(r => !r.Path.EndsWith("/candles", StringComparison.Ordinal)
            || r.Query.Contains($"granularity={CoinbaseGranularity.Seconds(source0)}&", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetCandlesAsync_HourlySeries_ServesOneHourAndBuildsFourHours()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        var source = TestData.FreqtradeXrpUsdtFutures1h();
        server.AddSeries("XRP-USDT", source, Timeframe.OneHour);
        using var client = Client(server, _http);
        var range = RangeOf(source, 3_600_000);

        var hours = await Pages(client, "XRP/USDT", "1h", range);
        var fourHours = await Pages(client, "XRP/USDT", "4h", range);

        hours.SelectMany(p => p.Candles).ShouldBe(Plain(source));
        var h4 = Timeframe.Parse("4h");
        fourHours.SelectMany(p => p.Candles).ShouldBe(Aggregate(source.Where(c => h4.Floor(c.OpenTime) >= range.Start), h4));
        ShouldBeContiguous(fourHours, range.Start);
    }

    [Fact]
    public async Task GetCandlesAsync_CandleInProgress_IsNeitherReturnedNorCovered()
    {
        var source = TestData.BinanceUsBtcUsdt1m();
        var now = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(source[1000].OpenTime + 30_000)); // inside minute #1000
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions(now));
        server.AddSeries("BTC-USD", source);
        using var client = Client(server, _http, time: now);
        var range = RangeOf(source);

        var minutes = await Pages(client, "BTC/USD", "1m", range);
        var hours = await Pages(client, "BTC/USD", "1h", range);

        minutes.SelectMany(p => p.Candles).ShouldBe(Plain(source.Take(1000)));
        minutes[^1].Covered.End.ShouldBe(source[1000].OpenTime);
        var h = Timeframe.OneHour;
        hours.SelectMany(p => p.Candles).ShouldBe(Aggregate(source.Where(c => c.OpenTime < h.Floor(source[1000].OpenTime)), h));
        hours[^1].Covered.End.ShouldBe(h.Floor(source[1000].OpenTime));
    }

    [Fact]
    public async Task GetCandlesAsync_RangeInTheFuture_ClaimsNothing()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        server.AddSeries("BTC-USD", TestData.BinanceUsBtcUsdt1m().Take(10).ToList());
        using var client = Client(server, _http);
        var now = Timeframe.OneMinute.Floor(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());

        var pages = await Pages(client, "BTC/USD", "1m", new TimeRange(now + (60 * Minute), now + (120 * Minute)));

        pages.ShouldBeEmpty();
        server.CountRequests("/candles").ShouldBe(0);
    }

    [Theory]
    [InlineData(MarketType.Spot, PriceType.Mark)]
    [InlineData(MarketType.Spot, PriceType.Index)]
    [InlineData(MarketType.Swap, PriceType.Last)]
    [InlineData(MarketType.Future, PriceType.Mark)]
    public async Task GetCandlesAsync_MarkIndexOrDerivatives_NotSupportedWithoutRequest(MarketType type, PriceType price)
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        using var client = Client(server, _http);

        client.Supports(type, price).ShouldBeFalse();
        await Should.ThrowAsync<NotSupportedException>(() => Pages(client, "BTC/USD", "1m", new TimeRange(0, Minute), price, type));
        server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetCandlesAsync_OneSecond_NotSupported()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        using var client = Client(server, _http);

        var ex = await Should.ThrowAsync<NotSupportedException>(() => Pages(client, "BTC/USD", "1s", new TimeRange(0, Minute)));

        ex.Message.ShouldContain("1m");
        CoinbaseClient.SupportsTimeframe(Timeframe.Parse("1s")).ShouldBeFalse();
    }
}
