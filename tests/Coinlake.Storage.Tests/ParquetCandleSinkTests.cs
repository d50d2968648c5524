using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Storage.Parquet;
using Coinlake.Time;
using DuckDB.NET.Data;

namespace Coinlake.Storage.Tests;

public sealed class ParquetCandleSinkTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task UpsertAsync_BinanceUsCandles_RoundTripExactlyInOneMonthFile()
    {
        var candles = TestData.BinanceUsCandles;
        await using var sink = new ParquetCandleSink(_temp.Path);

        var result = await sink.UpsertAsync(TestData.BinanceUsSeries, candles);
        await sink.FlushAsync();

        result.ShouldBe(new UpsertResult(30_240, 0));
        File.Exists(Path.Combine(_temp.Path, "binanceus", "BTCUSDT", "1m", "2023-03.parquet")).ShouldBeTrue();
        var read = await sink.ReadAsync(TestData.BinanceUsSeries).ToListAsync();
        read.ShouldBe(candles);
        var reopened = await new ParquetCandleReader(_temp.Path).ReadAsync(TestData.BinanceUsSeries).ToListAsync();
        reopened.ShouldBe(candles);
    }

    [Fact]
    public async Task FlushAsync_BatchesArrivedNewestFirst_NewFileWrittenInTimeOrder()
    {
        var candles = TestData.BinanceUsCandles.Take(2_000).ToList();
        await using var sink = new ParquetCandleSink(_temp.Path);
        await sink.UpsertAsync(TestData.BinanceUsSeries, candles.Skip(1_000).ToList());
        await sink.UpsertAsync(TestData.BinanceUsSeries, candles.Take(1_000).ToList());

        await sink.FlushAsync();

        var rows = await new ParquetCandleFormat().ReadAsync(Path.Combine(_temp.Path, "binanceus", "BTCUSDT", "1m", "2023-03.parquet"), CancellationToken.None);
        rows.Candles.ShouldBe(candles);
    }

    [Fact]
    public async Task UpsertAsync_TwiceAcrossSinkInstances_SecondTimeAllUpdatedAgainstDisk()
    {
        var candles = TestData.BinanceUsCandles.Take(3_000).ToList();
        await using (var sink = new ParquetCandleSink(_temp.Path))
        {
            await sink.UpsertAsync(TestData.BinanceUsSeries, candles);
        }

        await using var again = new ParquetCandleSink(_temp.Path);
        var result = await again.UpsertAsync(TestData.BinanceUsSeries, candles);
        await again.FlushAsync();

        result.ShouldBe(new UpsertResult(0, 3_000));
        (await again.ReadAsync(TestData.BinanceUsSeries).ToListAsync()).ShouldBe(candles);
    }

    [Fact]
    public async Task FlushAsync_OverlappingWrites_MergedSortedNewWinsNoTempFiles()
    {
        var candles = TestData.BinanceUsCandles;
        await using var sink = new ParquetCandleSink(_temp.Path);
        await sink.UpsertAsync(TestData.BinanceUsSeries, candles.Skip(100).Take(100).ToList());
        await sink.FlushAsync();
        var changed = candles.Skip(150).Take(100).Select(c => c with { High = c.High + 0.01m, QuoteVolume = 1.5m, TradeCount = 7 }).ToList();

        var first = await sink.UpsertAsync(TestData.BinanceUsSeries, candles.Take(120).ToList());
        var second = await sink.UpsertAsync(TestData.BinanceUsSeries, changed);
        await sink.FlushAsync();

        first.ShouldBe(new UpsertResult(100, 20));
        second.ShouldBe(new UpsertResult(50, 50));
        var read = await new ParquetCandleReader(_temp.Path).ReadAsync(TestData.BinanceUsSeries).ToListAsync();
        read.ShouldBe([.. candles.Take(150), .. changed]);
        _temp.AllFiles().ShouldNotContain(f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UpsertAsync_WritesMoveToNextMonth_PreviousMonthWrittenWithoutFlush()
    {
        var series = TestData.BinanceUsSeries;
        var march = TimeRange.FromDates(new DateTimeOffset(2023, 3, 31, 23, 58, 0, TimeSpan.Zero), default).Start;
        var candles = Enumerable.Range(0, 4).Select(i => new Candle(march + (i * 60_000), 1, 2, 1, 2, 3)).ToList();
        await using var sink = new ParquetCandleSink(_temp.Path);

        await sink.UpsertAsync(series, candles.Take(2).ToList());
        await sink.UpsertAsync(series, candles.Skip(2).ToList());

        File.Exists(sink.PathOf(series, candles[0].OpenTime)).ShouldBeTrue();
        File.Exists(sink.PathOf(series, candles[3].OpenTime)).ShouldBeFalse();
        sink.PathOf(series, candles[3].OpenTime).ShouldEndWith(Path.Combine("1m", "2023-04.parquet"));
    }

    [Fact]
    public async Task UpsertAsync_SingleFileRoot_AllCandlesInThatFile()
    {
        var file = _temp.File("data/btc_1m_202303.parquet");
        var candles = TestData.BinanceUsCandles.Take(500).ToList();
        await using (var sink = new ParquetCandleSink(file))
        {
            await sink.UpsertAsync(TestData.BinanceUsSeries, candles);
        }

        _temp.AllFiles().Where(f => f.EndsWith(".parquet", StringComparison.Ordinal)).ShouldBe([file]);
        var reader = CandleStores.OpenReader(file);
        (await reader.ListSeriesAsync().ToListAsync()).ShouldBe([TestData.BinanceUsSeries]);
        (await reader.ReadAsync(TestData.BinanceUsSeries).ToListAsync()).ShouldBe(candles);
    }

    [Fact]
    public async Task UpsertAsync_SwapSymbol_FileSafeSymbolInPath()
    {
        var swap = new SeriesKey("binance", Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap, Timeframe.OneHour, PriceType.Last);
        await using var sink = new ParquetCandleSink(_temp.Path);

        await sink.UpsertAsync(swap, [new Candle(1_677_628_800_000, 1, 1, 1, 1, 0)]);
        await sink.FlushAsync();

        File.Exists(Path.Combine(_temp.Path, "binance", "BTCUSDT_USDT", "1h", "2023-03.parquet")).ShouldBeTrue();
        (await sink.ListSeriesAsync().ToListAsync()).ShouldBe([swap]);
    }

    [Fact]
    public async Task UpsertAsync_TemplateMapsTwoSeriesToOneFile_ThrowsNamingThePlaceholders()
    {
        var mark = TestData.BinanceUsSeries with { Price = PriceType.Mark };
        await using var sink = new ParquetCandleSink(_temp.Path);
        await sink.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(1).ToList());

        var e = await Should.ThrowAsync<InvalidOperationException>(async () => await sink.UpsertAsync(mark, TestData.BinanceUsCandles.Take(1).ToList()));

        e.Message.ShouldContain("{price}");
    }

    [Fact]
    public async Task UpsertAsync_ValueWithMoreThan18Decimals_ThrowsClearError()
    {
        await using var sink = new ParquetCandleSink(_temp.Path);
        var candle = new Candle(1_677_628_800_000, 1, 1, 1, 1, 0.0000000000000000001m);

        var e = await Should.ThrowAsync<ArgumentException>(async () => await sink.UpsertAsync(TestData.BinanceUsSeries, [candle]));

        e.Message.ShouldContain("DECIMAL(38,18)");
        e.Message.ShouldContain("volume");
    }

    [Fact]
    public async Task GetCoverageAsync_FreqtradeSeries_Reproduces538NaturalGaps()
    {
        var candles = TestData.FreqtradeCandles;
        var series = TestData.FreqtradeSeries;
        await using (var sink = new ParquetCandleSink(_temp.Path))
        {
            await sink.UpsertAsync(series, candles);
        }

        await using var reopened = new ParquetCandleSink(_temp.Path);
        var span = new TimeRange(candles[0].OpenTime, series.Timeframe.Next(candles[^1].OpenTime));
        var coverage = await reopened.GetCoverageAsync(series, span);

        var gaps = CandleCoverage.FindGaps(coverage.Stored, span, series.Timeframe);
        gaps.Count.ShouldBe(538);
        gaps.ShouldBe(CandleCoverage.FindGaps(candles.Select(c => c.OpenTime), series.Timeframe));
    }

    [Fact]
    public async Task GetCoverageAsync_BufferedCandles_Counted()
    {
        var candles = TestData.BinanceUsCandles.Take(60).ToList();
        await using var sink = new ParquetCandleSink(_temp.Path);
        await sink.UpsertAsync(TestData.BinanceUsSeries, candles);

        var coverage = await sink.GetCoverageAsync(TestData.BinanceUsSeries, new TimeRange(candles[0].OpenTime, candles[0].OpenTime + 3_600_000));

        coverage.Stored.Ranges.ShouldBe([new TimeRange(candles[0].OpenTime, candles[0].OpenTime + 3_600_000)]);
    }

    [Fact]
    public async Task MarkEmptyAsync_Ranges_MergedAndPersistedInSidecar()
    {
        var series = TestData.BinanceUsSeries;
        await using (var sink = new ParquetCandleSink(_temp.Path))
        {
            await sink.MarkEmptyAsync(series, [new TimeRange(1000, 2000)]);
            await sink.MarkEmptyAsync(series, [new TimeRange(2000, 3000), new TimeRange(9000, 9500)]);
        }

        File.Exists(Path.Combine(_temp.Path, ".coinlake", "sidecar.json")).ShouldBeTrue();
        await using var reopened = new ParquetCandleSink(_temp.Path);
        var coverage = await reopened.GetCoverageAsync(series, new TimeRange(0, 9_200));
        coverage.KnownEmpty.Ranges.ShouldBe([new TimeRange(1000, 3000), new TimeRange(9000, 9200)]);
    }

    [Fact]
    public async Task FlushAsync_BinanceUsCandles_DuckDbReadsTimestampsAndExactDecimals()
    {
        var candles = TestData.BinanceUsCandles;
        await using (var sink = new ParquetCandleSink(_temp.Path))
        {
            await sink.UpsertAsync(TestData.BinanceUsSeries, candles);
        }

        var file = Path.Combine(_temp.Path, "binanceus", "BTCUSDT", "1m", "2023-03.parquet");
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT typeof(open_time), epoch_ms(open_time), open, high, low, close, volume, typeof(close), symbol FROM read_parquet('{file}') ORDER BY open_time";
        using var reader = command.ExecuteReader();
        var i = 0;
        while (reader.Read())
        {
            var c = candles[i++];
            reader.GetString(0).ShouldStartWith("TIMESTAMP");
            reader.GetInt64(1).ShouldBe(c.OpenTime);
            reader.GetDecimal(2).ShouldBe(c.Open);
            reader.GetDecimal(3).ShouldBe(c.High);
            reader.GetDecimal(4).ShouldBe(c.Low);
            reader.GetDecimal(5).ShouldBe(c.Close);
            reader.GetDecimal(6).ShouldBe(c.Volume);
            reader.GetString(7).ShouldBe("DECIMAL(38,18)");
            reader.GetString(8).ShouldBe("BTC/USDT");
        }

        i.ShouldBe(30_240);
    }
}
