using Coinlake.Candles;
using Coinlake.Storage.Parquet;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Storage.Tests.Parquet;

public sealed class ParquetPartSinkTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static async Task<int> RowsOf(string path) => (await new ParquetCandleFormat().ReadAsync(path, CancellationToken.None)).Candles.Count;

    [Fact]
    public async Task UpsertAsync_RotateRows_ClosesPartsOfExactlyThatManyRows()
    {
        var time = new FakeTimeProvider(Start);
        var candles = TestData.BinanceUsCandles.Take(2_500).ToList();
        var sink = new ParquetCandlePartSink(_temp.Path, "btc", new PartRotationOptions(TimeSpan.FromHours(1), MaxRows: 1_000), time);

        foreach (var batch in candles.Chunk(700))
        {
            await sink.UpsertAsync(TestData.BinanceUsSeries, batch);
        }

        sink.ClosedParts.Count.ShouldBe(2);
        await sink.DisposeAsync();

        sink.ClosedParts.Select(Path.GetFileName).ShouldBe(["btc.part-20240101_000000.parquet", "btc.part-20240101_000000-1.parquet", "btc.part-20240101_000000-2.parquet"]);
        var counts = new List<int>();
        foreach (var part in sink.ClosedParts)
        {
            counts.Add(await RowsOf(part));
        }

        counts.ShouldBe([1_000, 1_000, 500]);
        Directory.EnumerateFiles(_temp.Path, "*.tmp").ShouldBeEmpty();
    }

    [Fact]
    public async Task UpsertAsync_RotationPeriodPassed_ClosesThePartAndOpensOneNamedByTheNewTime()
    {
        var time = new FakeTimeProvider(Start.AddSeconds(7));
        var candles = TestData.BinanceUsCandles;
        var sink = new ParquetCandlePartSink(_temp.Path, "btc", new PartRotationOptions(TimeSpan.FromHours(1)), time);

        await sink.UpsertAsync(TestData.BinanceUsSeries, [candles[0]]);
        time.Advance(TimeSpan.FromMinutes(59));
        await sink.UpsertAsync(TestData.BinanceUsSeries, [candles[1]]);
        await sink.FlushAsync();
        sink.ClosedParts.ShouldBeEmpty();

        time.Advance(TimeSpan.FromMinutes(1));
        await sink.UpsertAsync(TestData.BinanceUsSeries, [candles[2]]);

        var first = sink.ClosedParts.ShouldHaveSingleItem();
        Path.GetFileName(first).ShouldBe("btc.part-20240101_000007.parquet");
        (await RowsOf(first)).ShouldBe(2);
        await sink.DisposeAsync();
        Path.GetFileName(sink.ClosedParts[1]).ShouldBe("btc.part-20240101_010007.parquet");
        (await RowsOf(sink.ClosedParts[1])).ShouldBe(1);
    }

    [Fact]
    public async Task FlushAsync_PeriodPassedWithoutNewRows_ClosesThePart()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new ParquetCandlePartSink(_temp.Path, "btc", new PartRotationOptions(TimeSpan.FromMinutes(15)), time);
        await sink.UpsertAsync(TestData.BinanceUsSeries, [TestData.BinanceUsCandles[0]]);

        time.Advance(TimeSpan.FromMinutes(15));
        await sink.FlushAsync();

        sink.ClosedParts.ShouldHaveSingleItem();
        await sink.DisposeAsync();
        sink.ClosedParts.Count.ShouldBe(1);
    }

    [Fact]
    public async Task UpsertAsync_TwoSeries_OnePartHoldsBothWithTheirSeriesColumns()
    {
        var time = new FakeTimeProvider(Start);
        var other = TestData.BinanceUsSeries with { Symbol = Coinlake.Markets.Symbol.Parse("ETH/USDT") };
        await using (var sink = new ParquetCandlePartSink(_temp.Path, "multi", timeProvider: time))
        {
            await sink.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(3).ToList());
            await sink.UpsertAsync(other, TestData.BinanceUsCandles.Take(2).ToList());
        }

        var part = PartFiles.List(_temp.Path).ShouldHaveSingleItem();
        var rows = await new ParquetCandleFormat().ReadAsync(part.Path, CancellationToken.None);
        rows.RowSeries!.Count(s => s == TestData.BinanceUsSeries).ShouldBe(3);
        rows.RowSeries!.Count(s => s == other).ShouldBe(2);
    }

    [Fact]
    public async Task OpenPart_CrashAfterFlush_LeavesAReadableTempThatTheNextSinkRecovers()
    {
        var time = new FakeTimeProvider(Start);
        var crashed = new ParquetCandlePartSink(_temp.Path, "btc", timeProvider: time);
        await crashed.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(10).ToList());
        await crashed.FlushAsync();
        await crashed.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Skip(10).Take(5).ToList());
        await crashed.FlushAsync();
        await crashed.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Skip(15).Take(5).ToList()); // never flushed: lost

        // The process dies here: no dispose. Only the temporary part exists, and readers skip it.
        var temp = Directory.EnumerateFiles(_temp.Path, ".*.tmp").ShouldHaveSingleItem();
        PartFiles.List(_temp.Path).ShouldBeEmpty();

        time.Advance(TimeSpan.FromMinutes(5));
        await using var next = new ParquetCandlePartSink(_temp.Path, "btc", timeProvider: time);
        await next.UpsertAsync(TestData.BinanceUsSeries, [TestData.BinanceUsCandles[20]]);

        var recovered = next.RecoveredParts.ShouldHaveSingleItem();
        Path.GetFileName(recovered).ShouldBe("btc.part-20240101_000000.parquet");
        File.Exists(temp).ShouldBeFalse();
        (await RowsOf(recovered)).ShouldBe(15);
    }

    [Fact]
    public async Task Constructor_TaskNameWithSlash_Throws()
    {
        Should.Throw<ArgumentException>(() => new ParquetCandlePartSink(_temp.Path, "../x")).Message.ShouldContain("cannot name part files");
        Should.Throw<ArgumentException>(() => new ParquetTradePartSink(_temp.Path, "t", new PartRotationOptions(TimeSpan.Zero))).Message.ShouldContain("rotate");
        await Task.CompletedTask;
    }

    [Fact]
    public async Task UpsertAsync_ValueTooPreciseForParquet_IsRefusedBeforeWriting()
    {
        await using var sink = new ParquetCandlePartSink(_temp.Path, "btc");
        var bad = new Candle(0, 1.0000000000000000001m, 2, 1, 1, 1);

        await Should.ThrowAsync<ArgumentException>(async () => await sink.UpsertAsync(TestData.BinanceUsSeries, [bad]));
    }

    [Fact]
    public async Task ParquetCandleReader_FolderWithPartsAndMonthlyFiles_ReadsOnlyTheMonthlyFiles()
    {
        var candles = TestData.BinanceUsCandles.Take(20).ToList();
        await using (var parts = new ParquetCandlePartSink(_temp.Path, "btc"))
        {
            await parts.UpsertAsync(TestData.BinanceUsSeries, candles);
        }

        await using (var monthly = new ParquetCandleSink(_temp.Path))
        {
            await monthly.UpsertAsync(TestData.BinanceUsSeries, candles.Take(5).ToList());
        }

        (await new ParquetCandleReader(_temp.Path).ReadAsync(TestData.BinanceUsSeries).ToListAsync()).ShouldBe(candles.Take(5));
        var part = PartFiles.List(_temp.Path).ShouldHaveSingleItem();
        (await new ParquetCandleReader(part.Path).ReadAsync(TestData.BinanceUsSeries).ToListAsync()).ShouldBe(candles);
    }
}
