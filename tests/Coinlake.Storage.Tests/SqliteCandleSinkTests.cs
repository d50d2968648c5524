using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Storage.Sqlite;
using Coinlake.Time;
using Microsoft.Data.Sqlite;

namespace Coinlake.Storage.Tests;

public sealed class SqliteCandleSinkTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task UpsertAsync_BinanceUsCandles_ReadBackExactly()
    {
        var candles = TestData.BinanceUsCandles;
        await using var sink = new SqliteCandleSink(_temp.File("sub/dir/coinlake.db"));

        var result = await sink.UpsertAsync(TestData.BinanceUsSeries, candles);

        result.ShouldBe(new UpsertResult(30_240, 0));
        var read = await sink.ReadAsync(TestData.BinanceUsSeries).ToListAsync();
        read.Count.ShouldBe(30_240);
        for (var i = 0; i < read.Count; i++)
        {
            read[i].ShouldBe(candles[i]);
        }
    }

    [Fact]
    public async Task UpsertAsync_SameCandlesTwice_SecondTimeAllUpdatedAndNoNewRows()
    {
        var candles = TestData.BinanceUsCandles.Take(5_000).ToList();
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));
        await sink.UpsertAsync(TestData.BinanceUsSeries, candles);

        var second = await sink.UpsertAsync(TestData.BinanceUsSeries, candles);

        second.ShouldBe(new UpsertResult(0, 5_000));
        Scalar(_temp.File("c.db"), "SELECT COUNT(*) FROM candles").ShouldBe(5_000L);
    }

    [Fact]
    public async Task UpsertAsync_OverlappingBatches_CountsNewAndReplacedRowsAndNewWins()
    {
        var candles = TestData.BinanceUsCandles;
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));
        await sink.UpsertAsync(TestData.BinanceUsSeries, candles.Take(100).ToList());
        var changed = candles.Skip(50).Take(100).Select(c => c with { Close = c.Close + 1 }).ToList();

        var result = await sink.UpsertAsync(TestData.BinanceUsSeries, changed);

        result.ShouldBe(new UpsertResult(50, 50));
        var read = await sink.ReadAsync(TestData.BinanceUsSeries).ToListAsync();
        read.Count.ShouldBe(150);
        read.Take(50).ShouldBe(candles.Take(50));
        read.Skip(50).ShouldBe(changed);
    }

    [Fact]
    public async Task UpsertAsync_BinanceUsCandles_PlainSqlComparesNumerically()
    {
        var candles = TestData.BinanceUsCandles;
        await using (var sink = new SqliteCandleSink(_temp.File("c.db")))
        {
            await sink.UpsertAsync(TestData.BinanceUsSeries, candles);
        }

        Scalar(_temp.File("c.db"), "SELECT COUNT(*) FROM candles WHERE close > 23000").ShouldBe((long)candles.Count(c => c.Close > 23000m));
        Scalar(_temp.File("c.db"), "SELECT COUNT(*) FROM candles WHERE exact IS NOT NULL").ShouldBe(0L);
        Scalar(_temp.File("c.db"), "SELECT typeof(close) FROM candles LIMIT 1").ShouldBe("real");
    }

    [Fact]
    public async Task UpsertAsync_ValuesBeyondDoublePrecision_ReadBackExactAndStayNumeric()
    {
        var series = TestData.BinanceUsSeries;
        var candle = new Candle(1_677_628_800_000, 23140.48m, 23150.77m, 23128.52m, 23142.31m, 12345678.123456789012m, 123456789.12345678m, 42);
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));

        await sink.UpsertAsync(series, [candle]);

        var read = (await sink.ReadAsync(series).ToListAsync()).Single();
        read.ShouldBe(candle);
        read.QuoteVolume.ToString().ShouldBe("123456789.12345678");
        Scalar(_temp.File("c.db"), "SELECT COUNT(*) FROM candles WHERE quote_volume > 123456789").ShouldBe(1L);
        Scalar(_temp.File("c.db"), "SELECT exact FROM candles").ShouldBe("23140.48|23150.77|23128.52|23142.31|12345678.123456789012|123456789.12345678");
    }

    [Fact]
    public async Task UpsertAsync_NewDatabase_UsesWalAndCreatesFolder()
    {
        var path = _temp.File("a/b/c.db");
        await using var sink = new SqliteCandleSink(path);

        await sink.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(1).ToList());

        File.Exists(path).ShouldBeTrue();
        Scalar(path, "PRAGMA journal_mode").ShouldBe("wal");
    }

    [Theory]
    [InlineData("candles; DROP TABLE x")]
    [InlineData("1candles")]
    [InlineData("my-candles")]
    [InlineData("\"candles\"")]
    [InlineData("")]
    [InlineData("coinlake_empty_ranges")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Constructor_InvalidTableName_ThrowsWithWhatIsAllowed(string table)
    {
        var e = Should.Throw<ArgumentException>(() => new SqliteCandleSink(_temp.File("c.db"), table));

        e.Message.ShouldContain(table.Length == 0 || table.StartsWith("coinlake", StringComparison.Ordinal) ? "" : "letter or '_'");
    }

    [Fact]
    public async Task UpsertAsync_CustomTable_WritesThatTable()
    {
        await using var sink = new SqliteCandleSink(_temp.File("c.db"), "candles_1m");

        await sink.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(10).ToList());

        Scalar(_temp.File("c.db"), "SELECT COUNT(*) FROM candles_1m").ShouldBe(10L);
        sink.Description.ShouldContain("candles_1m");
    }

    [Fact]
    public async Task UpsertAsync_UnorderedCandles_ThrowsArgumentException()
    {
        var candles = TestData.BinanceUsCandles.Take(3).Reverse().ToList();
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));

        var e = await Should.ThrowAsync<ArgumentException>(async () => await sink.UpsertAsync(TestData.BinanceUsSeries, candles));

        e.Message.ShouldContain("ascending");
    }

    [Fact]
    public async Task GetCoverageAsync_FreqtradeSeries_Reproduces538NaturalGaps()
    {
        var candles = TestData.FreqtradeCandles;
        var series = TestData.FreqtradeSeries;
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));
        await sink.UpsertAsync(series, candles);
        var span = new TimeRange(candles[0].OpenTime, series.Timeframe.Next(candles[^1].OpenTime));

        var coverage = await sink.GetCoverageAsync(series, span);

        var gaps = CandleCoverage.FindGaps(coverage.Stored, span, series.Timeframe);
        gaps.Count.ShouldBe(538);
        gaps.ShouldBe(CandleCoverage.FindGaps(candles.Select(c => c.OpenTime), series.Timeframe));
        coverage.KnownEmpty.IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public async Task GetCoverageAsync_RangeInsideSeries_ClippedToRange()
    {
        var candles = TestData.BinanceUsCandles;
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));
        await sink.UpsertAsync(TestData.BinanceUsSeries, candles.Take(100).ToList());
        var range = new TimeRange(candles[10].OpenTime + 30_000, candles[200].OpenTime);

        var coverage = await sink.GetCoverageAsync(TestData.BinanceUsSeries, range);

        coverage.Stored.Ranges.ShouldBe([new TimeRange(range.Start, candles[100].OpenTime)]);
    }

    [Fact]
    public async Task MarkEmptyAsync_OverlappingAndTouchingRanges_MergedAndPersisted()
    {
        var series = TestData.BinanceUsSeries;
        var path = _temp.File("c.db");
        await using (var sink = new SqliteCandleSink(path))
        {
            await sink.MarkEmptyAsync(series, [new TimeRange(1000, 2000), new TimeRange(5000, 6000)]);
            await sink.MarkEmptyAsync(series, [new TimeRange(1500, 3000), new TimeRange(3000, 4000)]);
        }

        await using (var reopened = new SqliteCandleSink(path))
        {
            var coverage = await reopened.GetCoverageAsync(series, new TimeRange(0, 10_000));
            coverage.KnownEmpty.Ranges.ShouldBe([new TimeRange(1000, 4000), new TimeRange(5000, 6000)]);
            coverage.Complete.Ranges.ShouldBe(coverage.KnownEmpty.Ranges);
            (await reopened.GetCoverageAsync(series with { Exchange = "okx" }, new TimeRange(0, 10_000))).KnownEmpty.IsEmpty.ShouldBeTrue();
        }

        Scalar(path, "SELECT COUNT(*) FROM coinlake_empty_ranges").ShouldBe(2L);
    }

    [Fact]
    public async Task UpsertAsync_TwoSinksOnOneFileConcurrently_BothSucceed()
    {
        var path = _temp.File("shared.db");
        var candles = TestData.BinanceUsCandles;
        var other = TestData.BinanceUsSeries with { Exchange = "binance" };
        await using var first = new SqliteCandleSink(path);
        await using var second = new SqliteCandleSink(path);

        async Task<UpsertResult> Write(SqliteCandleSink sink, SeriesKey series)
        {
            var total = default(UpsertResult);
            for (var i = 0; i < candles.Count; i += 1_000)
            {
                total += await sink.UpsertAsync(series, candles.Skip(i).Take(1_000).ToList());
            }

            return total;
        }

        var results = await Task.WhenAll(
            Task.Run(() => Write(first, TestData.BinanceUsSeries)),
            Task.Run(() => Write(second, other)));

        results.ShouldAllBe(r => r == new UpsertResult(30_240, 0));
        Scalar(path, "SELECT COUNT(*) FROM candles").ShouldBe(60_480L);
    }

    [Fact]
    public async Task ListSeriesAsync_TwoSeries_ListsBoth()
    {
        var swap = new SeriesKey("binance", Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap, Timeframe.OneHour, PriceType.Mark);
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));
        await sink.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(2).ToList());
        await sink.UpsertAsync(swap, [new Candle(1_677_628_800_000, 1, 1, 1, 1, 0)]);

        var series = await sink.ListSeriesAsync().ToListAsync();

        series.ShouldBe([swap, TestData.BinanceUsSeries], ignoreOrder: true);
    }

    [Fact]
    public async Task ReadAsync_Range_ReturnsOnlyCandlesInRange()
    {
        var candles = TestData.BinanceUsCandles;
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));
        await sink.UpsertAsync(TestData.BinanceUsSeries, candles);

        var read = await sink.ReadAsync(TestData.BinanceUsSeries, new TimeRange(candles[100].OpenTime, candles[200].OpenTime)).ToListAsync();

        read.ShouldBe(candles.Skip(100).Take(100));
    }

    [Fact]
    public async Task Constructor_ExistingForeignTable_ThrowsOnFirstUse()
    {
        var path = _temp.File("c.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE candles (id INTEGER)";
            command.ExecuteNonQuery();
        }

        await using var sink = new SqliteCandleSink(path);

        var e = await Should.ThrowAsync<InvalidOperationException>(async () => await sink.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(1).ToList()));
        e.Message.ShouldContain("another table name");
    }

    internal static object? Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
