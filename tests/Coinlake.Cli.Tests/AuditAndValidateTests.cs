using System.Text.Json;
using Coinlake.Testing;
using Coinlake.Testing.Binance;

namespace Coinlake.Cli.Tests;

public sealed class AuditAndValidateTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Audit_FreqtradeSeriesBackfilledIntoSqlite_ReportsExactly538Gaps()
    {
        await using var server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0 });
        var candles = TestData.FreqtradeUnittestBtc1m();
        server.AddSeries("ETHBTC", FakeMarket.Spot, candles);
        var start = Coinlake.Time.TimeRange.FormatTime(candles[0].OpenTime);
        var end = Coinlake.Time.TimeRange.FormatTime(candles[^1].OpenTime + 60_000);
        var file = _cli.WriteFile("ft.yaml", $"""
            version: 1
            tasks:
              - name: ft
                exchange: binance
                symbol: ETH/BTC
                timeframe: 1m
                start: {start}
                end: {end}
                base_url: {server.BaseUrl}
                format: sqlite
                output: ft.db
            """);
        var run = await _cli.RunAsync("run", file);
        run.ExitCode.ShouldBe(0, run.ToString());

        var audit = await _cli.RunAsync("audit", _cli.Path("ft.db"), "--json");

        audit.ExitCode.ShouldBe(0, audit.ToString());
        using var json = JsonDocument.Parse(audit.Out);
        var series = json.RootElement.GetProperty("series")[0];
        series.GetProperty("rows").GetInt64().ShouldBe(13_681);
        series.GetProperty("gaps").GetInt32().ShouldBe(538);
        series.GetProperty("duplicates").GetInt64().ShouldBe(0);
        series.GetProperty("invalid").GetInt64().ShouldBe(0);

        // The gaps are the exchange's own: they were recorded as empty, so a second run asks nothing.
        server.ClearRequests();
        (await _cli.RunAsync("run", file)).ExitCode.ShouldBe(0);
        server.CountRequests("klines").ShouldBe(0);

        var strict = await _cli.RunAsync("audit", _cli.Path("ft.db"), "--strict");
        strict.ExitCode.ShouldBe(1);
        strict.Out.ShouldContain("538 gaps");
    }

    [Fact]
    public async Task Audit_FreqtradeJsonFile_ReportsExactly538Gaps()
    {
        var audit = await _cli.RunAsync("audit", TestData.PathOf("klines/freqtrade-UNITTEST_BTC-1m.json"), "--json");

        audit.ExitCode.ShouldBe(0, audit.ToString());
        using var json = JsonDocument.Parse(audit.Out);
        var series = json.RootElement.GetProperty("series")[0];
        series.GetProperty("timeframe").GetString().ShouldBe("1m");
        series.GetProperty("gaps").GetInt32().ShouldBe(538);
    }

    [Fact]
    public async Task Audit_MissingPath_IsUsageError()
    {
        var audit = await _cli.RunAsync("audit", _cli.Path("nothing.db"));

        audit.ExitCode.ShouldBe(2);
        audit.Error.ShouldContain("nothing.db");
    }

    [Fact]
    public async Task Validate_BadTaskFile_ReportsEveryErrorWithLineAndColumn()
    {
        var file = _cli.WriteFile("bad.yaml", """
            version: 1
            tasks:
              - name: one
                exchange: binanse
                symbol: BTC/USDT
                timeframe: 7m
                start: 2024-13-01
                formt: sqlite
            """);

        var result = await _cli.RunAsync("validate", file);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("bad.yaml:4:15");
        result.Error.ShouldContain("binance");
        result.Error.ShouldContain("bad.yaml:6:16");
        result.Error.ShouldContain("bad.yaml:7:12");
        result.Error.ShouldContain("bad.yaml:8:5");
        result.Error.ShouldContain("format");

        var run = await _cli.RunAsync("run", file);
        run.ExitCode.ShouldBe(2);
        run.Error.ShouldContain("bad.yaml:6:16");
    }

    [Fact]
    public async Task Validate_SeedFileWithFrenchKeys_IsValid()
    {
        var file = _cli.WriteFile("seed.yaml", """
            version: 1
            tasks:
              - name: binance_btc_1m_jan2024
                mode: rest
                exchange: binance
                symbole: BTC/USDT
                timeframe: 1m
                date_debut: 2024-01-01
                date_fin: 2024-02-01
                format: parquet
                sortie: donnees/binance_btcusdt_1m_202401.parquet
            """);

        var result = await _cli.RunAsync("validate", file);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Out.ShouldContain("binance_btc_1m_jan2024");
    }

    [Fact]
    public async Task Run_UnknownCommand_IsUsageError()
    {
        (await _cli.RunAsync("fly")).ExitCode.ShouldBe(2);
    }
}
