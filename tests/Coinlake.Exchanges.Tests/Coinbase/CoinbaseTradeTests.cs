using Coinlake.Exchanges.Coinbase;
using Coinlake.Testing.Coinbase;
using Coinlake.Time;
using Coinlake.Trades;
using static Coinlake.Exchanges.Tests.Coinbase.CoinbaseFixture;

namespace Coinlake.Exchanges.Tests.Coinbase;

public sealed class CoinbaseTradeTests : IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task GetTradesAsync_WholeHistory_EqualsSourceExactly()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        var source = CoinbaseTestData.FreqtradeXrpEthTrades();
        server.AddTrades("XRP-ETH", source);
        using var client = Client(server, _http);
        var range = new TimeRange(source[0].Timestamp, source[^1].Timestamp + 1);

        var pages = await TradePages(client, "XRP/ETH", range);

        AllTrades(pages).ShouldBe(source);
        ShouldBeContiguous(pages, range.Start);
        pages[^1].Covered.End.ShouldBe(range.End);
        client.TradeDepth(Markets.MarketType.Spot).ShouldBe(TradeHistoryDepth.Full);
    }

    [Fact]
    public async Task GetTradesAsync_RangeDeepInHistory_FindsStartByBisectionAndPagesForward()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        var source = CoinbaseTestData.FreqtradeXrpEthTrades();
        server.AddTrades("XRP-ETH", source);
        using var client = Client(server, _http);
        var range = new TimeRange(source[2500].Timestamp, source[7400].Timestamp);

        var pages = await TradePages(client, "XRP/ETH", range);

        AllTrades(pages).ShouldBe(source.Where(t => range.Contains(t.Timestamp)));
        ShouldBeContiguous(pages, range.Start);
        pages[^1].Covered.End.ShouldBe(range.End);
        var probes = server.Requests.Count(r => r.Path.EndsWith("/trades", StringComparison.Ordinal) && r.Query.EndsWith("limit=1", StringComparison.Ordinal));
        probes.ShouldBeInRange(1, 30);
    }

    [Fact]
    public async Task GetTradesAsync_ManyTradesPerSecond_CarriesTheLastMillisecondAcrossPages()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        var source = CoinbaseTestData.KrakenBchEurTrades(); // whole-second times: several trades share a timestamp
        var dense = Enumerable.Range(0, 1500).Select(i => source[i % source.Count] with { Id = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), Timestamp = 1_672_531_200_000 + (i / 7 * 1000) }).ToList();
        server.AddTrades("BCH-EUR", dense);
        using var client = Client(server, _http);
        var range = new TimeRange(dense[0].Timestamp, dense[^1].Timestamp + 1);

        var pages = await TradePages(client, "BCH/EUR", range);

        AllTrades(pages).ShouldBe(dense);
        ShouldBeContiguous(pages, range.Start);
        pages.Count.ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task GetTradesAsync_KrakenFile_SidesAreTakerSides()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        var source = CoinbaseTestData.KrakenBchEurTrades();
        server.AddTrades("BCH-EUR", source);
        using var client = Client(server, _http);

        var pages = await TradePages(client, "BCH/EUR", new TimeRange(source[0].Timestamp, source[^1].Timestamp + 1));

        AllTrades(pages).ShouldBe(source);
        source.Count.ShouldBe(148);
    }

    [Fact]
    public async Task GetTradesAsync_RangeAfterLastTrade_ProvenEmptyUpToNow()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        var source = CoinbaseTestData.FreqtradeXrpEthTrades();
        server.AddTrades("XRP-ETH", source);
        using var client = Client(server, _http);
        var range = new TimeRange(source[^1].Timestamp + 1, source[^1].Timestamp + 86_400_000);

        var pages = await TradePages(client, "XRP/ETH", range);

        var page = pages.ShouldHaveSingleItem();
        page.Trades.ShouldBeEmpty();
        page.Covered.ShouldBe(range);
    }

    [Fact]
    public async Task GetTradesAsync_RangeBeyondNow_CoversOnlyUpToThePresent()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        var source = CoinbaseTestData.FreqtradeXrpEthTrades();
        server.AddTrades("XRP-ETH", source);
        var options = Options();
        options.SettleDelay = TimeSpan.FromMinutes(10);
        using var client = Client(server, _http, options);
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var range = new TimeRange(source[12000].Timestamp, now + 86_400_000);

        var pages = await TradePages(client, "XRP/ETH", range);

        AllTrades(pages).ShouldBe(source.Skip(12000));
        pages[^1].Covered.End.ShouldBeLessThan(now - 500_000);
    }
}
