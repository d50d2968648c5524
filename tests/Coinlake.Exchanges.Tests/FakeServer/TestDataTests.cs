using Coinlake.Testing;

namespace Coinlake.Exchanges.Tests.FakeServer;

public sealed class TestDataTests
{
    private const long March1 = 1_677_628_800_000; // 2023-03-01T00:00:00Z

    [Fact]
    public void Root_FromTestBinaries_FindsSharedDataWithKlinesAndCaptures()
    {
        TestData.IsAvailable.ShouldBeTrue();
        Directory.Exists(Path.Combine(TestData.Root, "klines")).ShouldBeTrue();
        Directory.Exists(Path.Combine(TestData.Root, "captures")).ShouldBeTrue();
    }

    [Fact]
    public void PathOf_MissingFile_ThrowsNamingPathAndEnvironmentVariable()
    {
        var ex = Should.Throw<FileNotFoundException>(() => TestData.PathOf("klines/no-such-file.csv"));
        ex.Message.ShouldContain("no-such-file.csv");
        ex.Message.ShouldContain(TestData.EnvironmentVariable);
    }

    [Fact]
    public void BinanceUsBtcUsdt1m_Loaded_Has30240ContiguousMinutesWithExactValues()
    {
        var candles = TestData.BinanceUsBtcUsdt1m();

        candles.Count.ShouldBe(30_240);
        candles[0].ShouldBe(new Candles.Candle(March1, 23140.48m, 23150.77m, 23128.52m, 23142.31m, 2.131777m));
        candles[^1].OpenTime.ShouldBe(March1 + (30_239 * 60_000L));
        candles[^1].Close.ShouldBe(28110.26m);
        for (var i = 1; i < candles.Count; i++)
        {
            candles[i].OpenTime.ShouldBe(candles[i - 1].OpenTime + 60_000);
        }

        candles.ShouldAllBe(c => c.QuoteVolume == null && c.TradeCount == null);
    }

    [Fact]
    public void BinanceUsBtcUsdt1m_ExponentVolume_ParsesToExactDecimal()
    {
        // CSV line 15016: "2023-03-11 10:14:00+00:00,20081.61,20081.61,20081.61,20081.61,9e-05"
        var candle = TestData.BinanceUsBtcUsdt1m()[15_014];

        candle.OpenTime.ShouldBe(new DateTimeOffset(2023, 3, 11, 10, 14, 0, TimeSpan.Zero).ToUnixTimeMilliseconds());
        candle.Volume.ShouldBe(0.00009m);
    }

    [Fact]
    public void FreqtradeUnittestBtc1m_Loaded_Has13681CandlesWithNaturalGaps()
    {
        var candles = TestData.FreqtradeUnittestBtc1m();

        candles.Count.ShouldBe(13_681);
        candles[0].ShouldBe(new Candles.Candle(1_509_836_520_000, 0.00162008m, 0.00162008m, 0.00162008m, 0.00162008m, 108.14853839m));
        candles[^1].OpenTime.ShouldBe(1_510_700_340_000);
        var gaps = 0;
        for (var i = 1; i < candles.Count; i++)
        {
            candles[i].OpenTime.ShouldBeGreaterThan(candles[i - 1].OpenTime);
            if (candles[i].OpenTime - candles[i - 1].OpenTime != 60_000)
            {
                gaps++;
            }
        }

        gaps.ShouldBe(538);
    }

    [Fact]
    public void FreqtradeXrpUsdtFutures1h_Gzipped_Has100HourlyCandlesKeepingFloatTextExactly()
    {
        var candles = TestData.FreqtradeXrpUsdtFutures1h();

        candles.Count.ShouldBe(100);
        candles[0].ShouldBe(new Candles.Candle(1_637_110_800_000, 1.0801m, 1.09758m, 1.07654m, 1.07925m, 3153694.607359m));
        candles[1].Volume.ShouldBe(2697616.0709080002m);
        candles[99].OpenTime.ShouldBe(1_637_110_800_000 + (99 * 3_600_000L));
    }

    [Theory]
    [InlineData("BINANCE.0", "/api/v3/exchangeInfo", "\"rateLimits\":[{\"rateLimitType\":\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\",\"intervalNum\":1,\"limit\":1200}")]
    [InlineData("BINANCE_FUTURES.0", "/fapi/v1/exchangeInfo", "\"futuresType\":\"U_MARGINED\"")]
    [InlineData("BINANCE_US.0", "api.binance.us", "\"symbol\":\"BTCUSDT\"")]
    public void CapturePayload_ExchangeInfoCapture_ReturnsTheJsonBodyOnly(string file, string url, string expected)
    {
        var body = TestData.CapturePayload(file, url);

        body.ShouldStartWith("{\"timezone\":\"UTC\"");
        body.ShouldEndWith("}");
        body.ShouldContain(expected);
    }

    [Fact]
    public void CapturePayload_UrlNotInCapture_ThrowsNamingFileAndText()
    {
        var ex = Should.Throw<InvalidDataException>(() => TestData.CapturePayload("BINANCE.0", "/api/v3/nothing"));
        ex.Message.ShouldContain("BINANCE.0");
        ex.Message.ShouldContain("/api/v3/nothing");
    }
}
