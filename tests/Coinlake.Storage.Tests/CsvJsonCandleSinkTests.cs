using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Storage.Csv;
using Coinlake.Storage.Json;
using Coinlake.Time;

namespace Coinlake.Storage.Tests;

public sealed class CsvJsonCandleSinkTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Formats => new() { "csv", "json" };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task FlushAsync_BinanceUsCandles_RoundTripExactlyInSeedFileName(string format)
    {
        var candles = TestData.BinanceUsCandles;
        await using (var sink = Create(format, _temp.Path))
        {
            (await sink.UpsertAsync(TestData.BinanceUsSeries, candles)).ShouldBe(new UpsertResult(30_240, 0));
        }

        var file = _temp.File($"BTCUSDT_1m.{format}");
        File.Exists(file).ShouldBeTrue();
        var reader = CandleStores.OpenReader(file);
        var series = (await reader.ListSeriesAsync().ToListAsync()).Single();
        series.ShouldBe(TestData.BinanceUsSeries);
        (await reader.ReadAsync(series).ToListAsync()).ShouldBe(candles);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task UpsertAsync_OverlapAcrossInstances_CountsAgainstFileAndNewWins(string format)
    {
        var candles = TestData.BinanceUsCandles;
        await using (var sink = Create(format, _temp.Path))
        {
            await sink.UpsertAsync(TestData.BinanceUsSeries, candles.Take(100).ToList());
        }

        var changed = candles.Skip(50).Take(100).Select(c => c with { Low = c.Low - 1, QuoteVolume = 123456789.123456789012m, TradeCount = 3 }).ToList();
        await using (var sink = Create(format, _temp.Path))
        {
            (await sink.UpsertAsync(TestData.BinanceUsSeries, changed)).ShouldBe(new UpsertResult(50, 50));
            (await ((ICandleReader)sink).ReadAsync(TestData.BinanceUsSeries).ToListAsync()).ShouldBe([.. candles.Take(50), .. changed]);
        }

        _temp.AllFiles().ShouldNotContain(f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task UpsertAsync_OutputIsAFile_WritesThatFile(string format)
    {
        var file = _temp.File($"out/my_candles.{format}");
        await using (var sink = Create(format, file))
        {
            await sink.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(10).ToList());
        }

        File.Exists(file).ShouldBeTrue();
        var reader = CandleStores.OpenReader(file);
        (await reader.ListSeriesAsync().ToListAsync()).ShouldBe([TestData.BinanceUsSeries]);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task MarkEmptyAsync_Ranges_MergedAndPersisted(string format)
    {
        await using (var sink = Create(format, _temp.Path))
        {
            await sink.MarkEmptyAsync(TestData.BinanceUsSeries, [new TimeRange(0, 60_000)]);
            await sink.MarkEmptyAsync(TestData.BinanceUsSeries, [new TimeRange(30_000, 120_000)]);
        }

        await using var reopened = Create(format, _temp.Path);
        (await reopened.GetCoverageAsync(TestData.BinanceUsSeries, new TimeRange(0, 600_000))).KnownEmpty.Ranges.ShouldBe([new TimeRange(0, 120_000)]);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task GetCoverageAsync_FreqtradeSeries_Reproduces538NaturalGaps(string format)
    {
        var candles = TestData.FreqtradeCandles;
        var series = TestData.FreqtradeSeries;
        await using (var sink = Create(format, _temp.Path))
        {
            await sink.UpsertAsync(series, candles);
        }

        await using var reopened = Create(format, _temp.Path);
        var span = new TimeRange(candles[0].OpenTime, series.Timeframe.Next(candles[^1].OpenTime));
        var gaps = CandleCoverage.FindGaps((await reopened.GetCoverageAsync(series, span)).Stored, span, series.Timeframe);
        gaps.Count.ShouldBe(538);
    }

    [Fact]
    public async Task FlushAsync_Csv_HeaderIsoTimesAndDecimalsAsHeld()
    {
        var candle = new Candle(1_677_628_800_000, 23140.48000000m, 23150.77m, 23128.52m, 23142.31m, 0.00005400m, null, 12);
        await using (var sink = new CsvCandleSink(_temp.Path))
        {
            await sink.UpsertAsync(TestData.BinanceUsSeries, [candle]);
        }

        var lines = await File.ReadAllLinesAsync(_temp.File("BTCUSDT_1m.csv"));
        lines.ShouldBe(["open_time,open,high,low,close,volume,quote_volume,trade_count", "2023-03-01T00:00:00Z,23140.48000000,23150.77,23128.52,23142.31,0.00005400,,12"]);
    }

    [Fact]
    public async Task FlushAsync_Json_ArrayOfObjectsWithExactNumbers()
    {
        var candle = new Candle(1_677_628_800_000, 23140.48m, 23150.77m, 23128.52m, 23142.31m, 123456789.123456789012345m, 1.5m, null);
        await using (var sink = new JsonCandleSink(_temp.Path))
        {
            await sink.UpsertAsync(TestData.BinanceUsSeries, [candle]);
        }

        var text = await File.ReadAllTextAsync(_temp.File("BTCUSDT_1m.json"));
        text.ShouldBe("""[{"open_time":1677628800000,"timestamp":"2023-03-01T00:00:00Z","open":23140.48,"high":23150.77,"low":23128.52,"close":23142.31,"volume":123456789.123456789012345,"quote_volume":1.5,"trade_count":null}]""");
        using var doc = JsonDocument.Parse(text);
        doc.RootElement[0].GetProperty("volume").GetDecimal().ShouldBe(candle.Volume);
    }

    [Fact]
    public async Task UpsertAsync_DerivativeSymbol_FileNameHasSettle()
    {
        var swap = new SeriesKey("binance", Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap, Timeframe.OneMinute, PriceType.Last);
        await using (var sink = new CsvCandleSink(_temp.Path))
        {
            await sink.UpsertAsync(swap, TestData.BinanceUsCandles.Take(3).ToList());
        }

        File.Exists(_temp.File("BTCUSDT_USDT_1m.csv")).ShouldBeTrue();
        (await CandleStores.OpenReader(_temp.File("BTCUSDT_USDT_1m.csv")).ListSeriesAsync().ToListAsync()).ShouldBe([swap]);
    }

    private static ICandleSink Create(string format, string output) =>
        format == "csv" ? new CsvCandleSink(output) : new JsonCandleSink(output);
}
