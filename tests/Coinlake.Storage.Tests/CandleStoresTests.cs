using Coinlake.Markets;
using Coinlake.Storage.Sqlite;
using Coinlake.Time;

namespace Coinlake.Storage.Tests;

public sealed class CandleStoresTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task OpenReader_FreqtradeJson_InfersSymbolAndTimeframeFromName()
    {
        var reader = CandleStores.OpenReader(TestData.Klines("freqtrade-UNITTEST_BTC-1m.json"), new ReaderHints { Exchange = "binance" });

        var series = (await reader.ListSeriesAsync().ToListAsync()).Single();
        series.ShouldBe(TestData.FreqtradeSeries);
        (await reader.ReadAsync(series).ToListAsync()).ShouldBe(TestData.FreqtradeCandles);
    }

    [Fact]
    public async Task OpenReader_FreqtradeFuturesGzip_ReadsSwapSeries()
    {
        var reader = CandleStores.OpenReader(TestData.Klines("freqtrade-XRP_USDT_USDT-1h-futures.json.gz"));

        var series = (await reader.ListSeriesAsync().ToListAsync()).Single();
        series.Symbol.ShouldBe(Symbol.Parse("XRP/USDT:USDT"));
        series.MarketType.ShouldBe(MarketType.Swap);
        series.Timeframe.ShouldBe(Timeframe.OneHour);
        var candles = await reader.ReadAsync(series).ToListAsync();
        candles.Count.ShouldBe(100);
        CandleCoverageGaps(candles.Select(c => c.OpenTime), Timeframe.OneHour).ShouldBe(0);
    }

    [Fact]
    public async Task OpenReader_PandasCsv_ReadsExponentVolumesAndOffsetTimes()
    {
        var reader = CandleStores.OpenReader(TestData.Klines("binanceus-BTCUSDT-1m-2023-03-01_2023-03-21.csv"));

        var series = (await reader.ListSeriesAsync().ToListAsync()).Single();
        series.ShouldBe(TestData.BinanceUsSeries);
        (await reader.ReadAsync(series).ToListAsync()).ShouldBe(TestData.BinanceUsCandles);
    }

    [Fact]
    public async Task OpenReader_HintsOverrideName()
    {
        var hints = new ReaderHints { Exchange = "kraken", Symbol = Symbol.Parse("ETH/EUR"), Timeframe = Timeframe.OneHour };

        var series = (await CandleStores.OpenReader(TestData.Klines("freqtrade-UNITTEST_BTC-1m.json"), hints).ListSeriesAsync().ToListAsync()).Single();

        series.ShouldBe(new Candles.SeriesKey("kraken", Symbol.Parse("ETH/EUR"), MarketType.Spot, Timeframe.OneHour, PriceType.Last));
    }

    [Fact]
    public async Task OpenReader_NameWithoutSymbol_ErrorNamesTheHint()
    {
        var file = _temp.File("candles_1m.json");
        await File.WriteAllTextAsync(file, "[[1677628800000, 1, 1, 1, 1, 1]]");

        var e = await Should.ThrowAsync<ArgumentException>(async () => await CandleStores.OpenReader(file).ListSeriesAsync().ToListAsync());

        e.Message.ShouldContain("ReaderHints.Symbol");
    }

    [Fact]
    public void OpenReader_UnknownExtension_ErrorListsSupportedTypes()
    {
        var file = _temp.File("candles.xlsx");
        File.WriteAllText(file, "");

        var e = Should.Throw<ArgumentException>(() => CandleStores.OpenReader(file));

        e.Message.ShouldContain(".parquet");
    }

    [Fact]
    public void OpenReader_MissingPath_ThrowsFileNotFound() =>
        Should.Throw<FileNotFoundException>(() => CandleStores.OpenReader(_temp.File("nope.db")));

    [Fact]
    public async Task OpenReader_SqliteWithTableHint_ReadsThatTable()
    {
        var path = _temp.File("c.sqlite");
        await using (var sink = new SqliteCandleSink(path, "candles_1m"))
        {
            await sink.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(20).ToList());
        }

        await using (var other = new SqliteCandleSink(path, "other"))
        {
            await other.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(5).ToList());
        }

        var e = await Should.ThrowAsync<InvalidOperationException>(async () => await CandleStores.OpenReader(path).ListSeriesAsync().ToListAsync());
        e.Message.ShouldContain("ReaderHints.Table");
        var reader = CandleStores.OpenReader(path, new ReaderHints { Table = "candles_1m" });
        (await reader.ReadAsync(TestData.BinanceUsSeries).ToListAsync()).ShouldBe(TestData.BinanceUsCandles.Take(20));
    }

    private static int CandleCoverageGaps(IEnumerable<long> times, Timeframe timeframe) => Candles.CandleCoverage.FindGaps(times, timeframe).Count;
}
