using Coinlake.Exchanges.Binance;
using Coinlake.Markets;

namespace Coinlake.Exchanges.Tests;

public sealed class ExchangeRegistryTests
{
    [Fact]
    public void KnownExchanges_ListsEveryConnector() =>
        ExchangeRegistry.KnownExchanges.ShouldBe(["binance", "binanceus", "binanceusdm", "kucoin", "coinbase", "bybit", "okx", "kraken"]);

    [Theory]
    [InlineData("KuCoin", typeof(Coinlake.Exchanges.Kucoin.KucoinClient))]
    [InlineData("coinbase", typeof(Coinlake.Exchanges.Coinbase.CoinbaseClient))]
    [InlineData("bybit", typeof(Coinlake.Exchanges.Bybit.BybitClient))]
    [InlineData("OKX", typeof(Coinlake.Exchanges.Okx.OkxClient))]
    [InlineData("kraken", typeof(Coinlake.Exchanges.Kraken.KrakenClient))]
    public void Create_OtherExchanges_ReturnTheirClientWithTradesAndTickers(string id, Type type)
    {
        using var registry = new ExchangeRegistry();

        using var client = (IDisposable)registry.Create(id, new Uri("http://127.0.0.1:9"), TimeProvider.System);

        client.ShouldBeOfType(type);
        client.ShouldBeAssignableTo<ITradeHistoryClient>();
        client.ShouldBeAssignableTo<ITickerClient>();
    }

    [Theory]
    [InlineData("binance", true)]
    [InlineData(" BinanceUS ", true)]
    [InlineData("okx", true)]
    [InlineData("ftx", false)]
    [InlineData(null, false)]
    public void IsKnown_Id_CaseInsensitive(string? id, bool known) => ExchangeRegistry.IsKnown(id).ShouldBe(known);

    [Fact]
    public void Create_UnknownId_ThrowsNamingClosest()
    {
        using var registry = new ExchangeRegistry();

        var ex = Should.Throw<ArgumentException>(() => registry.Create("binanse", null, TimeProvider.System));

        ex.Message.ShouldContain("'binanse'");
        ex.Message.ShouldContain("Closest known: binance");
        ex.ParamName.ShouldBe("exchangeId");
    }

    [Theory]
    [InlineData("binance", true, true)]
    [InlineData("binanceus", true, false)]
    [InlineData("binanceusdm", false, true)]
    public void Create_KnownId_ReturnsBinanceClientServingItsMarkets(string id, bool spot, bool futures)
    {
        using var registry = new ExchangeRegistry();

        var client = registry.Create(id, null, TimeProvider.System);

        using var binance = client.ShouldBeOfType<BinanceClient>();
        binance.Exchange.ShouldBe(id);
        binance.Supports(MarketType.Spot, PriceType.Last).ShouldBe(spot);
        binance.Supports(MarketType.Swap, PriceType.Last).ShouldBe(futures);
        client.ShouldBeAssignableTo<IMarketCatalog>();
    }
}
