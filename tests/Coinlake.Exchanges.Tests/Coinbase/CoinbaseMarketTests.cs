using System.Text.Json;
using Coinlake.Exchanges.Coinbase;
using Coinlake.Markets;
using Coinlake.Testing.Coinbase;
using static Coinlake.Exchanges.Tests.Coinbase.CoinbaseFixture;

namespace Coinlake.Exchanges.Tests.Coinbase;

public sealed class CoinbaseMarketTests : IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetMarketsAsync_EveryRecordedProduct_RoundTripsSymbolAndId(bool recordedSchema)
    {
        var options = ServerOptions();
        options.ServeRecordedProducts = recordedSchema;
        await using var server = await FakeCoinbaseServer.StartAsync(options);
        using var client = Client(server, _http);
        using var doc = JsonDocument.Parse(CoinbaseTestData.RecordedProducts());
        var recorded = doc.RootElement.EnumerateArray()
            .Select(p => (Id: p.GetProperty("id").GetString()!, Base: p.GetProperty("base_currency").GetString()!, Quote: p.GetProperty("quote_currency").GetString()!))
            .ToList();

        var markets = await client.GetMarketsAsync(MarketType.Spot);

        markets.Count.ShouldBe(162);
        recorded.Count.ShouldBe(162);
        foreach (var (id, baseCode, quote) in recorded)
        {
            var symbol = new Symbol(baseCode, quote);
            var market = await client.GetMarketAsync(Symbol.Parse(symbol.ToString()), MarketType.Spot);
            market.Id.ShouldBe(id);
            market.Type.ShouldBe(MarketType.Spot);
            market.Subtype.ShouldBe(MarketSubtype.None);
            market.Active.ShouldBeTrue();
            (await client.FindByIdAsync(id))!.Symbol.ShouldBe(symbol);
        }

        server.CountRequests("/products").ShouldBe(1);
    }

    [Fact]
    public async Task GetMarketAsync_UnknownSymbol_ThrowsWithClosestSymbols()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        using var client = Client(server, _http);

        var ex = await Should.ThrowAsync<UnknownSymbolException>(() => client.GetMarketAsync(Symbol.Parse("BTC/USDX"), MarketType.Spot));

        ex.Suggestions.ShouldContain("BTC/USD");
        ex.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public async Task GetMarketAsync_InverseOrLinearSwapSyntaxAsSpot_IsUnknownWithSpotSuggestion()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        using var client = Client(server, _http);

        var ex = await Should.ThrowAsync<UnknownSymbolException>(() => client.GetMarketAsync(Symbol.Parse("BTC/USD:BTC"), MarketType.Spot));

        ex.Suggestions.ShouldContain("BTC/USD");
    }

    [Theory]
    [InlineData("BTC/USDT:USDT", MarketType.Swap)]
    [InlineData("BTC/USD:BTC", MarketType.Swap)]
    [InlineData("BTC/USDT:USDT-240329", MarketType.Future)]
    public async Task GetMarketAsync_Derivatives_NotSupportedAndListsAreEmpty(string symbol, MarketType type)
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        using var client = Client(server, _http);

        await Should.ThrowAsync<NotSupportedException>(() => client.GetMarketAsync(Symbol.Parse(symbol), type));
        (await client.GetMarketsAsync(type)).ShouldBeEmpty();
    }

    [Fact]
    public async Task GetMarketsAsync_RegisteredProduct_IsListedAndMapped()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        server.AddTrades("XRP-ETH", CoinbaseTestData.FreqtradeXrpEthTrades().Take(3));
        using var client = Client(server, _http);

        (await client.GetMarketAsync(Symbol.Parse("XRP/ETH"), MarketType.Spot)).Id.ShouldBe("XRP-ETH");
    }

    [Fact]
    public void Create_UnknownId_ThrowsNamingCoinbase()
    {
        var ex = Should.Throw<ArgumentException>(() => CoinbaseClient.Create("coinbasepro", new HttpClient()));

        ex.Message.ShouldContain("coinbase");
        CoinbaseClient.ExchangeIds.ShouldBe(["coinbase"]);
    }

    [Fact]
    public void Validate_BadOptions_NameTheSetting()
    {
        Should.Throw<ArgumentException>(() => new CoinbaseOptions { RequestsPerSecond = 0 }.Validate()).ParamName.ShouldBe("RequestsPerSecond");
        Should.Throw<ArgumentException>(() => new CoinbaseOptions { BaseUrl = new Uri("ftp://x") }.Validate()).ParamName.ShouldBe("BaseUrl");
        Should.Throw<ArgumentException>(() => new CoinbaseOptions { SettleDelay = TimeSpan.FromSeconds(-1) }.Validate()).ParamName.ShouldBe("SettleDelay");
        new CoinbaseOptions().BaseUrl.ShouldBe(new Uri("https://api.exchange.coinbase.com"));
    }

    [Theory]
    [InlineData("1m", "1m")]
    [InlineData("3m", "1m")]
    [InlineData("30m", "15m")]
    [InlineData("2h", "1h")]
    [InlineData("4h", "1h")]
    [InlineData("8h", "1h")]
    [InlineData("12h", "6h")]
    [InlineData("3d", "1d")]
    [InlineData("1w", "1d")]
    [InlineData("1M", "1d")]
    public void SourceOf_Timeframe_IsLargestDividingNativeGranularity(string timeframe, string expected)
    {
        CoinbaseGranularity.SourceOf(Time.Timeframe.Parse(timeframe)).ShouldBe(Time.Timeframe.Parse(expected));
        CoinbaseGranularity.IsNative(Time.Timeframe.Parse(timeframe)).ShouldBe(timeframe == expected);
    }
}
