using System.Web;
using Coinlake.Candles;
using Coinlake.Exchanges.Binance;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Tickers;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Exchanges.Tests.Binance;

/// <summary>
/// 24hr tickers end to end: <see cref="BinanceClient.GetTickersAsync"/> against <see cref="FakeBinanceServer"/>, which
/// computes them from the real Binance.US BTC/USDT 1m candles of the 24 h before a fixed instant.
/// </summary>
public sealed class BinanceTickersTests : IAsyncLifetime
{
    private const long Day = 86_400_000;

    private static readonly IReadOnlyList<Candle> Source = TestData.BinanceUsBtcUsdt1m();
    private static readonly DateTimeOffset TickerTime = new(2023, 3, 10, 12, 0, 30, TimeSpan.Zero); // mid-minute
    private static readonly long Now = TickerTime.ToUnixTimeMilliseconds();

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly HttpClient _http = new();
    private FakeBinanceServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { TimeProvider = _time, TickerTime = TickerTime });
        _server.AddSeries("BTCUSDT", FakeMarket.Spot, Source);
        _server.AddSeries("BTCUSDT", FakeMarket.Futures, Source);
        _server.SetBookTicker("BTCUSDT", FakeMarket.Spot, 21990.01m, 0.5m, 21990.02m, 1.25m);
        _server.SetBookTicker("BTCUSDT", FakeMarket.Futures, 21989.9m, 10m, 21990.1m, 3m);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private BinanceClient Client() => BinanceClient.Create("binance", _http, _server.BaseUrl, new BinanceOptions { MaxRetries = 0 }, _time);

    private List<RecordedRequest> TickerRequests() => [.. _server.Requests.Where(r => r.Path.Contains("/ticker/", StringComparison.Ordinal))];

    /// <summary>What Binance's rolling 24 h window over <see cref="Source"/> gives at <see cref="Now"/>, computed independently.</summary>
    private static Ticker Expected(Symbol symbol, decimal bid, decimal ask)
    {
        var window = Source.Where(c => c.OpenTime >= Now - Day && c.OpenTime < Now).ToList();
        var open = window[0].Open;
        var last = window[^1].Close;
        return new Ticker(symbol, Now, last, bid, ask, window.Max(c => c.High), window.Min(c => c.Low), open,
            window.Sum(c => c.Volume), window.Sum(c => decimal.Round(c.Volume * c.Close, 8, MidpointRounding.AwayFromZero)),
            last - open, decimal.Round((last - open) / open * 100m, 3, MidpointRounding.AwayFromZero));
    }

    [Fact]
    public async Task GetTickersAsync_ChosenSpotSymbols_OneSymbolsRequestMappedToUnifiedSymbols()
    {
        using var client = Client();

        var tickers = await client.GetTickersAsync(MarketType.Spot, [Symbol.Parse("BTC/USDT"), Symbol.Parse("ETH/BTC"), Symbol.Parse("BTC/USDT")]);

        tickers.Select(t => t.Symbol.ToString()).ShouldBe(["BTC/USDT", "ETH/BTC"]);
        tickers[0].ShouldBe(Expected(Symbol.Parse("BTC/USDT"), 21990.01m, 21990.02m));
        (tickers[1].Bid, tickers[1].Ask).ShouldBe((null, null)); // no data: Binance answers zeros, an empty book side is null
        var request = TickerRequests().ShouldHaveSingleItem();
        request.Path.ShouldBe("/api/v3/ticker/24hr");
        HttpUtility.ParseQueryString(request.Query)["symbols"].ShouldBe("[\"BTCUSDT\",\"ETHBTC\"]");
        request.Weight.ShouldBe(2);
    }

    [Fact]
    public async Task GetTickersAsync_AllSpot_OneRequestOfWeight80SkippingUnlistedIds()
    {
        _server.AddSeries("NOTLISTEDUSDT", FakeMarket.Spot, Source.Take(10).ToList()); // served by the fake, absent from exchangeInfo
        using var client = Client();

        var tickers = await client.GetTickersAsync(MarketType.Spot);

        var markets = await client.GetMarketsAsync(MarketType.Spot);
        tickers.Select(t => t.Symbol).ShouldBe(markets.Select(m => m.Symbol), ignoreOrder: true);
        tickers.Single(t => t.Symbol == Symbol.Parse("BTC/USDT")).ShouldBe(Expected(Symbol.Parse("BTC/USDT"), 21990.01m, 21990.02m));
        TickerRequests().ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            r => r.Query.ShouldBeEmpty(),
            r => r.Weight.ShouldBe(80));
        client.SpotLimiter!.Used.ShouldBe(20 + 80);
    }

    [Fact]
    public async Task GetTickersAsync_25SpotSymbols_TwoBatchesOfWeight2InAskedOrder()
    {
        using var client = Client();
        var wanted = (await client.GetMarketsAsync(MarketType.Spot)).Take(25).Select(m => m.Symbol).Reverse().ToList();

        var tickers = await client.GetTickersAsync(MarketType.Spot, wanted);

        tickers.Select(t => t.Symbol).ShouldBe(wanted);
        TickerRequests().Select(r => r.Weight).ShouldBe([2, 2]);
    }

    [Fact]
    public async Task GetTickersAsync_ChosenSwap_Fetches24hrAndBookTickerPerSymbol()
    {
        using var client = Client();

        var tickers = await client.GetTickersAsync(MarketType.Swap, [Symbol.Parse("BTC/USDT:USDT")]);

        tickers.ShouldHaveSingleItem().ShouldBe(Expected(Symbol.Parse("BTC/USDT:USDT"), 21989.9m, 21990.1m));
        TickerRequests().Select(r => (r.Path, r.Query, r.Weight)).ShouldBe(
            [("/fapi/v1/ticker/24hr", "symbol=BTCUSDT", 1), ("/fapi/v1/ticker/bookTicker", "symbol=BTCUSDT", 2)]);
    }

    [Fact]
    public async Task GetTickersAsync_AllSwaps_TwoAllSymbolRequestsKeepingOnlySwaps()
    {
        using var client = Client();

        var tickers = await client.GetTickersAsync(MarketType.Swap);

        var swaps = await client.GetMarketsAsync(MarketType.Swap);
        tickers.Select(t => t.Symbol).ShouldBe(swaps.Select(m => m.Symbol), ignoreOrder: true);
        tickers.Single(t => t.Symbol == Symbol.Parse("BTC/USDT:USDT")).ShouldBe(Expected(Symbol.Parse("BTC/USDT:USDT"), 21989.9m, 21990.1m));
        TickerRequests().Select(r => (r.Path, r.Weight)).ShouldBe([("/fapi/v1/ticker/24hr", 40), ("/fapi/v1/ticker/bookTicker", 5)]);
        client.FuturesLimiter!.Used.ShouldBe(1 + 40 + 5);
    }

    [Fact]
    public async Task GetTickersAsync_AllDatedFutures_OnlyTheFutures()
    {
        using var client = Client();

        var tickers = await client.GetTickersAsync(MarketType.Future);

        tickers.Select(t => t.Symbol.ToString()).ShouldBe(["BTC/USDT:USDT-210924", "ETH/USDT:USDT-210924"], ignoreOrder: true);
    }

    [Fact]
    public async Task GetTickersAsync_UnknownSymbol_ThrowsBeforeAnyTickerRequest()
    {
        using var client = Client();

        var ex = await Should.ThrowAsync<UnknownSymbolException>(() => client.GetTickersAsync(MarketType.Spot, [Symbol.Parse("BTC/USDTX")]));

        ex.Suggestions.ShouldContain("BTC/USDT");
        TickerRequests().ShouldBeEmpty();
    }

    [Fact]
    public async Task GetTickersAsync_EmptyChoice_ReturnsEmptyWithoutTickerRequests()
    {
        using var client = Client();

        (await client.GetTickersAsync(MarketType.Spot, [])).ShouldBeEmpty();

        TickerRequests().ShouldBeEmpty();
    }
}
