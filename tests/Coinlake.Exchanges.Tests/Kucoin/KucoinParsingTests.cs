using System.Text;
using Coinlake.Exchanges.Kucoin;
using Coinlake.Markets;
using Coinlake.Testing.Kucoin;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Kucoin;

/// <summary>Parsers of KuCoin answers, fed the documented response examples (docs-new "Market Data") and the recorded capture.</summary>
public sealed class KucoinParsingTests
{
    private static readonly Uri Url = new("https://api.kucoin.com/api/v1/market/candles?symbol=BTC-USDT&type=1min");
    private static readonly Timeframe OneMinute = Timeframe.OneMinute;

    // The "Get Klines" response example of the documentation.
    private const string KlinesExample =
        "{\"code\":\"200000\",\"data\":[[\"1566789720\",\"10411.5\",\"10401.9\",\"10411.5\",\"10396.3\",\"29.11357276\",\"302889.301529914\"]," +
        "[\"1566789660\",\"10416\",\"10411.5\",\"10422.3\",\"10411.5\",\"15.61781842\",\"162703.708997029\"]," +
        "[\"1566789600\",\"10408.6\",\"10416\",\"10416\",\"10405.4\",\"12.45584973\",\"129666.51508559\"]]}";

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void ParseCandles_DocumentedExample_MapsOpenCloseHighLowOrderAndKeepsNewestFirst()
    {
        var candles = KucoinCandleParser.Parse(Utf8(KlinesExample), Url, "kucoin", OneMinute);

        candles.Select(c => c.OpenTime).ShouldBe([1566789720000, 1566789660000, 1566789600000]);
        var second = candles[1];
        second.Open.ShouldBe(10416m);
        second.Close.ShouldBe(10411.5m); // field 2 is the close
        second.High.ShouldBe(10422.3m); // field 3 the high
        second.Low.ShouldBe(10411.5m); // field 4 the low
        second.Volume.ShouldBe(15.61781842m);
        second.QuoteVolume.ShouldBe(162703.708997029m);
        second.TradeCount.ShouldBeNull();
    }

    [Fact]
    public void ParseCandles_DataBeforeCode_StillParses()
    {
        var candles = KucoinCandleParser.Parse(Utf8("{\"data\":[[\"60\",\"1\",\"2\",\"3\",\"0.5\",\"1\",\"2\"]],\"code\":\"200000\"}"), Url, "kucoin", OneMinute);

        candles.Single().Close.ShouldBe(2m);
    }

    [Fact]
    public void ParseCandles_ErrorEnvelope_ThrowsWithCodeAndMessage()
    {
        var ex = Should.Throw<KucoinEnvelopeException>(() =>
            KucoinCandleParser.Parse(Utf8("{\"code\":\"400100\",\"msg\":\"This pair is not provided at present\"}"), Url, "kucoin", OneMinute));

        ex.Code.ShouldBe("400100");
        ex.ExchangeMessage.ShouldBe("This pair is not provided at present");
    }

    [Theory]
    [InlineData("{\"code\":\"200000\",\"data\":[[\"1566789720\",\"10411.5\"")]
    [InlineData("{\"code\":\"200000\",\"data\":[[\"1566789720\",\"10411.5\",\"x\",\"1\",\"1\",\"1\",\"1\"]]}")]
    [InlineData("{\"code\":\"200000\",\"data\":[[\"1566789720\",\"1\",\"1\"]]}")]
    [InlineData("{\"code\":\"200000\",\"data\":{}}")]
    [InlineData("{\"data\":[]}")]
    [InlineData("[]")]
    [InlineData("")]
    public void ParseCandles_MalformedBody_ThrowsMalformedWithUrl(string body)
    {
        var ex = Should.Throw<MalformedResponseException>(() => KucoinCandleParser.Parse(Utf8(body), Url, "kucoin", OneMinute));

        ex.Url.ShouldBe(Url);
        ex.Message.ShouldContain(Url.ToString());
    }

    [Fact]
    public void ParseCandles_OpenTimeOffTheGrid_ThrowsMalformed()
    {
        // A 1week row of KuCoin opens on a Thursday (1642032000 = 2022-01-13); Coinlake's weeks open on Mondays.
        var body = "{\"code\":\"200000\",\"data\":[[\"1642032000\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\"]]}";

        var ex = Should.Throw<MalformedResponseException>(() => KucoinCandleParser.Parse(Utf8(body), Url, "kucoin", Timeframe.Parse("1w")));

        ex.Message.ShouldContain("not a 1w boundary");
    }

