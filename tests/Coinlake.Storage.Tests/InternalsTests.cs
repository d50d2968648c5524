using Coinlake.Markets;
using Coinlake.Storage.Internal;
using Coinlake.Time;

namespace Coinlake.Storage.Tests;

public sealed class InternalsTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AtomicFile_WriteFails_OldFileIntactAndNoTempLeft()
    {
        var path = _temp.File("a.csv");
        await File.WriteAllTextAsync(path, "old");

        await Should.ThrowAsync<InvalidOperationException>(async () => await AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync("new partial"u8.ToArray(), ct);
            throw new InvalidOperationException("disk full");
        }));

        (await File.ReadAllTextAsync(path)).ShouldBe("old");
        _temp.AllFiles().ShouldBe([path]);
    }

    [Fact]
    public async Task AtomicFile_Write_ReplacesContent()
    {
        var path = _temp.File("x/a.csv");

        await AtomicFile.WriteAsync(path, async (stream, ct) => await stream.WriteAsync("new"u8.ToArray(), ct));

        (await File.ReadAllTextAsync(path)).ShouldBe("new");
        _temp.AllFiles().ShouldBe([path]);
    }

    [Theory]
    [InlineData("{exchange}/{bogus}.parquet", "{bogus}")]
    [InlineData("{exchange}/{MM}.parquet", "{yyyy}")]
    [InlineData("../x.parquet", "..")]
    [InlineData("{exchange.parquet", "closing")]
    public void PathTemplate_Invalid_ThrowsSayingWhy(string template, string expected)
    {
        var e = Should.Throw<ArgumentException>(() => new PathTemplate(template));

        e.Message.ShouldContain(expected);
    }

    [Fact]
    public void PathTemplate_Render_FillsEveryPlaceholder()
    {
        var series = new Candles.SeriesKey("okx", Symbol.Parse("BTC/USD:BTC"), MarketType.Swap, Timeframe.Parse("1M"), PriceType.Mark);
        var template = new PathTemplate("{exchange}/{market_type}/{base}-{quote}-{settle}/{symbol}_{timeframe}_{price}_{yyyy}{MM}.parquet");

        var path = template.Render(series, TimeRange.FromDates(new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero), default).Start);

        path.Replace('\\', '/').ShouldBe("okx/swap/BTC-USD-BTC/BTCUSD_BTC_1M_mark_202402.parquet");
    }

    [Theory]
    [InlineData("BTCUSDT_1m.json", "BTC/USDT", "1m")]
    [InlineData("BTCUSDT_USDT_1h.csv", "BTC/USDT:USDT", "1h")]
    [InlineData("UNITTEST_BTC-1m.json", "UNITTEST/BTC", "1m")]
    [InlineData("ETH_BTC-5m.json", "ETH/BTC", "5m")]
    [InlineData("XRP_USDT_USDT-1h-futures.json.gz", "XRP/USDT:USDT", "1h")]
    [InlineData("binanceus-BTCUSDT-1m-2023-03-01_2023-03-21.csv", "BTC/USDT", "1m")]
    public void FileNameSeries_Infer_KnownLayouts(string name, string symbol, string timeframe)
    {
        var series = FileNameSeries.Infer(Path.Combine(_temp.Path, name), null);

        series.Symbol.ShouldBe(Symbol.Parse(symbol));
        series.Timeframe.ShouldBe(Timeframe.Parse(timeframe));
    }

    [Fact]
    public void FileNameSeries_Infer_ExchangeFromParentFolder()
    {
        var series = FileNameSeries.Infer(Path.Combine(_temp.Path, "binance", "ETH_BTC-5m.json"), null);

        series.Exchange.ShouldBe("binance");
    }

    [Fact]
    public void DecimalText_Normalize_DropsTrailingZerosOnly()
    {
        DecimalText.Normalize(23140.480000000000000000m).ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("23140.48");
        DecimalText.Normalize(100.00m).ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("100");
        DecimalText.Normalize(0.00000000m).ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("0");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData("23140.48000000")]
    [InlineData("999999999999999")]
    [InlineData("1000000000000000")]
    [InlineData("1000000000000001")]
    [InlineData("0.123456789012345")]
    [InlineData("0.1234567890123456")]
    [InlineData("0.0000000000000000000000000001")]
    [InlineData("0.00000000000001234")]
    [InlineData("123456789.12345678")]
    [InlineData("12345678.123456789012")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("-79228162514264337593543950335")]
    [InlineData("7922816251426433759354395033.5")]
    [InlineData("1E+28")]
    public void SqliteValues_IsExactAsReal_AgreesWithTheRoundTrip(string text)
    {
        var value = decimal.Parse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);

        Coinlake.Storage.Sqlite.SqliteValues.IsExactAsReal(value).ShouldBe(Coinlake.Storage.Sqlite.SqliteValues.IsExactAsRealByRoundTrip(value));
    }

    [Fact]
    public void SqliteValues_IsExactAsReal_AgreesWithTheRoundTripOnRealCandlesAndRandomValues()
    {
        var random = new Random(42);
        var values = TestData.BinanceUsCandles.SelectMany(c => new[] { c.Open, c.Volume, c.QuoteVolume ?? 0m }).ToList();
        for (var i = 0; i < 20_000; i++)
        {
            values.Add(new decimal(random.Next(), random.Next(0, 4) == 0 ? random.Next() : 0, 0, random.Next(2) == 0, (byte)random.Next(0, 29)));
            values.Add(new decimal(random.Next(), random.Next(0, 300_000), 0, false, (byte)random.Next(0, 29)));
        }

        values.Where(v => Coinlake.Storage.Sqlite.SqliteValues.IsExactAsReal(v) != Coinlake.Storage.Sqlite.SqliteValues.IsExactAsRealByRoundTrip(v)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("99999999999999999999.99999999", true)]
    [InlineData("-99999999999999999999", true)]
    [InlineData("100000000000000000000", false)]
    [InlineData("-100000000000000000000", false)]
    [InlineData("0.000000000000000001", true)]
    [InlineData("0.0000000000000000001", false)]
    [InlineData("1.0000000000000000000000000000", true)]
    [InlineData("1.0000000000000000001000000", false)]
    [InlineData("0", true)]
    [InlineData("79228162514264337593543950335", false)]
    public void DecimalText_FitsDecimal38_18_ComparesMagnitudeAndNormalizedScale(string text, bool fits)
    {
        var value = decimal.Parse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);

        DecimalText.FitsDecimal(value, 20, 18).ShouldBe(fits);
    }
}
