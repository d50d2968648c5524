using BenchmarkDotNet.Attributes;
using Coinlake.Benchmarks.Infrastructure;
using Coinlake.Candles;
using Coinlake.Storage.Sqlite;
using Coinlake.Time;

namespace Coinlake.Benchmarks.Suites;

/// <summary>
/// <see cref="SqliteCandleSink.UpsertAsync"/> into a database file in a temp folder (WAL, <c>synchronous=NORMAL</c>:
/// the sink's own settings), in batches of 1000 candles (one kline page = one transaction), 50,000 candles per
/// invocation. <see cref="Fresh"/> starts from an empty table every iteration; <see cref="AllConflict"/> upserts
/// the same 50,000 candles again into a table that already holds them (every row takes the
/// <c>ON CONFLICT DO UPDATE</c> path). Targets: 250,000 and 150,000 rows/s.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the suite.</remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[Config(typeof(CandleBenchConfig))]
[InvocationCount(1)] // an invocation is tens of thousands of rows (> 40 ms): one per iteration, no unrolling
public class SqliteUpsertBenchmarks
{
    /// <summary>Candles per invocation (50 batches of 1000).</summary>
    public const int Rows = 50_000;

    private readonly Candle[][] _batches = BenchData.Batches(BenchData.Candles(Rows));
    private TempFolder? _folder;
    private SqliteCandleSink? _sink;

    /// <summary>Creates the temp folder for <see cref="Fresh"/>.</summary>
    [GlobalSetup(Target = nameof(Fresh))]
    public void SetupFresh() => _folder = new TempFolder("sqlite-fresh");

    /// <summary>Starts every iteration with a new, empty database (schema created, no rows).</summary>
    [IterationSetup(Target = nameof(Fresh))]
    public void NewDatabase()
    {
        _sink?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _folder!.Clear();
        _sink = OpenAsync(_folder.Path).GetAwaiter().GetResult();
    }

    /// <summary>Creates a database holding the 50,000 candles for <see cref="AllConflict"/>.</summary>
    [GlobalSetup(Target = nameof(AllConflict))]
    public void SetupConflict()
    {
        _folder = new TempFolder("sqlite-conflict");
        _sink = OpenAsync(_folder.Path).GetAwaiter().GetResult();
        var result = UpsertAllAsync().AsTask().GetAwaiter().GetResult();
        if (result.Inserted != Rows)
        {
            throw new InvalidOperationException($"Seeding inserted {result.Inserted} rows; expected {Rows}.");
        }
    }

    /// <summary>Closes the database and deletes the folder.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _sink?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _sink = null;
        _folder?.Dispose();
    }

    /// <summary>50 batches of 1000 new candles into an empty table.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    [CandlesPerSecondTarget(250_000)]
    public ValueTask<Storage.UpsertResult> Fresh() => UpsertAllAsync();

    /// <summary>The same 50 batches again: every row conflicts with a stored one and is updated.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    [CandlesPerSecondTarget(150_000)]
    public ValueTask<Storage.UpsertResult> AllConflict() => UpsertAllAsync();

    private async ValueTask<Storage.UpsertResult> UpsertAllAsync()
    {
        var total = default(Storage.UpsertResult);
        foreach (var batch in _batches)
        {
            total += await _sink!.UpsertAsync(BenchData.Series, batch);
        }

        return total;
    }

    private static async Task<SqliteCandleSink> OpenAsync(string folder)
    {
        var sink = new SqliteCandleSink(Path.Combine(folder, "coinlake.db"));
        await sink.GetCoverageAsync(BenchData.Series, new TimeRange(0, 60_000)); // opens the file and creates the schema
        return sink;
    }
}
