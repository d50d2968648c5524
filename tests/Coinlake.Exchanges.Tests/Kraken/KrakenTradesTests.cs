using Coinlake.Exchanges.Kraken;
using Coinlake.Markets;
using Coinlake.Testing.Kraken;
using Coinlake.Time;
using Coinlake.Trades;
using static Coinlake.Exchanges.Tests.Kraken.KrakenTestKit;

namespace Coinlake.Exchanges.Tests.Kraken;

/// <summary>Trades end to end against <see cref="FakeKrakenServer"/> serving real recorded trades in Kraken's format.</summary>
public sealed class KrakenTradesTests : IAsyncLifetime
{
    private static readonly IReadOnlyList<Trade> XrpEth = KrakenTradeData.FreqtradeXrpEth();
    private static readonly TimeRange AllXrp = new(XrpEth[0].Timestamp, XrpEth[^1].Timestamp + 1);

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private FakeKrakenServer _server = null!;
    private KrakenClient _client = null!;

    public async Task InitializeAsync()
    {
        var time = new ShiftedTimeProvider(At(AllXrp.End + (10 * Minute)));
        _server = await FakeKrakenServer.StartAsync(new FakeKrakenOptions { TimeProvider = time, RateLimitBurst = 0 });
        _server.AddTrades("XRPETH", XrpEth);
        _server.AddTrades("BCHEUR", KrakenTradeData.KrakenBchEur());
        _client = Client(_server, _http, time);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private static TradeRequest Request(string symbol, TimeRange range) => new(Symbol.Parse(symbol), MarketType.Spot, range);

    [Fact]
    public void TradeDepth_Spot_IsFullHistory() => _client.TradeDepth(MarketType.Spot).ShouldBe(TradeHistoryDepth.Full);

    [Fact]
    public void KrakenTradeData_Files_LoadEveryTrade()
    {
        XrpEth.Count.ShouldBe(12_477);
        XrpEth[0].ShouldBe(new Trade("13519807", 1570752011620, 0.00141342m, 23.0m, TradeSide.Sell));
        KrakenTradeData.KrakenBchEur().Count.ShouldBe(148);
        KrakenTradeData.KrakenBchEur()[0].ShouldBe(new Trade("1", 1672531436000, 90.54m, 1.1044842m, TradeSide.Unknown));
    }

    [Fact]
    public async Task GetTradesAsync_AllRealTrades_EqualSourceCompleteAndDuplicateFree()
    {
        var pages = await AllTradePages(_client, Request("XRP/ETH", AllXrp));

        ShouldBeWellFormed(pages);
        pages[0].Covered.Start.ShouldBe(AllXrp.Start);
        pages[^1].Covered.End.ShouldBe(AllXrp.End);
        pages.SelectMany(p => p.Trades).ToList().ShouldBe(XrpEth);
        _server.CountRequests("/0/public/Trades").ShouldBe(14); // 13 pages of up to 1000 (boundary repeats dropped) + the one that finds nothing newer
        _server.Requests.Where(r => r.Path == "/0/public/Trades").ShouldAllBe(r => r.Query.Contains("pair=XRPETH") && r.Query.Contains("count=1000"));
    }

    [Fact]
    public async Task GetTradesAsync_RangeEndingInsideAPage_StopsThereAndCoversExactly()
    {
        var range = new TimeRange(XrpEth[100].Timestamp, XrpEth[2500].Timestamp);

        var pages = await AllTradePages(_client, Request("XRP/ETH", range));

        ShouldBeWellFormed(pages);
        pages[0].Covered.Start.ShouldBe(range.Start);
        pages[^1].Covered.End.ShouldBe(range.End);
        pages.SelectMany(p => p.Trades).ToList().ShouldBe(Within(XrpEth, range));
        _server.CountRequests("/0/public/Trades").ShouldBe(3);
    }

    [Theory]
    [InlineData(FakeKrakenFault.RepeatedBoundaryRow)]
    [InlineData(FakeKrakenFault.NewestFirst)]
    [InlineData(FakeKrakenFault.ShortPage)]
    public async Task GetTradesAsync_OddPagesMidway_StillCompleteAndDuplicateFree(FakeKrakenFault fault)
    {
        var range = new TimeRange(XrpEth[0].Timestamp, XrpEth[5000].Timestamp);
        var options = Options();
        options.TradesPerPage = 500;
        using var client = KrakenClient.Create("kraken", _http, _server.BaseUrl, options, _server.Options.TimeProvider);
        await client.GetMarketsAsync(MarketType.Spot);
        _server.Faults.Enqueue(fault, 3);

        var pages = await AllTradePages(client, Request("XRP/ETH", range));

        ShouldBeWellFormed(pages);
        pages[^1].Covered.End.ShouldBe(range.End);
        pages.SelectMany(p => p.Trades).ToList().ShouldBe(Within(XrpEth, range));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    public async Task GetTradesAsync_RangeReachingNow_ClaimsNothingAfterRequestTimeLessSettleDelay(int settleMinutes)
    {
        var options = Options();
        options.TradeSettleDelay = TimeSpan.FromMinutes(settleMinutes);
        using var client = KrakenClient.Create("kraken", _http, _server.BaseUrl, options, _server.Options.TimeProvider);
        var range = new TimeRange(AllXrp.End - (60 * Minute), AllXrp.End + (60 * Minute)); // "now" is AllXrp.End + 10 min

        var pages = await AllTradePages(client, Request("XRP/ETH", range));

        ShouldBeWellFormed(pages);
        pages.SelectMany(p => p.Trades).ToList().ShouldBe(Within(XrpEth, range));
        var coveredEnd = pages[^1].Covered.End;
        if (settleMinutes == 0)
        {
            coveredEnd.ShouldBeInRange(AllXrp.End + (10 * Minute), AllXrp.End + (11 * Minute)); // up to the request time
        }
        else
        {
            coveredEnd.ShouldBe(AllXrp.End); // the newest trade is proven; the 30 minutes before the request are not
        }
    }

    [Fact]
    public async Task GetTradesAsync_KrakenBchEurWithoutSides_EqualsSource()
    {
        var source = KrakenTradeData.KrakenBchEur();
        var range = new TimeRange(source[0].Timestamp, source[^1].Timestamp + 1000);

        var pages = await AllTradePages(_client, Request("BCH/EUR", range));

        ShouldBeWellFormed(pages);
        pages.SelectMany(p => p.Trades).ToList().ShouldBe(source);
    }

    [Fact]
    public async Task GetTradesAsync_NotSpot_NotSupported() =>
        await Should.ThrowAsync<NotSupportedException>(() => AllTradePages(_client, new TradeRequest(Symbol.Parse("BTC/USD:BTC"), MarketType.Swap, AllXrp)));
}