    [Fact]
    public void ParseSymbols_EveryRecordedSymbol_MapsToBaseQuoteAndBack()
    {
        var capture = KucoinSymbolsCapture.Instance;
        capture.Error.ShouldBeNull();

        var markets = KucoinMarketData.ParseSymbols(capture.RenderV2([]), Url, "kucoin");

        markets.Count.ShouldBe(capture.Entries.Count);
        markets.Count.ShouldBe(634);
        foreach (var (market, entry) in markets.Zip(capture.Entries))
        {
            market.Id.ShouldBe(entry.Symbol);
            market.Symbol.ShouldBe(new Symbol(entry.BaseCurrency.ToUpperInvariant(), entry.QuoteCurrency.ToUpperInvariant()));
            Symbol.Parse(market.Symbol.ToString()).ShouldBe(market.Symbol);
            market.Type.ShouldBe(MarketType.Spot);
            market.Active.ShouldBe(entry.EnableTrading);
        }

        markets.Select(m => m.Symbol).Distinct().Count().ShouldBe(markets.Count, "two ids would map to one unified symbol");
    }

    [Fact]
    public void ParseSymbols_RetiredV1Answer_ParsesToo()
    {
        var markets = KucoinMarketData.ParseSymbols(KucoinSymbolsCapture.Instance.V1Body, Url, "kucoin");

        markets.Single(m => m.Id == "BCHSV-USDT").Symbol.ToString().ShouldBe("BSV/USDT"); // renamed: id kept, name changed
        markets.Single(m => m.Id == "ZEL-BTC").Active.ShouldBeFalse();
    }

    [Fact]
    public void ParseTrades_DocumentedExample_UsesSequenceAsIdAndNanosecondsFlooredToMs()
    {
        const string body = "{\"code\":\"200000\",\"data\":[" +
            "{\"sequence\":\"10976028003549188\",\"price\":\"67122\",\"size\":\"0.01792257\",\"side\":\"buy\",\"time\":1729177117877000000}," +
            "{\"sequence\":\"10976028003549185\",\"price\":\"67122\",\"size\":\"0.000025\",\"side\":\"buy\",\"time\":1729177117877000000}," +
            "{\"sequence\":\"10976028003549191\",\"price\":\"67122.9\",\"size\":\"0.05654289\",\"side\":\"sell\",\"time\":1729177117877999999}]}";

        var trades = KucoinMarketData.ParseTrades(Utf8(body), Url, "kucoin");

        trades.Select(t => t.Id).ShouldBe(["10976028003549185", "10976028003549188", "10976028003549191"]);
        trades[0].ShouldBe(new Trade("10976028003549185", 1729177117877, 67122m, 0.000025m, TradeSide.Buy));
        trades[2].Timestamp.ShouldBe(1729177117877);
        trades[2].Side.ShouldBe(TradeSide.Sell);
    }

    [Fact]
    public void ParseAllTickers_DocumentedExample_MapsEveryField()
    {
        const string body = "{\"code\":\"200000\",\"data\":{\"time\":1729173207043,\"ticker\":[{\"symbol\":\"BTC-USDT\",\"symbolName\":\"BTC-USDT\"," +
            "\"buy\":\"67192.5\",\"bestBidSize\":\"0.000025\",\"sell\":\"67192.6\",\"bestAskSize\":\"1.24949204\",\"changeRate\":\"-0.0014\"," +
            "\"changePrice\":\"-98.5\",\"high\":\"68321.4\",\"low\":\"66683.3\",\"vol\":\"1836.03034612\",\"volValue\":\"124068431.06726933\"," +
            "\"last\":\"67193\",\"averagePrice\":\"67281.21437289\",\"takerFeeRate\":\"0.001\",\"makerFeeRate\":\"0.001\",\"takerCoefficient\":\"1\",\"makerCoefficient\":\"1\"}]}}";

        var (time, tickers) = KucoinMarketData.ParseAllTickers(Utf8(body), Url, "kucoin");
        var ticker = KucoinMarketData.ToTicker(Symbol.Parse("BTC/USDT"), tickers.Single(), time);

        ticker.Timestamp.ShouldBe(1729173207043);
        ticker.Last.ShouldBe(67193m);
        ticker.Bid.ShouldBe(67192.5m);
        ticker.Ask.ShouldBe(67192.6m);
        ticker.High.ShouldBe(68321.4m);
        ticker.Low.ShouldBe(66683.3m);
        ticker.Open.ShouldBe(67291.5m); // last - changePrice
        ticker.BaseVolume.ShouldBe(1836.03034612m);
        ticker.QuoteVolume.ShouldBe(124068431.06726933m);
        ticker.Change.ShouldBe(-98.5m);
        ticker.ChangePercent.ShouldBe(-0.14m);
    }

