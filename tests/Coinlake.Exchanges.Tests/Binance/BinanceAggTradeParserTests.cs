using System.Text;
using Coinlake.Exchanges.Binance;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Binance;

public sealed class BinanceAggTradeParserTests
{
    private static readonly Uri Url = new("https://api.binance.com/api/v3/aggTrades?symbol=XRPETH");

    private static AggTradeBatch Parse(string json) => BinanceAggTradeParser.Parse(Encoding.UTF8.GetBytes(json), Url, "binance");

    [Fact]
    public void Parse_DocumentedSpotExample_MapsIdTimePriceAmountAndSide()
    {
        // "Compressed/Aggregate trades list" response example (spot, with "M").
        var batch = Parse("""[{"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27781,"T":1498793709153,"m":true,"M":true}]""");

        batch.Trades.ShouldHaveSingleItem().ShouldBe(new Trade("26129", 1498793709153, 0.01633102m, 4.70443515m, TradeSide.Sell));
        batch.FirstId.ShouldBe(26129);
        batch.LastId.ShouldBe(26129);
    }

    [Fact]
    public void Parse_BuyerNotMakerFuturesShape_IsTakerBuyWithExactDecimals()
    {
        var batch = Parse("""[{"a":416690,"p":"9642.4","q":"3","f":595259,"l":595259,"T":1591250548649,"m":false},{"a":416691,"p":"9642.40","q":"0.001","f":595260,"l":595261,"T":1591250548649,"m":true}]""");

        batch.Trades.Select(t => t.Side).ShouldBe([TradeSide.Buy, TradeSide.Sell]);
        batch.Trades[0].Price.ShouldBe(9642.4m);
        batch.Trades[1].Amount.ShouldBe(0.001m);
        (batch.FirstId, batch.LastId).ShouldBe((416690, 416691));
    }

    [Fact]
    public void Parse_EmptyArray_HasNoTrades()
    {
        var batch = Parse("[]");

        batch.Count.ShouldBe(0);
    }

    [Fact]
    public void Parse_MissingField_ThrowsNamingIt()
    {
        var ex = Should.Throw<MalformedResponseException>(() => Parse("""[{"a":1,"p":"1.0","T":5,"m":true}]"""));

        ex.Message.ShouldContain("lacks q");
        ex.Message.ShouldContain("aggregate trade #1");
    }

    [Fact]
    public void Parse_IdsNotAscending_Throws()
    {
        var ex = Should.Throw<MalformedResponseException>(() =>
            Parse("""[{"a":2,"p":"1","q":"1","T":5,"m":true},{"a":2,"p":"1","q":"1","T":5,"m":true}]"""));

        ex.Message.ShouldContain("ascending");
    }

    [Fact]
    public void Parse_TimeGoesBackwards_Throws()
    {
        var ex = Should.Throw<MalformedResponseException>(() =>
            Parse("""[{"a":1,"p":"1","q":"1","T":6,"m":true},{"a":2,"p":"1","q":"1","T":5,"m":true}]"""));

        ex.Message.ShouldContain("older");
    }

    [Fact]
    public void Parse_PriceNotADecimal_ThrowsNamingTheField()
    {
        var ex = Should.Throw<MalformedResponseException>(() => Parse("""[{"a":1,"p":"abc","q":"1","T":5,"m":true}]"""));

        ex.Message.ShouldContain("price 'p'");
    }

    [Fact]
    public void Parse_Truncated_SaysTruncated()
    {
        var ex = Should.Throw<MalformedResponseException>(() => Parse("""[{"a":1,"p":"1","q":"1","T":5,"m":tr"""));

        ex.Message.ShouldContain("truncated");
    }

    [Fact]
    public void Parse_ErrorObjectInsteadOfArray_Throws()
    {
        var ex = Should.Throw<MalformedResponseException>(() => Parse("""{"code":-1121,"msg":"Invalid symbol."}"""));

        ex.Message.ShouldContain("expected a JSON array");
    }
}
