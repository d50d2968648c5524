using System.Text;
using Coinlake.Exchanges.Binance;

namespace Coinlake.Exchanges.Tests.Binance;

public sealed class BinanceTickerParserTests
{
    private static readonly Uri Url = new("https://api.binance.com/api/v3/ticker/24hr");

    // "24hr ticker price change statistics" response example (FULL).
    private const string SpotExample = """
        {"symbol":"BNBBTC","priceChange":"-94.99999800","priceChangePercent":"-95.960","weightedAvgPrice":"0.29628482",
         "prevClosePrice":"0.10002000","lastPrice":"4.00000200","lastQty":"200.00000000","bidPrice":"4.00000000",
         "bidQty":"100.00000000","askPrice":"4.00000200","askQty":"100.00000000","openPrice":"99.00000000",
         "highPrice":"100.00000000","lowPrice":"0.10000000","volume":"8913.30000000","quoteVolume":"15.30000000",
         "openTime":1499783499040,"closeTime":1499869899040,"firstId":28385,"lastId":28460,"count":76}
        """;

    private static List<RawTicker> Parse(string json) => BinanceTickerParser.Parse(Encoding.UTF8.GetBytes(json), Url, "binance");

    [Fact]
    public void Parse_DocumentedObject_ReadsEveryMappedField()
    {
        var t = Parse(SpotExample).ShouldHaveSingleItem();

        t.Symbol.ShouldBe("BNBBTC");
        (t.LastPrice, t.BidPrice, t.AskPrice).ShouldBe((4.00000200m, 4.00000000m, 4.00000200m));
        (t.OpenPrice, t.HighPrice, t.LowPrice).ShouldBe((99m, 100m, 0.1m));
        (t.Volume, t.QuoteVolume).ShouldBe((8913.3m, 15.3m));
        (t.PriceChange, t.PriceChangePercent).ShouldBe((-94.999998m, -95.960m));
        t.CloseTime.ShouldBe(1499869899040);
    }

    [Fact]
    public void Parse_ArrayOfTickersAndBookTickers_ReadsAll()
    {
        var list = Parse("""[ """ + SpotExample + """, {"symbol":"BTCUSDT","bidPrice":"4.00000000","bidQty":"431.00000000","askPrice":"4.00000200","askQty":"9.00000000","time":1589437530011}]""");

        list.Count.ShouldBe(2);
        list[1].Symbol.ShouldBe("BTCUSDT");
        list[1].Time.ShouldBe(1589437530011);
        list[1].LastPrice.ShouldBeNull();
    }

    [Fact]
    public void Parse_TickerWithoutSymbol_Throws()
    {
        var ex = Should.Throw<MalformedResponseException>(() => Parse("""[{"lastPrice":"1.0"}]"""));

        ex.Message.ShouldContain("no 'symbol'");
    }

    [Fact]
    public void Parse_BadDecimal_ThrowsNamingTheField()
    {
        var ex = Should.Throw<MalformedResponseException>(() => Parse("""{"symbol":"X","highPrice":"1,5"}"""));

        ex.Message.ShouldContain("'highPrice'");
    }

    [Fact]
    public void Parse_NotJsonTickers_Throws()
    {
        Should.Throw<MalformedResponseException>(() => Parse("42"));
        Should.Throw<MalformedResponseException>(() => Parse("[{\"symbol\":\"X\""));
    }
}
