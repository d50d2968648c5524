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
    public async Task UpsertAsync_VolumeAtDecimalMaxValue_StoredExactInsteadOfOverflowing()
    {
        var candle = TestData.BinanceUsCandles[0] with { Volume = decimal.MaxValue };
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));

        await sink.UpsertAsync(TestData.BinanceUsSeries, [candle]);

        (await sink.ReadAsync(TestData.BinanceUsSeries).ToListAsync()).ShouldBe([candle]);
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

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(128)]
    [InlineData(1000)]
    public async Task UpsertAsync_BatchSizesAroundTheChunk_EveryRowStoredExactlyOnce(int count)
    {
        var candles = TestData.BinanceUsCandles.Take(count).ToList();
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));

        var result = await sink.UpsertAsync(TestData.BinanceUsSeries, candles);

        result.ShouldBe(new UpsertResult(count, 0));
        (await sink.ReadAsync(TestData.BinanceUsSeries).ToListAsync()).ShouldBe(candles);
        Scalar(_temp.File("c.db"), "SELECT COUNT(*) FROM candles").ShouldBe((long)count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1000)]
    public async Task UpsertAsync_MixedNewAndStoredRowsAcrossChunks_CountsEachAndNewValuesWin(int count)
    {
        // Every third candle of the batch is stored already (with another close); the batch also covers open
        // times the table holds but the batch skips (every fifth), which must not be counted.
        var all = TestData.BinanceUsCandles.Take(count).ToList();
        var stored = all.Where((_, i) => i % 3 == 0 || i % 5 == 0).Select(c => c with { Close = c.Close + 1 }).ToList();
        var batch = all.Where((_, i) => i % 5 != 0 || i % 3 == 0).ToList();
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));
        await sink.UpsertAsync(TestData.BinanceUsSeries, stored);

        var result = await sink.UpsertAsync(TestData.BinanceUsSeries, batch);

        var updated = batch.Count(c => stored.Any(s => s.OpenTime == c.OpenTime));
        result.ShouldBe(new UpsertResult(batch.Count - updated, updated));
        var expected = stored.Where(s => batch.All(c => c.OpenTime != s.OpenTime)).Concat(batch).OrderBy(c => c.OpenTime).ToList();
        (await sink.ReadAsync(TestData.BinanceUsSeries).ToListAsync()).ShouldBe(expected);
    }

    [Fact]
    public async Task UpsertAsync_TwoSeriesInOneTable_SeriesColumnsBoundPerBatch()
    {
        var other = TestData.BinanceUsSeries with { Symbol = Coinlake.Markets.Symbol.Parse("ETH/USDT") };
        var candles = TestData.BinanceUsCandles.Take(130).ToList();
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));

        await sink.UpsertAsync(TestData.BinanceUsSeries, candles);
        var second = await sink.UpsertAsync(other, candles.Take(70).ToList());

        second.ShouldBe(new UpsertResult(70, 0));
        Scalar(_temp.File("c.db"), "SELECT COUNT(*) FROM candles WHERE symbol = 'BTC/USDT'").ShouldBe(130L);
        Scalar(_temp.File("c.db"), "SELECT COUNT(*) FROM candles WHERE symbol = 'ETH/USDT'").ShouldBe(70L);
    }

    [Fact]
    public async Task UpsertAsync_ExactAndPlainRowsInOneChunk_ExactColumnOnlyWhereNeeded()
    {
        var candles = TestData.BinanceUsCandles.Take(100).ToList();
        candles[70] = candles[70] with { QuoteVolume = 123456789.12345678m };
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));

        await sink.UpsertAsync(TestData.BinanceUsSeries, candles);

        (await sink.ReadAsync(TestData.BinanceUsSeries).ToListAsync()).ShouldBe(candles);
        Scalar(_temp.File("c.db"), "SELECT COUNT(*) FROM candles WHERE exact IS NOT NULL").ShouldBe(1L);
        Scalar(_temp.File("c.db"), $"SELECT COUNT(*) FROM candles WHERE exact IS NOT NULL AND open_time = {candles[70].OpenTime}").ShouldBe(1L);
    }

    [Fact]
    public async Task UpsertAsync_CancelledBeforeTheLastChunk_NothingCommitted()
    {
        var candles = TestData.BinanceUsCandles.Take(200).ToList();
        await using var sink = new SqliteCandleSink(_temp.File("c.db"));
        await sink.UpsertAsync(TestData.BinanceUsSeries, candles.Take(1).ToList());
        using var cts = new CancellationTokenSource();
        // Row 150 is read twice by the order check and a third time when its chunk (rows 128..191) is bound.
        var cancelling = new CancelOnRead(candles, 150, 3, cts);

        await Should.ThrowAsync<OperationCanceledException>(async () => await sink.UpsertAsync(TestData.BinanceUsSeries, cancelling, cts.Token));

        Scalar(_temp.File("c.db"), "SELECT COUNT(*) FROM candles").ShouldBe(1L);
        (await sink.UpsertAsync(TestData.BinanceUsSeries, candles)).ShouldBe(new UpsertResult(199, 1));
    }

    [Fact]
    public async Task UpsertAsync_RowOfALaterChunkRefused_ThrowsSqliteExceptionAndRollsBack()
    {
        var path = _temp.File("c.db");
        await using var sink = new SqliteCandleSink(path);
        await sink.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(1).ToList());
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TRIGGER refuse BEFORE INSERT ON candles WHEN NEW.open_time = " +
                TestData.BinanceUsCandles[100].OpenTime.ToString(System.Globalization.CultureInfo.InvariantCulture) +
                " BEGIN SELECT RAISE(ABORT, 'refused by test'); END";
            command.ExecuteNonQuery();
        }

        var e = await Should.ThrowAsync<SqliteException>(async () => await sink.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(200).ToList()));

        e.Message.ShouldContain("refused by test");
        Scalar(path, "SELECT COUNT(*) FROM candles").ShouldBe(1L);
    }

    internal static object? Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>A batch that cancels its token when row <c>at</c> is read for the <c>times</c>-th time.</summary>
    private sealed class CancelOnRead(IReadOnlyList<Candle> inner, int at, int times, CancellationTokenSource cts) : IReadOnlyList<Candle>
    {
        private int _reads;

        public int Count => inner.Count;

        public Candle this[int index]
        {
            get
            {
                if (index == at && ++_reads == times)
                {
                    cts.Cancel();
                }

                return inner[index];
            }
        }

        public IEnumerator<Candle> GetEnumerator() => inner.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
