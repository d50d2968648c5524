using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Testing;
using Coinlake.Testing.Binance;

namespace Coinlake.Server.Tests;

/// <summary>Ingest -> job on the fake Binance server -> candles read back through the API, on a real host.</summary>
public sealed class IngestApiTests : IAsyncLifetime
{
    private static readonly long Start = DateTimeOffset.Parse("2023-03-01T00:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
    private static readonly long End = DateTimeOffset.Parse("2023-03-02T00:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
    private FakeBinanceServer _binance = null!;
    private ServerHarness _server = null!;

    private static IReadOnlyList<Candle> Source => TestData.BinanceUsBtcUsdt1m();

    public async Task InitializeAsync()
    {
        _binance = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0 });
        _binance.AddSeries("BTCUSDT", FakeMarket.Spot, Source);
        _server = await ServerHarness.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _binance.DisposeAsync();
    }

    private string Body(string extra = "") =>
        $$"""{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1m", "start": "2023-03-01", "end": "2023-03-02", "base_url": "{{_binance.BaseUrl}}"{{extra}}}""";

    [Fact]
    public async Task Ingest_ValidRequest_JobSucceedsAndCandlesEqualTheSource()
    {
        var id = await _server.IngestAsync(Body());

        var job = await _server.WaitForStateAsync(id, "succeeded", "failed");

        job.GetProperty("state").GetString().ShouldBe("succeeded", job.ToString());
        job.GetProperty("rows").GetProperty("inserted").GetInt64().ShouldBe(1440);
        job.GetProperty("progress").GetProperty("percent").GetDouble().ShouldBe(100);
        job.GetProperty("timings").GetProperty("finished_at").ValueKind.ShouldBe(JsonValueKind.Number);
        var expected = Source.Where(c => c.OpenTime >= Start && c.OpenTime < End).ToList();
        var read = new List<(long OpenTime, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = $"/api/candles?exchange=binance&symbol=BTC/USDT&timeframe=1m&from=2023-03-01&to=2023-03-02&limit=500{(cursor is null ? "" : "&cursor=" + cursor)}";
            var page = await _server.Client.GetFromJsonAsync<JsonElement>(url);
            page.GetProperty("market_type").GetString().ShouldBe("spot");
            foreach (var c in page.GetProperty("candles").EnumerateArray())
            {
                read.Add((c.GetProperty("open_time").GetInt64(), c.GetProperty("open").GetDecimal(), c.GetProperty("high").GetDecimal(),
                    c.GetProperty("low").GetDecimal(), c.GetProperty("close").GetDecimal(), c.GetProperty("volume").GetDecimal()));
            }

            cursor = page.GetProperty("next_cursor").GetString();
            pages++;
        }
        while (cursor is not null);

        pages.ShouldBe(3);
        read.ShouldBe(expected.Select(c => (c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume)).ToList());
    }

    [Fact]
    public async Task Candles_CsvFormat_ReturnsHeaderAndRowsWithNextCursorHeader()
    {
        var id = await _server.IngestAsync(Body());
        await _server.WaitForStateAsync(id, "succeeded");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/candles?exchange=binance&symbol=BTC/USDT&timeframe=1m&limit=3");
        request.Headers.Accept.ParseAdd("text/csv");
        using var response = await _server.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = (await response.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        lines[0].ShouldBe("open_time,open,high,low,close,volume,quote_volume,trade_count");
        lines.Length.ShouldBe(4);
        lines[1].Split(',')[0].ShouldBe(Start.ToString(CultureInfo.InvariantCulture));
        decimal.Parse(lines[1].Split(',')[1], CultureInfo.InvariantCulture).ShouldBe(Source[0].Open);
        response.Headers.GetValues("X-Next-Cursor").Single().ShouldBe((Start + 3 * 60_000).ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Coverage_AfterIngest_ListsTheSeriesWithoutGaps()
    {
        var id = await _server.IngestAsync(Body());
        await _server.WaitForStateAsync(id, "succeeded");

        var coverage = await _server.Client.GetFromJsonAsync<JsonElement>("/api/coverage?exchange=binance");

        var series = coverage.GetProperty("series").EnumerateArray().Single();
        series.GetProperty("symbol").GetString().ShouldBe("BTC/USDT");
        series.GetProperty("rows").GetInt64().ShouldBe(1440);
        series.GetProperty("first").GetInt64().ShouldBe(Start);
        series.GetProperty("last").GetInt64().ShouldBe(End - 60_000);
        series.GetProperty("gaps").GetArrayLength().ShouldBe(0);
        series.GetProperty("ranges").EnumerateArray().Single().GetProperty("end").GetInt64().ShouldBe(End);
    }

    [Fact]
    public async Task Coverage_SourceWithAHole_ReportsTheGap()
    {
        var holeStart = Start + 60 * 60_000;
        _binance.RemoveCandles("BTCUSDT", FakeMarket.Spot, new Time.TimeRange(holeStart, holeStart + 10 * 60_000));
        var id = await _server.IngestAsync(Body());
        await _server.WaitForStateAsync(id, "succeeded");

        var coverage = await _server.Client.GetFromJsonAsync<JsonElement>("/api/coverage?symbol=BTC/USDT&timeframe=1m");

        var gap = coverage.GetProperty("series")[0].GetProperty("gaps").EnumerateArray().Single();
        gap.GetProperty("start").GetInt64().ShouldBe(holeStart);
        gap.GetProperty("missing_candles").GetInt64().ShouldBe(10);
    }

    [Fact]
    public async Task JobLogs_AfterASuccessfulJob_HoldTheRunnerLines()
    {
        var id = await _server.IngestAsync(Body());
        await _server.WaitForStateAsync(id, "succeeded");

        var logs = await _server.Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/logs");
        var all = await _server.Client.GetFromJsonAsync<JsonElement>("/api/logs?limit=5000");

        var messages = logs.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("message").GetString()!).ToList();
        messages.ShouldContain(m => m.StartsWith("attempt 1 started", StringComparison.Ordinal));
        messages.ShouldContain(m => m.StartsWith("succeeded: 1440 fetched, 1440 inserted", StringComparison.Ordinal));
        all.GetProperty("logs").EnumerateArray().Count(l => l.GetProperty("job_id").GetString() == id).ShouldBe(messages.Count);
    }

    [Fact]
    public async Task Ingest_UnknownSymbolOnTheExchange_JobFailsAndKeepsErrorAndLogs()
    {
        var id = await _server.IngestAsync(Body().Replace("BTC/USDT", "NOPE/USDT", StringComparison.Ordinal));

        var job = await _server.WaitForStateAsync(id, "succeeded", "failed");

        job.GetProperty("state").GetString().ShouldBe("failed");
        job.GetProperty("attempts").GetInt32().ShouldBe(1);
        job.GetProperty("errors")[0].GetString()!.ShouldContain("NOPE");
        var logs = await _server.Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/logs");
        logs.GetProperty("logs").EnumerateArray().ShouldContain(l => l.GetProperty("level").GetString() == "error");
    }
}
