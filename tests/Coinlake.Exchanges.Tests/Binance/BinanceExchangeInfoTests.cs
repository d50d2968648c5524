using System.Text;
using Coinlake.Exchanges.Binance;
using Coinlake.Markets;
using Coinlake.Testing;

namespace Coinlake.Exchanges.Tests.Binance;

public sealed class BinanceExchangeInfoTests
{
    private static readonly Uri Url = new("https://api.binance.com/api/v3/exchangeInfo");

    private static (IReadOnlyList<MarketInfo> Markets, int? Limit) Load(string file, string path, bool futures) =>
        BinanceExchangeInfo.Parse(Encoding.UTF8.GetBytes(TestData.CapturePayload(file, path)), Url, "binance", futures);

    [Fact]
    public void Parse_SpotCapture_MapsEveryIdToBaseSlashQuote()
    {
        var (markets, limit) = Load("BINANCE.0", "/api/v3/exchangeInfo", futures: false);

        markets.Count.ShouldBe(1695);
        markets.ShouldAllBe(m => m.Type == MarketType.Spot && m.Subtype == MarketSubtype.None && m.Id == m.Symbol.Base + m.Symbol.Quote);
        markets.Single(m => m.Id == "BTCUSDT").ShouldBe(new MarketInfo(Symbol.Parse("BTC/USDT"), "BTCUSDT", MarketType.Spot, MarketSubtype.None, true));
        markets.Count(m => m.Active).ShouldBe(1262); // status TRADING; the other 433 are BREAK
        limit.ShouldBe(1200); // REQUEST_WEIGHT per 1 MINUTE in 2021
    }

    [Fact]
    public void Parse_FuturesCapture_MapsPerpetualsAndDatedContracts()
    {
        var (markets, limit) = Load("BINANCE_FUTURES.0", "/fapi/v1/exchangeInfo", futures: true);

        markets.Count.ShouldBe(122);
        markets.Single(m => m.Id == "BTCUSDT")
            .ShouldBe(new MarketInfo(Symbol.Parse("BTC/USDT:USDT"), "BTCUSDT", MarketType.Swap, MarketSubtype.Linear, true));
        markets.Single(m => m.Id == "BTCUSDT_210924")
            .ShouldBe(new MarketInfo(Symbol.Parse("BTC/USDT:USDT-210924"), "BTCUSDT_210924", MarketType.Future, MarketSubtype.Linear, true));
        markets.Single(m => m.Id == "BTCBUSD").Symbol.ShouldBe(Symbol.Parse("BTC/BUSD:BUSD"));
        limit.ShouldBe(2400);
    }

    [Fact]
    public void Parse_FuturesWithoutContractTypeButPerpetualDelivery_IsInactiveSwap()
    {
        // BTCSTUSDT was PENDING_TRADING with contractType "" and deliveryDate 2100-12-25, Binance's perpetual marker.
        var (markets, _) = Load("BINANCE_FUTURES.0", "/fapi/v1/exchangeInfo", futures: true);

        markets.Single(m => m.Id == "BTCSTUSDT")
            .ShouldBe(new MarketInfo(Symbol.Parse("BTCST/USDT:USDT"), "BTCSTUSDT", MarketType.Swap, MarketSubtype.Linear, false));
    }

    [Fact]
    public void Parse_BinanceUsCapture_MapsUsdMarkets()
    {
        var (markets, _) = Load("BINANCE_US.0", "/api/v3/exchangeInfo", futures: false);

        markets.Count.ShouldBe(121);
        markets.Single(m => m.Id == "BTCUSD").Symbol.ShouldBe(Symbol.Parse("BTC/USD"));
        markets.Count(m => !m.Active).ShouldBe(4);
    }

    [Fact]
    public void Parse_NotAnExchangeInfo_ThrowsMalformedWithUrl()
    {
        var ex = Should.Throw<MalformedResponseException>(() => BinanceExchangeInfo.Parse("{\"timezone\":\"UTC\"}"u8, Url, "binance", false));

        ex.Message.ShouldContain("symbols");
        ex.Url.ShouldBe(Url);
    }

    [Fact]
    public void Parse_TruncatedJson_ThrowsMalformed() =>
        Should.Throw<MalformedResponseException>(() => BinanceExchangeInfo.Parse("{\"symbols\":[{\"symbol\":"u8, Url, "binance", false));
}
