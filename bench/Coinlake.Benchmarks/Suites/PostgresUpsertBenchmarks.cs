using BenchmarkDotNet.Attributes;
using Coinlake.Benchmarks.Infrastructure;
using Coinlake.Candles;
using Coinlake.Storage.Postgres;
using Coinlake.Testing.Postgres;
using Npgsql;

namespace Coinlake.Benchmarks.Suites;

/// <summary>
/// <see cref="PostgresCandleSink.UpsertAsync"/> (binary COPY into a temp staging table, then one
/// <c>INSERT ... SELECT ... ON CONFLICT DO UPDATE</c>, one transaction per batch) into a real PostgreSQL: the server of
/// <c>COINLAKE_TEST_PG</c> when set, else the throwaway cluster of <see cref="TestPostgres"/> (loopback TCP,
/// <c>fsync=off</c>). 50,000 candles per invocation in batches of <see cref="BatchSize"/> (1000 = one kline page).
/// <see cref="Fresh"/> starts from an empty table every iteration; <see cref="AllConflict"/> upserts the same 50,000
/// candles again into a table that holds them (every row takes the <c>DO UPDATE</c> path). Target: 100,000 candles/s.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the suite.</remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[Config(typeof(CandleBenchConfig))]
[InvocationCount(1)] // an invocation is 50,000 rows (> 100 ms): one per iteration, no unrolling
public class PostgresUpsertBenchmarks
{
    /// <summary>Candles per invocation.</summary>
    public const int Rows = 50_000;

    private readonly Candle[] _candles = BenchData.Candles(Rows);
    private Candle[][] _batches = [];
    private string _db = "";
    private PostgresCandleSink? _sink;

    /// <summary>Candles per upsert (one transaction each).</summary>
    [Params(1000, 10_000)]
    public int BatchSize { get; set; }

    /// <summary>Creates a database and opens the sink (schema created).</summary>
    [GlobalSetup(Target = nameof(Fresh))]
    public void SetupFresh() => Open("pg_fresh");

    /// <summary>Empties the candle table before every iteration.</summary>
    [IterationSetup(Target = nameof(Fresh))]
    public void Truncate()
    {
        using var connection = new NpgsqlConnection(_db);
        connection.Open();
        using var command = new NpgsqlCommand("TRUNCATE candles", connection);
        command.ExecuteNonQuery();
    }

    /// <summary>Creates a database holding the 50,000 candles for <see cref="AllConflict"/>.</summary>
    [GlobalSetup(Target = nameof(AllConflict))]
    public void SetupConflict()
    {
        Open("pg_conflict");
        var result = UpsertAllAsync().AsTask().GetAwaiter().GetResult();
        if (result.Inserted != Rows)
        {
            throw new InvalidOperationException($"Seeding inserted {result.Inserted} rows; expected {Rows}.");
        }
    }

    /// <summary>Closes the sink (the throwaway cluster goes when the process exits).</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _sink?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _sink = null;
    }

    /// <summary>50,000 new candles into an empty table.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    [CandlesPerSecondTarget(100_000)]
    public ValueTask<Storage.UpsertResult> Fresh() => UpsertAllAsync();

    /// <summary>The same 50,000 candles again: every row conflicts with a stored one and is updated.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    [CandlesPerSecondTarget(100_000)]
    public ValueTask<Storage.UpsertResult> AllConflict() => UpsertAllAsync();

    private void Open(string name)
    {
        _batches = [.. _candles.Chunk(BatchSize)];
        _db = TestPostgres.CreateDatabaseAsync(name).GetAwaiter().GetResult();
        _sink = new PostgresCandleSink(_db);
        _sink.Store.EnsureSchemaAsync().AsTask().GetAwaiter().GetResult();
    }

    private async ValueTask<Storage.UpsertResult> UpsertAllAsync()
    {
        var total = default(Storage.UpsertResult);
        foreach (var batch in _batches)
        {
            total += await _sink!.UpsertAsync(BenchData.Series, batch);
        }

        return total;
    }
}
