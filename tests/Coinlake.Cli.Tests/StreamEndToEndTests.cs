using System.Diagnostics;
using System.Globalization;
using Coinlake.Candles;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Microsoft.Data.Sqlite;

namespace Coinlake.Cli.Tests;

/// <summary>
/// <c>coinlake run</c> on <c>mode: stream</c> tasks against the fake Binance server's WebSocket side (real candles,
/// played live on loopback), with forced disconnects and stalls, and with two processes on one database.
/// </summary>
public sealed class StreamEndToEndTests : IDisposable
{
    private const int Played = 40;
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static async Task<FakeBinanceServer> ServerAsync(params string[] symbols)
    {
        var server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0 });
        foreach (var symbol in symbols)
        {
            server.AddSeries(symbol, FakeMarket.Spot, TestData.BinanceUsBtcUsdt1m());
        }

        server.Stream.Steps = Played * server.StreamVenue.UpdatesPerCandle;
        server.Stream.StepInterval = TimeSpan.FromMilliseconds(25);
        server.Stream.RepeatLastStep = true;
        return server;
    }

    private string Task(string name, FakeBinanceServer server, string symbol, int seconds, string extra = "") => _cli.WriteFile(name + ".yaml", $"""
        version: 1
        tasks:
          - name: {name}
            mode: stream
            stream: ohlcv
            exchange: binance
            symbol: {symbol}
            timeframe: 1m
            duration: {seconds}
            stall_timeout: 1
            base_url: {server.BaseUrl}
            format: sqlite
            table: ohlcv_1m
            output: live.db
        {extra}
        """);

    private List<Candle> Stored(string symbol)
    {
        using var connection = new SqliteConnection($"Data Source={_cli.Path("live.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT open_time, open, high, low, close, volume FROM ohlcv_1m WHERE symbol = $s ORDER BY open_time";
        command.Parameters.AddWithValue("$s", symbol);
        using var reader = command.ExecuteReader();
        var candles = new List<Candle>();
        while (reader.Read())
        {
            candles.Add(new Candle(reader.GetInt64(0), D(reader, 1), D(reader, 2), D(reader, 3), D(reader, 4), D(reader, 5)));
        }

        return candles;
    }

    private int StoredCount(string symbol)
    {
        if (!File.Exists(_cli.Path("live.db")))
        {
            return 0;
        }

        try
        {
            using var connection = new SqliteConnection($"Data Source={_cli.Path("live.db")};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM ohlcv_1m WHERE symbol = $s";
            command.Parameters.AddWithValue("$s", symbol);
            return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return 0; // the table is not created yet
        }
    }

    /// <summary>Runs <c>coinlake run FILE</c> in-process until every played candle of <paramref name="symbols"/> is stored
    /// (or a minute passed), then stops it as SIGINT/SIGTERM do.</summary>
    private async Task<CliResult> RunUntilStoredAsync(string file, params string[] symbols)
    {
        using var stop = new CancellationTokenSource();
        var run = _cli.RunAsync(stop.Token, "run", file);
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!run.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(60) && symbols.Any(s => StoredCount(s) < Played))
        {
            await System.Threading.Tasks.Task.Delay(200);
        }

        await System.Threading.Tasks.Task.Delay(300); // anything still arriving would show as an extra or changed row
        await stop.CancelAsync();
        return await run;
    }

    private static decimal D(SqliteDataReader reader, int i) => decimal.Parse(reader.GetDouble(i).ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static List<Candle> Expected(int count) =>
        [.. TestData.BinanceUsBtcUsdt1m().Take(count).Select(c => new Candle(c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume))];

    [Fact]
    public async Task Run_StreamWithoutFaults_StoresEveryClosedCandlePlayed()
    {
        await using var server = await ServerAsync("BTCUSDT");
        var file = Task("clean", server, "BTC/USDT", seconds: 0);

        var result = await RunUntilStoredAsync(file, "BTC/USDT");

        result.ExitCode.ShouldBe(0, result.ToString());
        Stored("BTC/USDT").ShouldBe(Expected(Played));
        result.Out.ShouldContain("0 reconnect(s)");
    }

    [Fact]
    public async Task Run_StreamWithForcedDisconnectAndStall_EndsWithTheSameCandlesAsACleanRun()
    {
        await using var server = await ServerAsync("BTCUSDT");
        server.Stream.DropAt(20).StallAt(70);
        var file = Task("faulty", server, "BTC/USDT", seconds: 0);

        var result = await RunUntilStoredAsync(file, "BTC/USDT");

        result.ExitCode.ShouldBe(0, result.ToString());
        // A drop and a stall: at least two reconnects (a loaded machine may pause past the 1 s stall timeout once more).
        server.Stream.Connections.ShouldBeGreaterThanOrEqualTo(3, result.ToString());
        Stored("BTC/USDT").ShouldBe(Expected(Played));
        result.Out.ShouldNotContain(" 0 reconnect(s)");
        result.Out.ShouldContain("0 unhealed");
        result.Error.ShouldContain("no frame for 1 s");
    }

    [Fact]
    public async Task Run_TwoProcessesStreamingIntoOneSqliteDatabase_BothCompleteWithoutLostRowsOrErrors()
    {
        await using var server = await ServerAsync("BTCUSDT", "ETHUSDT");
        server.Stream.StartAfterSubscribers = 2;
        var btc = Task("btc", server, "BTC/USDT", seconds: 8);
        var eth = Task("eth", server, "ETH/USDT", seconds: 8);

        using var first = CliProcess.Start(_cli.Directory, "run", btc);
        using var second = CliProcess.Start(_cli.Directory, "run", eth);
        var outputs = await System.Threading.Tasks.Task.WhenAll(WaitAsync(first), WaitAsync(second));

        first.ExitCode.ShouldBe(0, outputs[0]);
        second.ExitCode.ShouldBe(0, outputs[1]);
        outputs.ShouldAllBe(o => !o.Contains("database is locked", StringComparison.OrdinalIgnoreCase) && !o.Contains("SQLITE_BUSY", StringComparison.Ordinal));
        Stored("BTC/USDT").ShouldBe(Expected(Played));
        Stored("ETH/USDT").ShouldBe(Expected(Played));
    }

    private static async Task<string> WaitAsync(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return $"exit {process.ExitCode}\n--- out ---\n{await stdout}\n--- err ---\n{await stderr}";
    }
}
