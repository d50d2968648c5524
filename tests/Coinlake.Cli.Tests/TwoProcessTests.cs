using System.Globalization;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Microsoft.Data.Sqlite;

namespace Coinlake.Cli.Tests;

/// <summary>Two <c>coinlake</c> processes writing one SQLite database at once (the seed's BTC + ETH services).</summary>
public sealed class TwoProcessTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Run_TwoProcessesOnOneDatabase_BothSucceedAndNoRowIsLost()
    {
        await using var server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0 });
        var candles = TestData.BinanceUsBtcUsdt1m();
        server.AddSeries("BTCUSDT", FakeMarket.Spot, candles);
        server.AddSeries("ETHUSDT", FakeMarket.Spot, candles);
        string File(string name, string symbol) => _cli.WriteFile(name, $"""
            version: 1
            tasks:
              - name: {name.Replace(".yaml", "", StringComparison.Ordinal)}
                exchange: binance
                symbol: {symbol}
                timeframes: [1m, 5m]
                start: 2023-03-01
                end: 2023-03-22
                base_url: {server.BaseUrl}
                format: sqlite
                output: shared.db
                table: ohlcv_1m
            """);
        var btc = File("btc.yaml", "BTC/USDT");
        var eth = File("eth.yaml", "ETH/USDT");

        using var first = CliProcess.Start(_cli.Directory, "run", btc);
        using var second = CliProcess.Start(_cli.Directory, "run", eth);
        var outputs = await Task.WhenAll(
            first.StandardError.ReadToEndAsync(), second.StandardError.ReadToEndAsync(),
            first.StandardOutput.ReadToEndAsync(), second.StandardOutput.ReadToEndAsync());
        await Task.WhenAll(first.WaitForExitAsync(), second.WaitForExitAsync());

        first.ExitCode.ShouldBe(0, outputs[0] + outputs[2]);
        second.ExitCode.ShouldBe(0, outputs[1] + outputs[3]);
        using var connection = new SqliteConnection($"Data Source={_cli.Path("shared.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT symbol || ' ' || timeframe, COUNT(*) FROM ohlcv_1m GROUP BY symbol, timeframe ORDER BY 1";
        using var reader = command.ExecuteReader();
        var counts = new List<string>();
        while (reader.Read())
        {
            counts.Add(string.Create(CultureInfo.InvariantCulture, $"{reader.GetString(0)}={reader.GetInt64(1)}"));
        }

        counts.ShouldBe(["BTC/USDT 1m=30240", "BTC/USDT 5m=6048", "ETH/USDT 1m=30240", "ETH/USDT 5m=6048"]);
    }
}
