using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Storage.Parquet;
using Coinlake.Testing;
using Coinlake.Time;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Cli.Tests;

public sealed class CompactCommandTests : IDisposable
{
    private static readonly SeriesKey Series = new("binance", Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last);

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static IReadOnlyList<Candle> Candles => TestData.BinanceUsBtcUsdt1m().Take(600).ToList();

    /// <summary>Writes <see cref="Candles"/> as a stream would: two versions of each candle, parts of 250 rows.</summary>
    private async Task<string> WritePartsAsync(string relativeFolder, string task = "btc_stream")
    {
        var folder = _cli.Path(relativeFolder);
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero));
        await using var sink = new ParquetCandlePartSink(folder, task, new PartRotationOptions(TimeSpan.FromHours(1), 250), time);
        foreach (var chunk in Candles.Chunk(100))
        {
            await sink.UpsertAsync(Series, chunk.Select(c => c with { Volume = c.Volume + 1 }).ToList());
            await sink.UpsertAsync(Series, chunk);
        }

        return folder;
    }

    private static async Task<List<Candle>> ReadAsync(string folder) => await new ParquetCandleReader(folder).ReadAsync(Series).ToListAsync();

    [Fact]
    public async Task Compact_PartsFolder_WritesTheMonthlyFileAndKeepsTheParts()
    {
        var folder = await WritePartsAsync("data");
        var parts = PartFiles.List(folder).Count;

        var result = await _cli.RunAsync("compact", "data");

        result.ExitCode.ShouldBe(0, result.ToString());
        File.Exists(Path.Combine(folder, "binance", "BTCUSDT", "1m", "2023-03.parquet")).ShouldBeTrue();
        (await ReadAsync(folder)).ShouldBe(Candles);
        PartFiles.List(folder).Count.ShouldBe(parts);
        result.Out.ShouldContain("1,200"); // rows read: two versions of each of the 600 candles
    }

    [Fact]
    public async Task Compact_DeletePartsTwice_SecondRunFindsNothingAndDataStays()
    {
        var folder = await WritePartsAsync("data");

        var first = await _cli.RunAsync("compact", "data", "--delete-parts");
        var second = await _cli.RunAsync("compact", "data", "--delete-parts");

        first.ExitCode.ShouldBe(0, first.ToString());
        second.ExitCode.ShouldBe(0, second.ToString());
        PartFiles.List(folder).ShouldBeEmpty();
        (await ReadAsync(folder)).ShouldBe(Candles);
    }

    [Fact]
    public async Task Compact_Output_WritesMonthlyFilesThere()
    {
        await WritePartsAsync("parts");

        var result = await _cli.RunAsync("compact", "parts", "--output", "lake");

        result.ExitCode.ShouldBe(0, result.ToString());
        (await ReadAsync(_cli.Path("lake"))).ShouldBe(Candles);
    }

    [Fact]
    public async Task Compact_TaskFile_CompactsItsStreamTasksParquetSinksOnly()
    {
        var folder = await WritePartsAsync("data", "btc_stream");
        await WritePartsAsync("data", "other_task");
        _cli.WriteFile("coinlake.yaml", """
            version: 1
            tasks:
              - name: btc_stream
                mode: stream
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1m
                format: parquet
                output: data
            """);

        var result = await _cli.RunAsync("compact", "--delete-parts");

        result.ExitCode.ShouldBe(0, result.ToString());
        PartFiles.List(folder).ShouldAllBe(p => p.Task == "other_task");
        PartFiles.List(folder).ShouldNotBeEmpty();
        (await ReadAsync(folder)).ShouldBe(Candles);
    }

    [Fact]
    public async Task Compact_LeftoverTemporaryPart_IsReportedAndSkippedUnlessRecover()
    {
        var folder = _cli.Path("data");
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero));
        var crashed = new ParquetCandlePartSink(folder, "btc_stream", timeProvider: time);
        await crashed.UpsertAsync(Series, Candles);
        await crashed.FlushAsync(); // the process dies before closing the part

        var skipped = await _cli.RunAsync("compact", "data");
        skipped.Out.ShouldContain("--recover");
        (await ReadAsync(folder)).ShouldBeEmpty();

        var recovered = await _cli.RunAsync("compact", "data", "--recover");

        recovered.ExitCode.ShouldBe(0, recovered.ToString());
        recovered.Out.ShouldContain("recovered");
        (await ReadAsync(folder)).ShouldBe(Candles);
    }

    [Fact]
    public async Task Compact_MissingPath_IsAUsageError()
    {
        var result = await _cli.RunAsync("compact", "nowhere");

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("neither a folder of part files nor a task file");
    }
}
