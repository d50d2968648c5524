using System.Globalization;
using System.Web;
using Coinlake.Exchanges.Binance;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Exchanges.Tests.Binance;

/// <summary>
/// Aggregate trades end to end: <see cref="BinanceClient.GetTradesAsync"/> against <see cref="FakeBinanceServer"/> on
/// loopback serving the 12,477 real Binance XRP/ETH trades as <c>XRPETH</c>. Client and server share a
/// <see cref="FakeTimeProvider"/> set to 2024 (the trades are of 2019), so weight windows never roll and every figure is exact.
/// </summary>
public sealed class BinanceTradesTests : IAsyncLifetime
{
    private const long Hour = 3_600_000;

    private static readonly IReadOnlyList<Trade> Source = TradeData.FreqtradeXrpEth();
    private static readonly long FirstHour = Source[0].Timestamp / Hour * Hour; // 2019-10-11T00:00:00Z

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly HttpClient _http = new();
    private FakeBinanceServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { TimeProvider = _time });
        _server.AddTrades("XRPETH", FakeMarket.Spot, Source);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private BinanceClient Client(string exchange = "binance", TimeProvider? time = null) =>
        BinanceClient.Create(exchange, _http, _server.BaseUrl, new BinanceOptions { MaxRetries = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(5) },
            time ?? _time);

    private static TradeRequest XrpEth(long start, long end) => new(Symbol.Parse("XRP/ETH"), MarketType.Spot, new TimeRange(start, end));

    private static async Task<List<TradePage>> AllPages(BinanceClient client, TradeRequest request)
    {
        var pages = new List<TradePage>();
        await foreach (var page in client.GetTradesAsync(request))
        {
            pages.Add(page);
        }

        return pages;
    }

    private List<RecordedRequest> AggTradeRequests() => [.. _server.Requests.Where(r => r.Path.EndsWith("/aggTrades", StringComparison.Ordinal))];

    private static long? Param(RecordedRequest request, string name) =>
        HttpUtility.ParseQueryString(request.Query)[name] is { } text ? long.Parse(text, CultureInfo.InvariantCulture) : null;

    private static void ShouldCoverContiguously(List<TradePage> pages, TimeRange range)
    {
        pages[0].Covered.Start.ShouldBe(range.Start);
        for (var i = 1; i < pages.Count; i++)
        {
            pages[i].Covered.Start.ShouldBe(pages[i - 1].Covered.End);
        }

        pages[^1].Covered.End.ShouldBe(range.End);
        foreach (var page in pages)
        {
            page.Trades.ShouldAllBe(t => page.Covered.Contains(t.Timestamp));
        }
    }

    [Fact]
    public void TradeDepth_AnyType_IsFull()
    {
        using var client = Client();

        client.TradeDepth(MarketType.Spot).ShouldBe(TradeHistoryDepth.Full);
        client.TradeDepth(MarketType.Swap).ShouldBe(TradeHistoryDepth.Full);
    }

    [Fact]
    public async Task GetTradesAsync_FullBackfill_EqualsSourceExactly()
    {
        using var client = Client();
        var range = new TimeRange(FirstHour - (3 * Hour), Source[^1].Timestamp / Hour * Hour + Hour);

        var pages = await AllPages(client, XrpEth(range.Start, range.End));

        pages.SelectMany(p => p.Trades).ShouldBe(Source);
        ShouldCoverContiguously(pages, range);
        pages.ShouldAllBe(p => p.Trades.Count <= BinanceClient.AggTradeLimit);
    }

    [Fact]
    public async Task GetTradesAsync_HoursBeforeTheFirstTrade_SkipsEmptyHourWindowsReportingThemCovered()
    {
        using var client = Client();
        var start = FirstHour - (3 * Hour);

        var pages = await AllPages(client, XrpEth(start, Source[^1].Timestamp + 1));

        pages.Take(3).Select(p => (p.Trades.Count, p.Covered)).ShouldBe(
            [(0, new TimeRange(start, start + Hour)), (0, new TimeRange(start + Hour, start + (2 * Hour))), (0, new TimeRange(start + (2 * Hour), FirstHour))]);
        var windows = AggTradeRequests().Where(r => Param(r, "startTime") is not null).ToList();
        windows.Count.ShouldBe(4); // three empty hours, then the hour holding the first trade
        windows.ShouldAllBe(r => Param(r, "endTime") - Param(r, "startTime") == Hour - 1 && Param(r, "fromId") == null);
        windows.Select(r => Param(r, "startTime")).ShouldBe([start, start + Hour, start + (2 * Hour), FirstHour]);
    }

    [Fact]
    public async Task GetTradesAsync_AfterTheFirstTrade_PagesByFromIdLastIdPlusOne()
    {
        using var client = Client();

        var pages = await AllPages(client, XrpEth(FirstHour, Source[^1].Timestamp + 1));

        var byId = AggTradeRequests().Where(r => Param(r, "fromId") is not null).ToList();
        byId.Count.ShouldBe(13); // 12,477 trades minus the first hour's, 1000 a page, the last one short
        byId.ShouldAllBe(r => Param(r, "startTime") == null && Param(r, "endTime") == null && Param(r, "limit") == 1000);
        var nonEmpty = pages.Where(p => p.Trades.Count > 0).ToList();
        for (var i = 0; i < byId.Count; i++)
        {
            Param(byId[i], "fromId").ShouldBe(long.Parse(nonEmpty[i].Trades[^1].Id, CultureInfo.InvariantCulture) + 1);
        }

        pages.SelectMany(p => p.Trades).Select(t => t.Id).ShouldBeUnique();
    }

    [Fact]
    public async Task GetTradesAsync_RangeInsideTheData_ReturnsOnlyItsTradesAndStopsAtTheEnd()
    {
        using var client = Client();
        var range = new TimeRange(Source[2500].Timestamp + 1, Source[7000].Timestamp);

        var pages = await AllPages(client, XrpEth(range.Start, range.End));

        pages.SelectMany(p => p.Trades).ShouldBe(Source.Where(t => range.Contains(t.Timestamp)));
        ShouldCoverContiguously(pages, range);
        var last = AggTradeRequests()[^1];
        Param(last, "fromId").ShouldNotBeNull();
        Source.Single(t => t.Id == Param(last, "fromId")!.Value.ToString(CultureInfo.InvariantCulture)).Timestamp.ShouldBeLessThan(range.End);
    }

    [Fact]
    public async Task GetTradesAsync_FullPageEndingMidMillisecond_LeavesThatMillisecondToTheNextPage()
    {
        using var client = Client();
        const long T0 = 1_700_000_000_000;
        var trades = Enumerable.Range(1, 1500)
            .Select(i => new Trade(i.ToString(CultureInfo.InvariantCulture), i <= 900 ? T0 + i : i <= 1200 ? T0 + 1000 : T0 + i, 1.5m, 2m, TradeSide.Buy)).ToList();
        _server.AddTrades("BTCUSDT", FakeMarket.Spot, trades);
        var range = new TimeRange(T0, T0 + Hour);

        var pages = await AllPages(client, new TradeRequest(Symbol.Parse("BTC/USDT"), MarketType.Spot, range));

        pages.Count.ShouldBe(2);
        pages[0].Trades.Count.ShouldBe(900); // ids 901-1000 share the last millisecond with ids up to 1200
        pages[0].Covered.ShouldBe(new TimeRange(T0, T0 + 1000));
        Param(AggTradeRequests()[^1], "fromId").ShouldBe(901);
        pages.SelectMany(p => p.Trades).ShouldBe(trades);
        ShouldCoverContiguously(pages, range);
    }

    [Fact]
    public async Task GetTradesAsync_WholePageInOneMillisecond_StillAdvancesAndLosesNothing()
    {
        using var client = Client();
        const long T0 = 1_700_000_000_000;
        var trades = Enumerable.Range(1, 1200)
            .Select(i => new Trade(i.ToString(CultureInfo.InvariantCulture), i <= 1100 ? T0 + 5 : T0 + i, 1.5m, 2m, TradeSide.Sell)).ToList();
        _server.AddTrades("BTCUSDT", FakeMarket.Spot, trades);

        var pages = await AllPages(client, new TradeRequest(Symbol.Parse("BTC/USDT"), MarketType.Spot, new TimeRange(T0, T0 + Hour)));

        pages.SelectMany(p => p.Trades).ShouldBe(trades);
        pages[^1].Covered.End.ShouldBe(T0 + Hour);
    }

    [Fact]
    public async Task GetTradesAsync_RangeReachingPastNow_CoversOnlyUpToNowMinusSettleTime()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(Source[^1].Timestamp + (10 * 60_000)));
        using var client = Client(time: clock);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var range = new TimeRange(Source[12_000].Timestamp, now + Hour);

        var pages = await AllPages(client, XrpEth(range.Start, range.End));

        pages.SelectMany(p => p.Trades).ShouldBe(Source.Where(t => t.Timestamp >= range.Start));
        pages[^1].Covered.End.ShouldBe(now - BinanceClient.TradeSettleMs);
    }

    [Fact]
    public async Task GetTradesAsync_Spot_ChargesWeight4PerRequestToTheLimiter()
    {
        using var client = Client();

        await AllPages(client, XrpEth(FirstHour, FirstHour + (6 * Hour)));

        var requests = AggTradeRequests();
        requests.Count.ShouldBeGreaterThan(1);
        requests.ShouldAllBe(r => r.Weight == 4 && r.Status == 200);
        client.SpotLimiter!.Used.ShouldBe(20 + (4 * requests.Count)); // exchangeInfo weighs 20
    }

    [Fact]
    public async Task GetTradesAsync_UsdmSwap_UsesFapiWithWeight20()
    {
        _server.AddTrades("BTCUSDT", FakeMarket.Futures, Source);
        using var client = Client();

        var pages = await AllPages(client, new TradeRequest(Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap, new TimeRange(FirstHour, FirstHour + (3 * Hour))));

        pages.SelectMany(p => p.Trades).ShouldBe(Source.Where(t => t.Timestamp < FirstHour + (3 * Hour)));
        var requests = AggTradeRequests();
        requests.ShouldAllBe(r => r.Path == "/fapi/v1/aggTrades" && r.Weight == 20);
        client.FuturesLimiter!.Used.ShouldBe(1 + (20 * requests.Count));
    }

    [Fact]
    public async Task GetTradesAsync_TransientServerError_RetriesAndStillEqualsSource()
    {
        using var client = Client(time: TimeProvider.System);
        _server.Faults.Enqueue(FakeFault.InternalServerError500);
        _server.Faults.Enqueue(FakeFault.TruncatedBody);

        var pages = await AllPages(client, XrpEth(FirstHour, FirstHour + (4 * Hour)));

        pages.SelectMany(p => p.Trades).ShouldBe(Source.Where(t => t.Timestamp < FirstHour + (4 * Hour)));
        client.Stats.Retries.ShouldBe(2);
    }

    [Fact]
    public async Task GetTradesAsync_UnknownSymbol_ThrowsWithSuggestions()
    {
        using var client = Client();

        var ex = await Should.ThrowAsync<UnknownSymbolException>(() => AllPages(client, new TradeRequest(Symbol.Parse("XRP/ETC"), MarketType.Spot, new TimeRange(0, Hour))));

        ex.Suggestions.ShouldContain("XRP/ETH");
    }

    [Fact]
    public async Task GetTradesAsync_FuturesOnBinanceUs_ThrowsNotSupported()
    {
        using var client = Client("binanceus");

        await Should.ThrowAsync<NotSupportedException>(() => AllPages(client, new TradeRequest(Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap, new TimeRange(0, Hour))));
    }

    [Fact]
    public async Task GetTradesAsync_EmptyRange_SendsNothing()
    {
        using var client = Client();

        (await AllPages(client, XrpEth(FirstHour, FirstHour))).ShouldBeEmpty();

        client.Stats.Requests.ShouldBe(0);
    }
}
