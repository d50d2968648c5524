using System.Text;
using Coinlake.Candles;
using Coinlake.Exchanges.Bybit.Rest;
using Coinlake.Markets;
using Coinlake.Tickers;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Bybit;

/// <summary>The v5 parsers, on answers shaped as Bybit's documentation records them ("Response Example" sections).</summary>
public sealed class BybitParsersTests
{
    private static readonly Uri Url = new("https://api.bybit.com/v5/market/kline");

    // "Get Kline" response example (inverse BTCUSD, 60).
    private const string InverseKlines = """
        {"retCode":0,"retMsg":"OK","result":{"symbol":"BTCUSD","category":"inverse","list":[
        ["1670608800000","17071","17073","17027","17055.5","268611","15.74462667"],
        ["1670605200000","17071.5","17071.5","17061","17071","4177","0.24469757"],
        ["1670601600000","17086.5","17088","16978","17071.5","6356","0.37288112"]]},"retExtInfo":{},"time":1672025956592}
        """;

    // "Get Tickers" response examples (spot, inverse).
    private const string SpotTickers = """
        {"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"BTCUSDT","bid1Price":"20517.96","bid1Size":"2",
        "ask1Price":"20527.77","ask1Size":"1.862172","lastPrice":"20533.13","prevPrice24h":"20393.48","price24hPcnt":"0.0068",
        "highPrice24h":"21128.12","lowPrice24h":"20318.89","turnover24h":"243765620.65899866","volume24h":"11801.27771",
        "usdIndexPrice":"20784.12009279"}]},"retExtInfo":{},"time":1673859087947}
        """;

    private const string InverseTickers = """
        {"retCode":0,"retMsg":"OK","result":{"category":"inverse","list":[{"symbol":"BTCUSD","lastPrice":"120635.50","indexPrice":"114890.92",
        "markPrice":"114898.43","prevPrice24h":"105595.90","price24hPcnt":"0.142425","highPrice24h":"131309.30","lowPrice24h":"102007.60",
        "prevPrice1h":"119806.10","openInterest":"240113967","openInterestValue":"2089.79","turnover24h":"115.6907","volume24h":"13713832.0000",
        "fundingRate":"0.0001","nextFundingTime":"1760371200000","predictedDeliveryPrice":"","basisRate":"","deliveryFeeRate":"","deliveryTime":"0",
        "ask1Size":"9854","bid1Price":"103401.00","ask1Price":"109152.80","bid1Size":"1063","basis":"","preOpenPrice":"","preQty":"",
        "curPreListingPhase":"","fundingIntervalHour":"8","basisRateYear":"","fundingCap":"0.005"}]},"retExtInfo":{},"time":1760352369814}
        """;

    // "Get Recent Public Trades" response example.
    private const string Trades = """
        {"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"execId":"2100000000007764263","symbol":"BTCUSDT","price":"16618.49",
        "size":"0.00012","side":"Buy","time":"1672052955758","isBlockTrade":false,"isRPITrade":true,"seq":"123456"}]},"retExtInfo":{},"time":1672053054358}
        """;

    private static BybitAnswer<T> Parse<T>(string json, ResultReader<T> read) => BybitEnvelope.Parse(Encoding.UTF8.GetBytes(json), Url, "bybit", read);

    private static BybitAnswer<List<Candle>> Klines(string json, BybitKlineShape shape) =>
        Parse(json, (ref reader, url) => BybitKlineParser.ReadResult(ref reader, url, "bybit", shape));

    [Fact]
    public void KlineParser_DocumentedInverseExample_AscendingWithBaseVolumeFromTurnover()
    {
        var answer = Klines(InverseKlines, BybitKlineShape.Inverse);

        answer.RetCode.ShouldBe(0);
        answer.Time.ShouldBe(1672025956592);
        answer.Result!.ShouldBe([
            new Candle(1670601600000, 17086.5m, 17088m, 16978m, 17071.5m, 0.37288112m, 6356m),
            new Candle(1670605200000, 17071.5m, 17071.5m, 17061m, 17071m, 0.24469757m, 4177m),
            new Candle(1670608800000, 17071m, 17073m, 17027m, 17055.5m, 15.74462667m, 268611m),
        ]);
    }

    [Fact]
    public void KlineParser_LinearAndPriceOnlyShapes_MapVolumeOrNone()
    {
        Klines(InverseKlines, BybitKlineShape.Linear).Result![0].ShouldBe(new Candle(1670601600000, 17086.5m, 17088m, 16978m, 17071.5m, 6356m, 0.37288112m));
        var mark = """{"retCode":0,"retMsg":"OK","result":{"symbol":"BTCUSDT","category":"linear","list":[["1670608800000","17164.16","17164.16","17121.5","17131.64"]]},"time":1}""";
        Klines(mark, BybitKlineShape.PriceOnly).Result!.ShouldHaveSingleItem().ShouldBe(new Candle(1670608800000, 17164.16m, 17164.16m, 17121.5m, 17131.64m, 0));
    }

