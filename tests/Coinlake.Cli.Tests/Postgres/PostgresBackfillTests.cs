using System.Globalization;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Storage;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Testing.Postgres;
using Coinlake.Time;
using Npgsql;

namespace Coinlake.Cli.Tests.Postgres;

/// <summary><c>coinlake run</c> with a <c>postgres</c> sink, against the fake Binance server replaying real candles, into a real PostgreSQL.</summary>
public sealed class PostgresBackfillTests : IAsyncLifetime, IDisposable
{
    private static readonly SeriesKey Series = new("binance", Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last);

    private readonly CliHarness _cli = new();
    private readonly string _variable = "COINLAKE_TEST_PG_OUT_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private FakeBinanceServer _server = null!;
    private string _db = null!;

    private static IReadOnlyList<Candle> Source => TestData.BinanceUsBtcUsdt1m();

    public async Task InitializeAsync()
    {
        _server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0 });
        _server.AddSeries("BTCUSDT", FakeMarket.Spot, Source);
        if (TestPostgres.SkipReason is null)
        {
            _db = await TestPostgres.CreateDatabaseAsync(nameof(PostgresBackfillTests));
            Environment.SetEnvironmentVariable(_variable, _db);
            _cli.Environment[_variable] = _db; // the in-process CLI reads its environment through the harness
        }
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        await _server.DisposeAsync();
    }

    public void Dispose() => _cli.Dispose();

    private string TaskFile(string sink) => _cli.WriteFile("tasks.yaml", $"""
        version: 1
        tasks:
          - name: btc
            exchange: binance
            symbol: BTC/USDT
            timeframe: 1m
            start: 2023-03-01
            end: 2023-03-22
            base_url: {_server.BaseUrl}
            sinks:
              - {sink}
        """);

    [PostgresFact]
    public async Task Run_FormatPostgresFromEnvironmentVariable_StoredCandlesEqualTheSourceAndRerunAddsNoRows()
    {
        var file = TaskFile($"{{ format: postgres, output: 'env:{_variable}', table: ohlcv_1m }}");

        var first = await _cli.RunAsync("run", file);
        var second = await _cli.RunAsync("run", file);

        first.ExitCode.ShouldBe(0, first.ToString());
        second.ExitCode.ShouldBe(0, second.ToString());
        var reader = CandleStores.OpenReader(_db, new ReaderHints { Table = "ohlcv_1m" });
        (await reader.ListSeriesAsync().ToListAsync()).ShouldBe([Series]);
        var stored = await reader.ReadAsync(Series).ToListAsync();
        stored.Count.ShouldBe(30_240);
        for (var i = 0; i < Source.Count; i++)
        {
            (stored[i].OpenTime, stored[i].Open, stored[i].High, stored[i].Low, stored[i].Close, stored[i].Volume)
                .ShouldBe((Source[i].OpenTime, Source[i].Open, Source[i].High, Source[i].Low, Source[i].Close, Source[i].Volume), $"row {i}");
        }

        (await ScalarAsync("SELECT count(*) FROM ohlcv_1m")).ShouldBe(30_240L);
        (await ScalarAsync("SELECT count(*) FROM ohlcv_1m WHERE close::text LIKE '%.________'")).ShouldBe(30_240L); // Binance's 8 decimals kept
    }

    [PostgresFact]
    public async Task Run_PostgresVariableNotSet_TaskFailsNamingTheVariable()
    {
        var file = TaskFile("{ format: postgres, output: 'env:COINLAKE_TEST_PG_NOT_SET_ANYWHERE' }");

        var result = await _cli.RunAsync("run", file);

        result.ExitCode.ShouldNotBe(0);
        (result.Out + result.Error).ShouldContain("COINLAKE_TEST_PG_NOT_SET_ANYWHERE");
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
