using Coinlake.Exchanges.Bybit;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Bybit;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Exchanges.Tests.Bybit;

/// <summary>Recent trades and tickers against <see cref="FakeBybitServer"/> serving real trades and candles.</summary>
public sealed class BybitTradesTickersTests : IAsyncLifetime
{
    private static readonly IReadOnlyList<Trade> XrpEth = Coinlake.Testing.TradeData.FreqtradeXrpEth();

    private readonly HttpClient _http = new();
    private FakeTimeProvider _clock = null!;
    private FakeBybitServer _server = null!;

    public async Task InitializeAsync()
    {
        _clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(XrpEth[0].Timestamp));
        _server = await FakeBybitServer.StartAsync(new FakeBybitOptions { TimeProvider = _clock });
        _server.AddInstrument(FakeBybitCategory.Spot, new FakeBybitInstrument("XRPETH", "XRP", "ETH", null, null, "Trading", 0, "0.00000001", "1", "1", "1000000", 8));
        _server.AddInstrument(FakeBybitCategory.Linear, new FakeBybitInstrument("XRPETH", "XRP", "ETH", "ETH", "LinearPerpetual", "Trading", 0, "0.00000001", "1", "1", "1000000", 8));
        _server.AddTrades(FakeBybitCategory.Spot, "XRPETH", XrpEth);
        _server.AddTrades(FakeBybitCategory.Linear, "XRPETH", XrpEth);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private void AfterLastTrade() => _clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(XrpEth[^1].Timestamp + 1));

    private BybitClient Client() => BybitClient.Create("bybit", _http, _server.BaseUrl, BybitFakeServerTests.Options(), _clock);

    private static async Task<List<TradePage>> AllPages(BybitClient client, TradeRequest request)
    {
        var pages = new List<TradePage>();
        await foreach (var page in client.GetTradesAsync(request))
        {
            pages.Add(page);
        }

        return pages;
    }

    [Theory]
    [InlineData(MarketType.Spot, "XRP/ETH", 60)]
    [InlineData(MarketType.Swap, "XRP/ETH:ETH", 1000)]
    public async Task GetTradesAsync_RecentWindow_IsTheSourceTailAscendingAndUnique(MarketType type, string symbol, int limit)
    {
        AfterLastTrade();
        using var client = Client();
        var all = new TimeRange(0, long.MaxValue);

        var page = (await AllPages(client, new TradeRequest(Symbol.Parse(symbol), type, all))).ShouldHaveSingleItem();

        client.TradeDepth(type).ShouldBe(TradeHistoryDepth.RecentOnly);
        page.Trades.ShouldBe(XrpEth.TakeLast(limit));
        page.Trades.Select(t => t.Id).Distinct().Count().ShouldBe(limit);
        page.Covered.ShouldBe(new TimeRange(XrpEth[^limit].Timestamp + 1, _clock.GetUtcNow().ToUnixTimeMilliseconds()));
        _server.Requests.Single(r => r.Path == "/v5/market/recent-trade").Query.ShouldBe($"category={(type == MarketType.Spot ? "spot" : "linear")}&symbol=XRPETH&limit={limit}");
    }

    [Fact]
    public async Task GetTradesAsync_RepeatedPolls_MergeWithoutDuplicatesOrGaps()
    {
        using var client = Client();
        var symbol = Symbol.Parse("XRP/ETH:ETH");
        var all = new TimeRange(0, long.MaxValue);
        _clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(XrpEth[5000].Timestamp));
        var first = (await AllPages(client, new TradeRequest(symbol, MarketType.Swap, all))).Single();
        _clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(XrpEth[5600].Timestamp));

        var second = (await AllPages(client, new TradeRequest(symbol, MarketType.Swap, all))).Single();

        second.Covered.Start.ShouldBeLessThanOrEqualTo(first.Covered.End); // the polls overlap: nothing was missed
        var merged = first.Trades.Concat(second.Trades).DistinctBy(t => t.Id).OrderBy(t => t.Timestamp).ToList();
        var expectedFrom = first.Trades[0];
        merged.ShouldBe(XrpEth.SkipWhile(t => t != expectedFrom).TakeWhile(t => t.Timestamp <= XrpEth[5600].Timestamp));
    }

    [Fact]
    public async Task GetTradesAsync_RangeBeforeTheRecentWindow_ReturnsNothing()
    {
        AfterLastTrade();
        using var client = Client();

        var pages = await AllPages(client, new TradeRequest(Symbol.Parse("XRP/ETH"), MarketType.Spot, new TimeRange(0, XrpEth[0].Timestamp + 1)));

        pages.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetTickersAsync_FromRealCandles_MapsEveryField()
    {
        var candles = TestData.BinanceUsBtcUsdt1m();
        _server.AddSeries(FakeBybitCategory.Spot, "BTCUSDT", candles);
        _server.AddSeries(FakeBybitCategory.Inverse, "BTCUSD", candles);
        _clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(candles[3000].OpenTime + 30_000));
        var day = candles.Skip(3000 - 1440 + 1).Take(1440).ToList(); // (now - 24 h, now]
        using var client = Client();

        var spot = (await client.GetTickersAsync(MarketType.Spot, [Symbol.Parse("BTC/USDT")])).ShouldHaveSingleItem();
        var inverse = (await client.GetTickersAsync(MarketType.Swap)).ShouldHaveSingleItem(); // the only swap with data

        spot.Symbol.ShouldBe(Symbol.Parse("BTC/USDT"));
        spot.Timestamp.ShouldBe(_clock.GetUtcNow().ToUnixTimeMilliseconds());
        spot.Last.ShouldBe(day[^1].Close);
        spot.Open.ShouldBe(day[0].Open);
        spot.High.ShouldBe(day.Max(c => c.High));
        spot.Low.ShouldBe(day.Min(c => c.Low));
        spot.Bid.ShouldBe(day[^1].Close);
        spot.Ask.ShouldBe(day[^1].Close + 0.5m); // BTCUSDT tick size in the capture
        spot.BaseVolume.ShouldBe(day.Sum(c => c.Volume));
        spot.Change.ShouldBe(day[^1].Close - day[0].Open);
        spot.ChangePercent.ShouldBe(decimal.Round((day[^1].Close - day[0].Open) / day[0].Open, 6, MidpointRounding.AwayFromZero) * 100);
        inverse.Symbol.ShouldBe(Symbol.Parse("BTC/USD:BTC"));
        inverse.BaseVolume.ShouldBe(spot.BaseVolume); // Bybit's inverse turnover24h is the base coin
        inverse.QuoteVolume.ShouldBe(spot.QuoteVolume);
        _server.Requests.First(r => r.Path == "/v5/market/tickers").Query.ShouldBe("category=spot&symbol=BTCUSDT");
    }

    [Fact]
    public async Task GetTickersAsync_UnknownSymbol_Throws()
    {
        using var client = Client();

        await Should.ThrowAsync<UnknownSymbolException>(() => client.GetTickersAsync(MarketType.Spot, [Symbol.Parse("NOPE/USDT")]));
    }
}
