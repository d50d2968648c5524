using System.Text.Json;
using Coinlake.Exchanges.Kraken;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Kraken;
using static Coinlake.Exchanges.Tests.Kraken.KrakenTestKit;

namespace Coinlake.Exchanges.Tests.Kraken;

/// <summary>Markets and symbol mapping from the recorded AssetPairs answer (captures/KRAKEN.0), served by the fake server.</summary>
public sealed class KrakenMarketsTests : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private FakeKrakenServer _server = null!;
    private KrakenClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKrakenServer.StartAsync(new FakeKrakenOptions { RateLimitBurst = 0 });
        _client = Client(_server, _http, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private static List<(string Key, string Altname, string? Wsname)> RecordedPairs()
    {
        using var doc = JsonDocument.Parse(TestData.CapturePayload("KRAKEN.0", "/0/public/AssetPairs"));
        return [.. doc.RootElement.GetProperty("result").EnumerateObject()
            .Select(p => (p.Name, p.Value.GetProperty("altname").GetString()!, p.Value.TryGetProperty("wsname", out var ws) ? ws.GetString() : null))];
    }

    [Fact]
    public async Task GetMarketsAsync_EveryRecordedPair_RoundTripsBetweenSymbolAndEveryKrakenName()
    {
        var markets = await _client.GetMarketsAsync(MarketType.Spot);
        var recorded = RecordedPairs();

        markets.Count.ShouldBe(recorded.Count(p => !p.Key.EndsWith(".d", StringComparison.Ordinal))); // 293: dark pools have no market data
        markets.Select(m => m.Symbol).Distinct().Count().ShouldBe(markets.Count);
        foreach (var market in markets)
        {
            (await _client.GetMarketAsync(market.Symbol, MarketType.Spot)).ShouldBe(market);
            (await _client.GetMarketAsync(Symbol.Parse(market.Symbol.ToString()), MarketType.Spot)).Id.ShouldBe(market.Id);
            market.Type.ShouldBe(MarketType.Spot);
            market.Active.ShouldBeTrue();
        }

        foreach (var (key, altname, wsname) in recorded.Where(p => !p.Key.EndsWith(".d", StringComparison.Ordinal)))
        {
            var byKey = await _client.GetMarketByIdAsync(key);
            byKey.Id.ShouldBe(key);
            (await _client.GetMarketByIdAsync(altname)).ShouldBe(byKey);
            (await _client.GetMarketByIdAsync(wsname!)).ShouldBe(byKey);
        }

        _server.CountRequests("/0/public/AssetPairs").ShouldBe(1);
    }

    [Theory]
    [InlineData("BTC/USD", "XXBTZUSD")]
    [InlineData("BTC/USDT", "XBTUSDT")]
    [InlineData("ETH/BTC", "XETHXXBT")]
    [InlineData("ETH/EUR", "XETHZEUR")]
    [InlineData("DOGE/BTC", "XXDGXXBT")]
    [InlineData("EUR/USD", "ZEURZUSD")]
    [InlineData("USDT/USD", "USDTZUSD")]
    [InlineData("XRP/ETH", "XRPETH")]
    [InlineData("XTZ/USD", "XTZUSD")]
    public async Task GetMarketAsync_UnifiedSymbol_MapsToKrakenPairKey(string symbol, string key) =>
        (await _client.GetMarketAsync(Symbol.Parse(symbol), MarketType.Spot)).Id.ShouldBe(key);

    [Theory]
    [InlineData("XXBT", "BTC")]
    [InlineData("XBT", "BTC")]
    [InlineData("ZUSD", "USD")]
    [InlineData("XXDG", "DOGE")]
    [InlineData("XDG", "DOGE")]
    [InlineData("XTZ", "XTZ")]
    [InlineData("ZRX", "ZRX")]
    [InlineData("ETH2.S", "ETH2.S")]
    [InlineData("USDT", "USDT")]
    public void UnifiedCurrency_KrakenCode_MapsToUnifiedCode(string code, string unified) =>
        KrakenSymbols.UnifiedCurrency(code).ShouldBe(unified);

    [Fact]
    public async Task GetMarketAsync_KrakenSpelling_ThrowsWithTheUnifiedSuggestion()
    {
        var ex = await Should.ThrowAsync<UnknownSymbolException>(() => _client.GetMarketAsync(Symbol.Parse("XBT/USD"), MarketType.Spot));

        ex.Suggestions.ShouldContain("BTC/USD");
        ex.IsTransient.ShouldBeFalse();
        ex.Message.ShouldContain("BTC/USD");
    }

    [Fact]
    public async Task GetMarketByIdAsync_DarkPoolPair_IsUnknown() =>
        (await Should.ThrowAsync<UnknownSymbolException>(() => _client.GetMarketByIdAsync("XXBTZUSD.d"))).Suggestions.ShouldContain("XXBTZUSD");

    [Fact]
    public async Task GetMarketsAsync_Derivatives_EmptyAndLookupNotSupported()
    {
        (await _client.GetMarketsAsync(MarketType.Swap)).ShouldBeEmpty();
        (await _client.GetMarketsAsync(MarketType.Future)).ShouldBeEmpty();
        var ex = await Should.ThrowAsync<NotSupportedException>(() => _client.GetMarketAsync(Symbol.Parse("BTC/USD:BTC"), MarketType.Swap));
        ex.Message.ShouldContain("Kraken Futures");
    }

    [Fact]
    public void Create_UnknownId_ThrowsNamingKraken()
    {
        var ex = Should.Throw<ArgumentException>(() => KrakenClient.Create("krakn", _http));
        ex.Message.ShouldContain("kraken");
        KrakenClient.ExchangeIds.ShouldBe(["kraken"]);
    }

    [Fact]
    public void Options_Invalid_ThrowWithTheSettingName()
    {
        Should.Throw<ArgumentException>(() => new KrakenClient(_http, new KrakenOptions { TradesPerPage = 1001 })).Message.ShouldContain("TradesPerPage");
        Should.Throw<ArgumentException>(() => new KrakenClient(_http, new KrakenOptions { PublicRequestInterval = TimeSpan.Zero })).Message.ShouldContain("PublicRequestInterval");
        Should.Throw<ArgumentException>(() => new KrakenClient(_http, new KrakenOptions { BaseUrl = new Uri("ftp://x") })).Message.ShouldContain("BaseUrl");
    }
}
