using Coinlake.Candles;
using Coinlake.Storage.Parquet;
using Coinlake.Trades;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Storage.Tests.Parquet;

public sealed class ParquetPartCompactorTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempFolder _parts = new();
    private readonly TempFolder _direct = new();

    public void Dispose()
    {
        _parts.Dispose();
        _direct.Dispose();
    }

    /// <summary>
    /// Streams <paramref name="candles"/> the way a live stream does: each candle first in progress (a different close),
    /// then closed; parts rotate every <paramref name="rotateRows"/> rows, so versions of one candle span parts.
    /// </summary>
    private async Task StreamCandlesAsync(IReadOnlyList<Candle> candles, int rotateRows, int batch = 500)
    {
        var time = new FakeTimeProvider(Start);
        await using var sink = new ParquetCandlePartSink(_parts.Path, "btc_1m", new PartRotationOptions(TimeSpan.FromHours(1), rotateRows), time);
        foreach (var chunk in candles.Chunk(batch))
        {
            await sink.UpsertAsync(TestData.BinanceUsSeries, chunk.Select(c => c with { Close = c.Close + 1m }).ToList());
            await sink.UpsertAsync(TestData.BinanceUsSeries, chunk);
            time.Advance(TimeSpan.FromMinutes(7));
        }
    }

    private async Task<List<Candle>> ReadCandlesAsync(string folder) =>
        await new ParquetCandleReader(folder).ReadAsync(TestData.BinanceUsSeries).ToListAsync();

    private static IEnumerable<string> MonthlyFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories)
            .Where(f => PartFiles.TryParse(f) is null)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    [Fact]
    public async Task CompactAsync_RealSeriesStreamedIntoParts_EqualsADirectBackfillWrite()
    {
        var candles = TestData.BinanceUsCandles.Take(6_000).ToList();
        await StreamCandlesAsync(candles, rotateRows: 2_500, batch: 1_000);
        PartFiles.List(_parts.Path).Count.ShouldBeGreaterThan(3);
        await using (var direct = new ParquetCandleSink(_direct.Path))
        {
            await direct.UpsertAsync(TestData.BinanceUsSeries, candles);
        }

        var result = await new ParquetPartCompactor(_parts.Path).CompactAsync();

        result.CandleRows.ShouldBe(2L * candles.Count);
        result.Candles.Inserted.ShouldBe(candles.Count); // an in-progress version in one part, closed in the next: updated
        MonthlyFiles(_parts.Path).ShouldBe(MonthlyFiles(_direct.Path));
        (await ReadCandlesAsync(_parts.Path)).ShouldBe(await ReadCandlesAsync(_direct.Path));
        (await ReadCandlesAsync(_direct.Path)).ShouldBe(candles);
    }

    [Fact]
    public async Task CompactAsync_SameCandleInSeveralParts_TheLatestPartWins()
    {
        var candles = TestData.BinanceUsCandles.Take(100).ToList();
        var time = new FakeTimeProvider(Start);
        await using (var sink = new ParquetCandlePartSink(_parts.Path, "btc_1m", new PartRotationOptions(TimeSpan.FromMinutes(1)), time))
        {
            await sink.UpsertAsync(TestData.BinanceUsSeries, candles.Select(c => c with { Close = 1m }).ToList());
            time.Advance(TimeSpan.FromMinutes(1));
            await sink.UpsertAsync(TestData.BinanceUsSeries, candles.Take(50).Select(c => c with { Close = 2m }).ToList());
            time.Advance(TimeSpan.FromMinutes(1));
            await sink.UpsertAsync(TestData.BinanceUsSeries, candles.Take(10).ToList());
        }

        PartFiles.List(_parts.Path).Count.ShouldBe(3);
        var result = await new ParquetPartCompactor(_parts.Path, _direct.Path).CompactAsync();

        result.CandleRows.ShouldBe(160);
        var read = await new ParquetCandleReader(_direct.Path).ReadAsync(TestData.BinanceUsSeries).ToListAsync();
        read.Count.ShouldBe(100);
        read.Take(10).ShouldBe(candles.Take(10));
        read.Skip(10).Take(40).ShouldAllBe(c => c.Close == 2m);
        read.Skip(50).ShouldAllBe(c => c.Close == 1m);
    }

    [Fact]
    public async Task CompactAsync_RunTwice_ChangesNothingTheSecondTime()
    {
        await StreamCandlesAsync(TestData.BinanceUsCandles.Take(3_000).ToList(), rotateRows: 1_000);
        var compactor = new ParquetPartCompactor(_parts.Path, _direct.Path);
        await compactor.CompactAsync();
        var first = await ReadCandlesAsync(_direct.Path);
        var files = MonthlyFiles(_direct.Path).ToList();

        var again = await compactor.CompactAsync();

        again.Candles.Inserted.ShouldBe(0);
        MonthlyFiles(_direct.Path).ShouldBe(files);
        (await ReadCandlesAsync(_direct.Path)).ShouldBe(first);
        first.ShouldBe(TestData.BinanceUsCandles.Take(3_000));
    }

    [Fact]
    public async Task CompactAsync_DeleteParts_DeletesThemAfterCommitAndARerunFindsNothing()
    {
        var candles = TestData.BinanceUsCandles.Take(1_500).ToList();
        await StreamCandlesAsync(candles, rotateRows: 1_000);
        var parts = PartFiles.List(_parts.Path);

        var result = await new ParquetPartCompactor(_parts.Path).CompactAsync(new CompactionOptions { DeleteParts = true });

        result.DeletedParts.ShouldBe(parts.Select(p => p.Path));
        PartFiles.List(_parts.Path).ShouldBeEmpty();
        (await ReadCandlesAsync(_parts.Path)).ShouldBe(candles);
        var rerun = await new ParquetPartCompactor(_parts.Path).CompactAsync(new CompactionOptions { DeleteParts = true });
        rerun.Parts.ShouldBe(0);
        (await ReadCandlesAsync(_parts.Path)).ShouldBe(candles);
    }

    [Fact]
    public async Task CompactAsync_UnreadablePart_FailsAndDeletesNothing()
    {
        var candles = TestData.BinanceUsCandles.Take(100).ToList();
        await StreamCandlesAsync(candles, rotateRows: 1_000);
        File.WriteAllText(Path.Combine(_parts.Path, "btc_1m.part-20990101_000000.parquet"), "not parquet");

        await Should.ThrowAsync<Exception>(() => new ParquetPartCompactor(_parts.Path).CompactAsync(new CompactionOptions { DeleteParts = true }));

        PartFiles.List(_parts.Path).Count.ShouldBe(2);
    }

    [Fact]
    public async Task CompactAsync_CrashLeftovers_AreSkippedUnlessRecoveredAndGarbageIsLeft()
    {
        var candles = TestData.BinanceUsCandles.Take(300).ToList();
        var time = new FakeTimeProvider(Start);
        await using (var closed = new ParquetCandlePartSink(_parts.Path, "btc_1m", timeProvider: time))
        {
            await closed.UpsertAsync(TestData.BinanceUsSeries, candles.Take(100).ToList());
        }

        time.Advance(TimeSpan.FromHours(1));
        var crashed = new ParquetCandlePartSink(_parts.Path, "btc_1m", timeProvider: time);
        await crashed.UpsertAsync(TestData.BinanceUsSeries, candles.Skip(100).ToList());
        await crashed.FlushAsync(); // then the process dies: the part stays temporary
        var garbage = Path.Combine(_parts.Path, PartFiles.TempNameOf("btc_1m.part-20240101_020000.parquet"));
        File.WriteAllBytes(garbage, [1, 2, 3]);

        var skipping = await new ParquetPartCompactor(_parts.Path).CompactAsync();
        skipping.Parts.ShouldBe(1);
        skipping.SkippedTemporary.Count.ShouldBe(2);
        (await ReadCandlesAsync(_parts.Path)).Count.ShouldBe(100);

        var recovering = await new ParquetPartCompactor(_parts.Path).CompactAsync(new CompactionOptions { RecoverLeftovers = true, DeleteParts = true });

        recovering.RecoveredParts.Select(Path.GetFileName).ShouldBe(["btc_1m.part-20240101_010000.parquet"]);
        recovering.UnreadableLeftovers.ShouldBe([garbage]);
        File.Exists(garbage).ShouldBeTrue();
        (await ReadCandlesAsync(_parts.Path)).ShouldBe(candles);
    }

    [Fact]
    public async Task CompactAsync_TaskFilter_LeavesOtherTasksParts()
    {
        var time = new FakeTimeProvider(Start);
        var candles = TestData.BinanceUsCandles.Take(10).ToList();
        await using (var a = new ParquetCandlePartSink(_parts.Path, "a", timeProvider: time))
        await using (var b = new ParquetCandlePartSink(_parts.Path, "b", timeProvider: time))
        {
            await a.UpsertAsync(TestData.BinanceUsSeries, candles);
            await b.UpsertAsync(TestData.BinanceUsSeries with { Exchange = "other" }, candles);
        }

        var result = await new ParquetPartCompactor(_parts.Path).CompactAsync(new CompactionOptions { Task = "a", DeleteParts = true });

        result.Parts.ShouldBe(1);
        PartFiles.List(_parts.Path).ShouldHaveSingleItem().Task.ShouldBe("b");
    }

    [Fact]
    public async Task CompactAsync_TradeParts_EqualADirectTradeWriteWithDuplicateIdsCollapsed()
    {
        var trades = TradeTestData.XrpEthTrades;
        var series = TradeTestData.XrpEthSeries;
        var time = new FakeTimeProvider(Start);
        await using (var sink = new ParquetTradePartSink(_parts.Path, "xrp", new PartRotationOptions(TimeSpan.FromHours(1), 4_000), time))
        {
            foreach (var chunk in trades.Chunk(1_000))
            {
                await sink.UpsertTradesAsync(series, chunk);
            }

            await sink.UpsertTradesAsync(series, trades.Take(500).ToList()); // a reconnect replays trades already written
            (await sink.LastTradeTimeAsync(series)).ShouldBe(trades.Max(t => t.Timestamp));
        }

        await using (var direct = new ParquetTradeSink(_direct.Path))
        {
            await direct.UpsertTradesAsync(series, trades);
        }

        var result = await new ParquetPartCompactor(_parts.Path).CompactAsync(new CompactionOptions { DeleteParts = true });

        result.TradeRows.ShouldBe(trades.Count + 500);
        result.Trades.Inserted.ShouldBe(trades.Select(t => t.Id).Distinct().Count());
        PartFiles.List(_parts.Path).ShouldBeEmpty();
        MonthlyFiles(_parts.Path).ShouldBe(MonthlyFiles(_direct.Path));
        var compacted = await new ParquetTradeSink(_parts.Path).ReadTradesAsync(series).ToListAsync();
        var written = await new ParquetTradeSink(_direct.Path).ReadTradesAsync(series).ToListAsync();
        compacted.ShouldBe(written);
    }
}
