using BenchmarkDotNet.Attributes;
using Coinlake.Benchmarks.Infrastructure;
using Coinlake.Candles;
using Coinlake.Storage.Parquet;

namespace Coinlake.Benchmarks.Suites;

/// <summary>
/// <see cref="ParquetCandleSink"/>: one month of 1m candles (January 2023, 44,640 rows) upserted in batches of
/// 1000 as a backfill does, then <see cref="ParquetCandleSink.FlushAsync"/> writes the month file
/// (<c>binance/BTCUSDT/1m/2023-01.parquet</c>, DECIMAL(38,18) columns, zstd). <see cref="WriteMonth"/> starts from an
/// empty folder; <see cref="RewriteMonth"/> upserts the same month over the existing file (read, merge, rewrite).
/// Target: 1,000,000 rows/s for the write.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the suite.</remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[Config(typeof(CandleBenchConfig))]
[InvocationCount(1)] // an invocation is tens of thousands of rows (> 40 ms): one per iteration, no unrolling
public class ParquetWriteBenchmarks
{
    /// <summary>Candles per invocation: the 44,640 minutes of a 31-day month.</summary>
    public const int Rows = 31 * 1440;

    private readonly Candle[][] _batches = BenchData.Batches(BenchData.Candles(Rows));
    private TempFolder? _folder;

    /// <summary>Creates the temp folder.</summary>
    [GlobalSetup]
    public void Setup() => _folder = new TempFolder("parquet");

    /// <summary>Empties the folder before each <see cref="WriteMonth"/> iteration.</summary>
    [IterationSetup(Target = nameof(WriteMonth))]
    public void EmptyFolder() => _folder!.Clear();

    /// <summary>Writes the month file once before <see cref="RewriteMonth"/> is measured.</summary>
    [GlobalSetup(Target = nameof(RewriteMonth))]
    public void SetupRewrite()
    {
        Setup();
        WriteMonthAsync().GetAwaiter().GetResult();
    }

    /// <summary>Deletes the folder.</summary>
    [GlobalCleanup]
    public void Cleanup() => _folder?.Dispose();

    /// <summary>44,640 candles into a new month file.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    [CandlesPerSecondTarget(1_000_000)]
    public Task<long> WriteMonth() => WriteMonthAsync();

    /// <summary>The same 44,640 candles over the existing file: every row is an update, the file is read and rewritten.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public Task<long> RewriteMonth() => WriteMonthAsync();

    private async Task<long> WriteMonthAsync()
    {
        await using var sink = new ParquetCandleSink(_folder!.Path);
        long rows = 0;
        foreach (var batch in _batches)
        {
            var result = await sink.UpsertAsync(BenchData.Series, batch);
            rows += result.Inserted + result.Updated;
        }

        await sink.FlushAsync();
        return rows;
    }
}
