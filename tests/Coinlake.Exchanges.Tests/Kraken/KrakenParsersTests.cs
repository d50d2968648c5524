using System.Text;
using Coinlake.Candles;
using Coinlake.Exchanges.Kraken.Rest;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Kraken;

public sealed class KrakenParsersTests
{
    private static readonly Uri Url = new("https://api.kraken.com/0/public/OHLC?pair=XXBTZUSD");

    [Fact]
    public void OhlcParse_DocumentedAnswer_ExactDecimalsAndCursor()
    {
        var body = """{"error":[],"result":{"XXBTZUSD":[[1688671200,"30306.1","30306.2","30305.7","30305.7","30306.1","3.39243896",23],[1688671260,"30304.5","30304.5","30300.0","30300.0","30300.0","4.42996871",18]],"last":1688672160}}"""u8;

        var answer = KrakenOhlcParser.Parse(body, Url, "kraken");

        answer.FirstError.ShouldBeNull();
        answer.Result!.Last.ShouldBe(1688672160);
        answer.Result.Rows.ShouldBe([
            new Candle(1688671200000, 30306.1m, 30306.2m, 30305.7m, 30305.7m, 3.39243896m, null, 23),
            new Candle(1688671260000, 30304.5m, 30304.5m, 30300.0m, 30300.0m, 4.42996871m, null, 18),
        ]);
        answer.Result.Rows[1].Close.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("30300.0"); // scale kept
    }

    [Fact]
    public void OhlcParse_ErrorEnvelope_ReturnsTheErrorsWithoutResult()
    {
        var answer = KrakenOhlcParser.Parse("""{"error":["EQuery:Unknown asset pair"]}"""u8, Url, "kraken");

        answer.FirstError.ShouldBe("EQuery:Unknown asset pair");
        answer.Result.ShouldBeNull();
    }

    [Fact]
    public void OhlcParse_WarningOnly_IsNotAnError()
    {
        var answer = KrakenOhlcParser.Parse("""{"error":["WGeneral:Deprecated"],"result":{"X":[],"last":0}}"""u8, Url, "kraken");

        answer.FirstError.ShouldBeNull();
        answer.Result!.Rows.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{"error":[],"result":{"X":[[1688671200,"1","1","1","1","1","1"]]}}""", "7 fields")]
    [InlineData("""{"error":[],"result":{"X":[[1688671200,"1","x","1","1","1","1",1]]}}""", "high is not a decimal")]
    [InlineData("""{"error":[],"result":{"X":[[1688671200,"1","1","1""", "truncated")]
    [InlineData("""<html>502</html>""", "invalid JSON")]
    [InlineData("""{"result":{}}""", "")]
    public void OhlcParse_BadBody_ThrowsMalformedNamingTheProblem(string body, string expected)
    {
        var parse = () => KrakenOhlcParser.Parse(Encoding.UTF8.GetBytes(body), Url, "kraken");

        if (expected.Length == 0)
        {
            parse().Result!.Rows.ShouldBeEmpty(); // an empty result is a valid (empty) answer
            return;
        }

        var ex = Should.Throw<MalformedResponseException>(() => parse());
        ex.Message.ShouldContain(expected);
        ex.Url.ShouldBe(Url);
    }

    [Fact]
    public void TradesParse_DocumentedAnswer_ExactValuesNanosecondsAndIds()
    {
        var body = """{"error":[],"result":{"XXBTZUSD":[["30243.40000","0.34507674",1688669597.8277369,"b","m","",61044952],["30243.30000","0.00376960",1688669598.2804112,"s","l","",61044953]],"last":"1688671969993150842"}}"""u8;

        var answer = KrakenTradesParser.Parse(body, Url, "kraken");

        var page = answer.Result!;
        page.Last.ShouldBe(1688671969993150842);
        page.Trades.ShouldBe([
            new Trade("61044952", 1688669597827, 30243.4m, 0.34507674m, TradeSide.Buy),
            new Trade("61044953", 1688669598280, 30243.3m, 0.0037696m, TradeSide.Sell),
        ]);
        page.TimesNs.ShouldBe([1688669597827736900, 1688669598280411200]);
    }

    [Fact]
    public void TradesParse_RowWithoutTradeId_ThrowsMalformed()
    {
        var ex = Should.Throw<MalformedResponseException>(() =>
            KrakenTradesParser.Parse("""{"error":[],"result":{"X":[["1","1",1688669597.1,"b","m",""]],"last":"1"}}"""u8, Url, "kraken"));

        ex.Message.ShouldContain("trade_id");
    }
}
