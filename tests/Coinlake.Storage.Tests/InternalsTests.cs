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
}
