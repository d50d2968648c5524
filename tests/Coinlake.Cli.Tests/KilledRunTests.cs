using System.Diagnostics;
using System.Globalization;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Microsoft.Data.Sqlite;

namespace Coinlake.Cli.Tests;

/// <summary>A real <c>coinlake</c> process killed mid-run, then run again.</summary>
public sealed class KilledRunTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Run_ProcessKilledMidway_RerunEndsCompleteAndDuplicateFree()
    {
        await using var server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0, ResponseDelay = TimeSpan.FromMilliseconds(60) });
        server.AddSeries("BTCUSDT", FakeMarket.Spot, TestData.BinanceUsBtcUsdt1m());
        var file = _cli.WriteFile("tasks.yaml", $"""
            version: 1
            tasks:
              - name: btc
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1m
                start: 2023-03-01
                end: 2023-03-22
                base_url: {server.BaseUrl}
                sinks:
                  - format: sqlite
                    output: out.db
                  - format: parquet
                    output: parquet
            """);

        var dll = CliProcess.Executable();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _cli.Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("run");
        start.ArgumentList.Add(file);
        using (var process = Process.Start(start)!)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var deadline = Stopwatch.StartNew();
            while (server.CountRequests("klines") < 8 && !process.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(20);
            }

            if (process.HasExited)
            {
                Assert.Fail($"the run ended before it was killed (exit {process.ExitCode}):\n{await stdout}\n{await stderr}");
            }

            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var partial = Count("SELECT COUNT(*) FROM candles");
        partial.ShouldBeGreaterThan(0);
        partial.ShouldBeLessThan(30_240);

        var rerun = await _cli.RunAsync("run", file);

        rerun.ExitCode.ShouldBe(0, rerun.ToString());
        Count("SELECT COUNT(*) FROM candles").ShouldBe(30_240);
        Count("SELECT COUNT(*) FROM (SELECT 1 FROM candles GROUP BY symbol, timeframe, price, open_time HAVING COUNT(*) > 1)").ShouldBe(0);
        var audit = await _cli.RunAsync("audit", _cli.Path("parquet"), "--strict");
        audit.ExitCode.ShouldBe(0, audit.ToString());
        audit.Out.ShouldContain("30,240 rows");
    }

    private long Count(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_cli.Path("out.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