    [Fact]
    public void KlineParser_RowRepeatedInPage_KeptOnce()
    {
        var json = """{"retCode":0,"result":{"list":[["120000","1","1","1","1"],["60000","2","2","2","2"],["60000","2","2","2","2"],["0","3","3","3","3"]]}}""";

        Klines(json, BybitKlineShape.PriceOnly).Result!.Select(c => c.OpenTime).ShouldBe([0L, 60000L, 120000L]);
    }

    [Theory]
    [InlineData("""{"retCode":0,"result":{"list":[["1","a","1","1","1"]]}}""", "open")]
    [InlineData("""{"retCode":0,"result":{"list":[["1","1","1","1"]]}}""", "4 fields")]
    [InlineData("""{"retCode":0,"result":{"category":"spot"}}""", "no 'list'")]
    [InlineData("""{"retCode":0,"result":{"list":[["1","1",""", "truncated")]
    [InlineData("""[]""", "envelope")]
    [InlineData("""{"retMsg":"OK","result":{"list":[]}}""", "no retCode")]
    [InlineData("""{"retCode":0,"result":{"list":[["60000","1","1","1","1"],["60000","2","2","2","2"]]}}""", "two different klines")]
    public void KlineParser_MalformedAnswers_SayWhatAndWhere(string json, string expected)
    {
        var ex = Should.Throw<MalformedResponseException>(() => Klines(json, BybitKlineShape.PriceOnly));

        ex.Message.ShouldContain(expected);
        ex.Url.ShouldBe(Url);
    }

    [Fact]
    public void Envelope_ErrorAnswer_SkipsResultAndKeepsCode()
    {
        var answer = Klines("""{"retCode":10001,"retMsg":"Not supported symbols","result":{},"retExtInfo":{},"time":5}""", BybitKlineShape.Linear);

        answer.RetCode.ShouldBe(10001);
        answer.RetMsg.ShouldBe("Not supported symbols");
        answer.Result.ShouldBeNull();
    }

    [Fact]
    public void ReadTickers_DocumentedExamples_MapEveryField()
    {
        var spot = Parse(SpotTickers, (ref reader, url) => BybitMarketData.ReadTickers(ref reader, url, "bybit", inverse: false, 7, _ => Symbol.Parse("BTC/USDT")));
        var inverse = Parse(InverseTickers, (ref reader, url) => BybitMarketData.ReadTickers(ref reader, url, "bybit", inverse: true, 7, _ => Symbol.Parse("BTC/USD:BTC")));

        spot.Result!.ShouldHaveSingleItem().ShouldBe(new Ticker(Symbol.Parse("BTC/USDT"), 7, 20533.13m, 20517.96m, 20527.77m, 21128.12m, 20318.89m,
            20393.48m, 11801.27771m, 243765620.65899866m, 20533.13m - 20393.48m, 0.68m));
        var t = inverse.Result!.ShouldHaveSingleItem();
        (t.BaseVolume, t.QuoteVolume).ShouldBe((115.6907m, 13713832.0000m)); // inverse: turnover24h is BTC, volume24h USD
        t.ChangePercent.ShouldBe(14.2425m);
        (t.Bid, t.Ask).ShouldBe((103401.00m, 109152.80m));
    }

    [Fact]
    public void ReadTickers_UnknownIds_AreSkippedAndEmptyValuesNull()
    {
        var json = """{"retCode":0,"result":{"category":"linear","list":[{"symbol":"A","lastPrice":"1","bid1Price":""},{"symbol":"B","lastPrice":"2"}]}}""";

        var tickers = Parse(json, (ref reader, url) => BybitMarketData.ReadTickers(ref reader, url, "bybit", false, 0, id => id == "A" ? Symbol.Parse("A/USDT:USDT") : null)).Result!;

        var a = tickers.ShouldHaveSingleItem();
        a.Last.ShouldBe(1m);
        a.Bid.ShouldBeNull();
        a.Change.ShouldBeNull();
    }

    [Fact]
    public void ReadTrades_DocumentedExample_Parsed()
    {
        var answer = Parse(Trades, (ref reader, url) => BybitMarketData.ReadTrades(ref reader, url, "bybit"));

        answer.Result!.ShouldHaveSingleItem().ShouldBe(new Trade("2100000000007764263", 1672052955758, 16618.49m, 0.00012m, TradeSide.Buy));
    }

    [Theory]
    [InlineData(200, 10016, true)]
    [InlineData(200, 10000, true)]
    [InlineData(200, 10006, true)]
    [InlineData(403, null, true)]
    [InlineData(429, null, true)]
    [InlineData(502, null, true)]
    [InlineData(200, 10001, false)]
    [InlineData(200, 10029, false)]
    [InlineData(404, null, false)]
    public void BybitErrors_IsTransient_FollowsTheErrorCodes(int status, int? code, bool transient) =>
        Exchanges.Bybit.Rest.BybitErrors.IsTransient(status, code).ShouldBe(transient);
}
