using System.Globalization;
using System.Text;
using Coinlake.Exchanges.Binance;
using Coinlake.Exchanges.Tests.Support;
using Coinlake.Testing;

namespace Coinlake.Exchanges.Tests.Binance;

public sealed class BinanceKlineParserTests
{
    private static readonly Uri Url = new("https://api.binance.com/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=1677628800000&limit=1000");

    [Fact]
    public void Parse_RealPageOf1000_EqualsSourceCandles()
    {
        var source = TestData.BinanceUsBtcUsdt1m().Take(1000).ToList();
        var body = Encoding.UTF8.GetBytes(KlineRows.Render(source));

        var candles = BinanceKlineParser.Parse(body, Url, "binance", hasVolume: true);

        candles.Count.ShouldBe(1000);
        for (var i = 0; i < source.Count; i++)
        {
            var (s, c) = (source[i], candles[i]);
            (c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume).ShouldBe((s.OpenTime, s.Open, s.High, s.Low, s.Close, s.Volume));
            c.QuoteVolume.ShouldBe(decimal.Round(s.Volume * s.Close, 8, MidpointRounding.AwayFromZero));
            c.TradeCount.ShouldBe(0);
        }
    }

    [Fact]
    public void Parse_DocumentedRow_KeepsExactDecimalsQuoteVolumeAndTrades()
    {
        // The sample row of the spot API docs, "Kline/Candlestick data".
        var body = """
            [[1499040000000,"0.01634790","0.80000000","0.01575800","0.01577100","148976.11427815",1499644799999,"2434.19055334",308,"1756.87402397","28.46694368","0"]]
            """u8;

        var candle = BinanceKlineParser.Parse(body, Url, "binance", hasVolume: true).ShouldHaveSingleItem();

        candle.OpenTime.ShouldBe(1499040000000);
        candle.Open.ToString(CultureInfo.InvariantCulture).ShouldBe("0.01634790");
        candle.High.ShouldBe(0.8m);
        candle.Low.ShouldBe(0.015758m);
        candle.Close.ShouldBe(0.015771m);
        candle.Volume.ToString(CultureInfo.InvariantCulture).ShouldBe("148976.11427815");
        candle.QuoteVolume.ShouldBe(2434.19055334m);
        candle.TradeCount.ShouldBe(308);
    }

    [Fact]
    public void Parse_MarkPriceRow_HasNoVolumeQuoteVolumeOrTrades()
    {
        // USDⓈ-M "Mark Price Kline/Candlestick Data": volume fields are to be ignored, field 8 counts basic data.
        var body = """[[1591256400000,"9653.69440000","9653.69640000","9651.38600000","9651.55200000","0 ",1591256459999,"0",60,"0","0","0"]]"""u8;

        var candle = BinanceKlineParser.Parse(body, Url, "binance", hasVolume: false).ShouldHaveSingleItem();

        candle.Close.ShouldBe(9651.552m);
        candle.Volume.ShouldBe(0m);
        candle.QuoteVolume.ShouldBeNull();
        candle.TradeCount.ShouldBeNull();
    }

    [Fact]
    public void Parse_EmptyArray_ReturnsNoCandles() =>
        BinanceKlineParser.Parse("[]"u8, Url, "binance", true).ShouldBeEmpty();

    [Theory]
    [InlineData("[[1,\"a\"", "not a decimal")]
    [InlineData("[[1677628800000,\"1.0\",\"1.0\",\"1.0\",\"1.0\",\"1.0\",1677628859999,\"1.0\",3,\"0\",\"0\",\"0\"],[16776288", "truncated")]
    [InlineData("", "empty")]
    [InlineData("{\"code\":-1121,\"msg\":\"Invalid symbol.\"}", "expected a JSON array")]
    [InlineData("[[1677628800000,\"1.0\",\"1.0\"]]", "3 fields")]
    [InlineData("[[1677628800000,\"1.0\",\"1.0\",\"1.0\",\"1.0\",\"1.0\",1677628859999,\"1.0\",3,\"0\",\"0\",\"0\"]] x", "invalid JSON")]
    public void Parse_MalformedBody_ThrowsWithUrlAndReason(string json, string reason)
    {
        var ex = Should.Throw<MalformedResponseException>(() => BinanceKlineParser.Parse(Encoding.UTF8.GetBytes(json), Url, "binance", true));

        ex.Url.ShouldBe(Url);
        ex.Message.ShouldContain(Url.ToString());
        ex.Message.ShouldContain(reason);
        ex.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public void Parse_OpenTimesNotAscending_Throws()
    {
        var rows = KlineRows.Minutes(1677628800000, 3);
        (rows[1], rows[2]) = (rows[2], rows[1]);

        var ex = Should.Throw<MalformedResponseException>(() =>
            BinanceKlineParser.Parse(Encoding.UTF8.GetBytes(KlineRows.Render(rows)), Url, "binance", true));

        ex.Message.ShouldContain("ascending");
        ex.Message.ShouldContain("kline #3");
    }

    [Fact]
    public void Parse_DuplicateOpenTime_Throws()
    {
        var rows = KlineRows.Minutes(1677628800000, 2);
        rows.Add(rows[1]);

        Should.Throw<MalformedResponseException>(() =>
            BinanceKlineParser.Parse(Encoding.UTF8.GetBytes(KlineRows.Render(rows)), Url, "binance", true));
    }
}