    [Fact]
    public void ParseStats_NullPrices_GiveNulls()
    {
        const string body = "{\"code\":\"200000\",\"data\":{\"time\":1729175612158,\"symbol\":\"ZEL-BTC\",\"buy\":null,\"sell\":null,\"changeRate\":null," +
            "\"changePrice\":null,\"high\":null,\"low\":null,\"vol\":\"0\",\"volValue\":\"0\",\"last\":null}}";

        var ticker = KucoinMarketData.ToTicker(Symbol.Parse("ZEL/BTC"), KucoinMarketData.ParseStats(Utf8(body), Url, "kucoin"), 0);

        ticker.Timestamp.ShouldBe(1729175612158);
        ticker.Last.ShouldBeNull();
        ticker.Open.ShouldBeNull();
        ticker.ChangePercent.ShouldBeNull();
        ticker.BaseVolume.ShouldBe(0m);
    }

    [Fact]
    public void ParseEnvelope_NumericOrStringCode_ReadsCodeAndMessage()
    {
        KucoinErrors.ParseEnvelope(Utf8("{\"code\":\"429000\",\"msg\":\"Too many requests\"}")).ShouldBe(("429000", "Too many requests"));
        KucoinErrors.ParseEnvelope(Utf8("{\"code\":400100,\"data\":[1,2],\"msg\":\"x\"}")).ShouldBe(("400100", "x"));
        KucoinErrors.ParseEnvelope(Utf8("<html>502</html>")).ShouldBe((null, null));
    }

    [Theory]
    [InlineData(429, "429000", true)]
    [InlineData(200, "429000", true)]
    [InlineData(500, "500000", true)]
    [InlineData(503, null, true)]
    [InlineData(400, "400100", false)]
    [InlineData(200, "400100", false)]
    [InlineData(200, "900001", false)]
    [InlineData(401, "400003", false)]
    public void IsTransient_StatusAndCode_ClassifiesAsDocumented(int status, string? code, bool transient) =>
        KucoinErrors.IsTransient(status, code).ShouldBe(transient);

    [Fact]
    public void ToTradePage_FullWindow_CoversFromAfterTheOldestTradeToTheSendTime()
    {
        var trades = Enumerable.Range(0, 100).Select(i => new Trade((1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), 5_000 + (i * 10), 1m, 1m, TradeSide.Buy)).ToList();

        var page = KucoinClient.ToTradePage(trades, new TimeRange(0, 100_000), sentAt: 7_000);

        page.Trades.Count.ShouldBe(100);
        page.Covered.ShouldBe(new TimeRange(5_001, 7_000)); // trades of the oldest millisecond may have been cut
    }

    [Fact]
    public void ToTradePage_FewerThan100_CoversFromTheRangeStart()
    {
        var trades = new List<Trade> { new("1", 5_000, 1m, 1m, TradeSide.Sell), new("2", 6_000, 1m, 1m, TradeSide.Buy) };

        var page = KucoinClient.ToTradePage(trades, new TimeRange(1_000, 5_500), sentAt: 7_000);

        page.Trades.Select(t => t.Id).ShouldBe(["1"]);
        page.Covered.ShouldBe(new TimeRange(1_000, 5_500));
    }

    [Fact]
    public void ToTradePage_RangeOlderThanTheWindow_ClaimsNothing()
    {
        var trades = Enumerable.Range(0, 100).Select(i => new Trade(i.ToString(System.Globalization.CultureInfo.InvariantCulture), 5_000 + i, 1m, 1m, TradeSide.Buy)).ToList();

        var page = KucoinClient.ToTradePage(trades, new TimeRange(0, 4_000), sentAt: 7_000);

        page.Trades.ShouldBeEmpty();
        page.Covered.IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void Normalize_RepeatedOpenTimes_KeepsOneAscending()
    {
        var a = new Coinlake.Candles.Candle(120_000, 1, 1, 1, 1, 1);
        var b = new Coinlake.Candles.Candle(60_000, 2, 2, 2, 2, 2);

        var result = KucoinClient.Normalize([a, b, a with { Volume = 9 }, b]);

        result.ShouldBe([b, a]);
    }
}
