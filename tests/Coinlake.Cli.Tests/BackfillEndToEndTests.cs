using System.Globalization;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Storage;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Time;
using Microsoft.Data.Sqlite;

namespace Coinlake.Cli.Tests;

/// <summary>The main job end to end through the CLI, against the fake Binance server replaying real candles.</summary>
public sealed class BackfillEndToEndTests : IAsyncLifetime, IDisposable
{
    private readonly CliHarness _cli = new();
    private FakeBinanceServer _server = null!;

    private static IReadOnlyList<Candle> Source => TestData.BinanceUsBtcUsdt1m();

    public async Task InitializeAsync()
    {
        _server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0 });
        _server.AddSeries("BTCUSDT", FakeMarket.Spot, Source);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    private string TaskFile(string sinks, string extra = "", string name = "btc") => _cli.WriteFile("tasks.yaml", $"""
        version: 1
        tasks:
          - name: {name}
            exchange: binance
            symbol: BTC/USDT
            timeframe: 1m
            start: 2023-03-01
            end: 2023-03-22
            base_url: {_server.BaseUrl}
        {extra}
            sinks:
        {sinks}
        """);

    private const string SqliteSink = "      - { format: sqlite, output: out/coinlake.db }";

    private static readonly SeriesKey Series = new("binance", Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last);

    private async Task<List<Candle>> ReadSqliteAsync(string relative = "out/coinlake.db")
    {
        var sink = new Coinlake.Storage.Sqlite.SqliteCandleSink(_cli.Path(relative));
        await using var _ = sink;
        var list = new List<Candle>();
        await foreach (var c in sink.ReadAsync(Series))
        {
            list.Add(c);
        }

        return list;
    }

    private long Scalar(string sql, string relative = "out/coinlake.db")
    {
        using var connection = new SqliteConnection($"Data Source={_cli.Path(relative)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void ShouldEqualSource(IReadOnlyList<Candle> stored)
    {
        stored.Count.ShouldBe(30_240);
        for (var i = 0; i < Source.Count; i++)
        {
            var (s, e) = (stored[i], Source[i]);
            (s.OpenTime, s.Open, s.High, s.Low, s.Close, s.Volume).ShouldBe((e.OpenTime, e.Open, e.High, e.Low, e.Close, e.Volume), $"row {i}");
        }
    }

    [Fact]
    public async Task Run_FullBackfill_EverySinkEqualsTheSourceExactly()
    {
        var file = TaskFile("""
                  - { format: sqlite, output: out/coinlake.db }
                  - { format: parquet, output: out/parquet }
                  - { format: csv, output: out/csv }
                  - { format: json, output: out/json }
            """);

        var result = await _cli.RunAsync("run", file);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldEqualSource(await ReadSqliteAsync());
        Scalar("SELECT COUNT(*) FROM candles").ShouldBe(30_240);
        Scalar("SELECT COUNT(*) FROM (SELECT open_time FROM candles GROUP BY exchange, symbol, market_type, timeframe, price, open_time HAVING COUNT(*) > 1)").ShouldBe(0);

        foreach (var path in new[] { "out/parquet", "out/csv/BTCUSDT_1m.csv", "out/json/BTCUSDT_1m.json" })
        {
            var reader = CandleStores.OpenReader(_cli.Path(path), new ReaderHints { Exchange = "binance", Symbol = Symbol.Parse("BTC/USDT"), Timeframe = Timeframe.OneMinute });
            var series = new List<SeriesKey>();
            await foreach (var s in reader.ListSeriesAsync())
            {
                series.Add(s);
            }

            series.Count.ShouldBe(1, path);
            var candles = new List<Candle>();
            await foreach (var c in reader.ReadAsync(series[0]))
            {
                candles.Add(c);
            }

            ShouldEqualSource(candles);
            (reader as IDisposable)?.Dispose();
        }

        // Parquet is laid out one file per series and month, and DuckDB reads open_time as a timestamp.
        File.Exists(_cli.Path("out/parquet/binance/BTCUSDT/1m/2023-03.parquet")).ShouldBeTrue();
        using var duck = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        duck.Open();
        using var query = duck.CreateCommand();
        query.CommandText = $"SELECT COUNT(*), MIN(open_time), typeof(MIN(open_time)) FROM read_parquet('{_cli.Path("out/parquet")}/**/*.parquet')";
        using var row = query.ExecuteReader();
        row.Read().ShouldBeTrue();
        Convert.ToInt64(row.GetValue(0), CultureInfo.InvariantCulture).ShouldBe(30_240);
        row.GetDateTime(1).Ticks.ShouldBe(new DateTime(2023, 3, 1, 0, 0, 0, DateTimeKind.Utc).Ticks);
        row.GetString(2).ShouldStartWith("TIMESTAMP");
    }

    [Fact]
    public async Task Run_SecondRun_MakesNoKlinesRequest()
    {
        var file = TaskFile(SqliteSink);
        (await _cli.RunAsync("run", file)).ExitCode.ShouldBe(0);
        _server.ClearRequests();

        var second = await _cli.RunAsync("run", file);

        second.ExitCode.ShouldBe(0, second.ToString());
        _server.CountRequests("klines").ShouldBeLessThanOrEqualTo(1);
        Scalar("SELECT COUNT(*) FROM candles").ShouldBe(30_240);
    }

    [Fact]
    public async Task Run_DeletedMiddleRange_FetchesOnlyThatRange()
    {
        var file = TaskFile(SqliteSink);
        (await _cli.RunAsync("run", file)).ExitCode.ShouldBe(0);
        var from = DateTimeOffset.Parse("2023-03-10T12:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var to = from + (90 * 60_000);
        Scalar($"DELETE FROM candles WHERE open_time >= {from} AND open_time < {to}; SELECT changes()").ShouldBe(90);
        _server.ClearRequests();

        var result = await _cli.RunAsync("run", file);

        result.ExitCode.ShouldBe(0, result.ToString());
        var klines = _server.Requests.Where(r => r.Path.Contains("klines", StringComparison.Ordinal)).ToList();
        klines.Count.ShouldBe(1);
        klines[0].Query.ShouldContain($"startTime={from}");
        ShouldEqualSource(await ReadSqliteAsync());
    }

    [Fact]
    public async Task Run_RateLimitStorm_IsWaitedOutAndEndsComplete()
    {
        // 429s with Retry-After, then the IP ban (418) Binance answers to clients that keep going.
        _server.Faults.Enqueue(FakeFault.TooManyRequests429, 3);
        _server.Faults.Enqueue(FakeFault.Teapot418);
        var file = TaskFile(SqliteSink);

        var result = await _cli.RunAsync("run", file);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldEqualSource(await ReadSqliteAsync());
        _server.Faults.Pending.ShouldBe(0);
        _server.Requests.Count(r => r.Status is 429 or 418).ShouldBe(4);
        result.Out.ShouldContain("btc");
        result.Error.ShouldContain("429");
    }

    [Fact]
    public async Task Run_ServerErrorsResetsAndTruncatedBodies_AreRetriedAndEndComplete()
    {
        _server.Faults.Enqueue(FakeFault.InternalServerError500);
        _server.Faults.Enqueue(FakeFault.ServiceUnavailable503);
        _server.Faults.Enqueue(FakeFault.ConnectionReset);
        _server.Faults.Enqueue(FakeFault.TruncatedBody);
        var file = TaskFile(SqliteSink);

        var result = await _cli.RunAsync("run", file);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldEqualSource(await ReadSqliteAsync());
        _server.Faults.Pending.ShouldBe(0);
    }

    [Fact]
    public async Task Run_MalformedPage_FailsWithTheUrlAndLeavesStoredDataUntouched()
    {
        var file = TaskFile(SqliteSink);
        (await _cli.RunAsync("run", file)).ExitCode.ShouldBe(0);
        var from = DateTimeOffset.Parse("2023-03-05T00:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        Scalar($"DELETE FROM candles WHERE open_time >= {from} AND open_time < {from + (2000 * 60_000L)}; SELECT changes()").ShouldBe(2000);
        var before = await ReadSqliteAsync();
        _server.Faults.Enqueue(FakeFault.MalformedJson);

        var result = await _cli.RunAsync("run", file);

        result.ExitCode.ShouldBe(1, result.ToString());
        (result.Out + result.Error).ShouldContain($"{_server.BaseUrl.ToString().TrimEnd('/')}/api/v3/klines?");
        (await ReadSqliteAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Run_OneTaskFails_OthersStillRunAndExitCodeIsOne()
    {
        var file = _cli.WriteFile("two.yaml", $"""
            version: 1
            tasks:
              - name: bad
                exchange: binance
                symbol: NOPE/USDT
                timeframe: 1m
                start: 2023-03-01
                end: 2023-03-02
                base_url: {_server.BaseUrl}
              - name: good
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1h
                start: 2023-03-01
                end: 2023-03-22
                base_url: {_server.BaseUrl}
            """);

        var result = await _cli.RunAsync("run", file);

        result.ExitCode.ShouldBe(1, result.ToString());
        (result.Out + result.Error).ShouldContain("NOPE/USDT");
        Scalar("SELECT COUNT(*) FROM candles WHERE timeframe = '1h'", "data/coinlake.db").ShouldBe(21 * 24);
    }

    [Fact]
    public async Task Run_TasksOptionAndEnvironment_SelectTasks()
    {
        var file = _cli.WriteFile("coinlake.yaml", $"""
            version: 1
            tasks:
              - name: hourly
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1h
                start: 2023-03-01
                end: 2023-03-02
                base_url: {_server.BaseUrl}
              - name: daily
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1d
                start: 2023-03-01
                end: 2023-03-08
                base_url: {_server.BaseUrl}
            """);

        _cli.Environment["COINLAKE_TASKS"] = "daily";
        var result = await _cli.RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        Scalar("SELECT COUNT(*) FROM candles WHERE timeframe = '1d'", "data/coinlake.db").ShouldBe(7);
        Scalar("SELECT COUNT(*) FROM candles WHERE timeframe = '1h'", "data/coinlake.db").ShouldBe(0);

        (await _cli.RunAsync("run", file, "--tasks", "hourly")).ExitCode.ShouldBe(0);
        Scalar("SELECT COUNT(*) FROM candles WHERE timeframe = '1h'", "data/coinlake.db").ShouldBe(24);

        var unknown = await _cli.RunAsync("run", file, "--tasks", "hourli");
        unknown.ExitCode.ShouldBe(2);
        unknown.Error.ShouldContain("hourly");
    }
}
