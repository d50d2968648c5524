using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Coinlake.Server.Tests;

/// <summary>400 ProblemDetails naming the field for bad input; 401 for missing or wrong API keys.</summary>
public sealed class ValidationAndAuthTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync(o =>
    {
        o.RunJobs = false;
        o.MaxIngestCandles = 100_000;
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<JsonElement> PostProblemAsync(string body, HttpStatusCode expected = HttpStatusCode.BadRequest)
    {
        using var response = await _server.Client.PostAsync("/api/ingest", ServerHarness.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        return JsonDocument.Parse(text).RootElement;
    }

    [Theory]
    [InlineData("""{"exchange": "binanc", "symbol": "BTC/USDT", "timeframe": "1h", "start": "2024-01-01"}""", "exchange", "did you mean 'binance'")]
    [InlineData("""{"exchange": "binance", "symbol": "BTCUSDT", "timeframe": "1h", "start": "2024-01-01"}""", "symbol", "did you mean 'BTC/USDT'")]
    [InlineData("""{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "7m", "start": "2024-01-01"}""", "timeframe", "7m")]
    [InlineData("""{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1h", "start": "2024-02-01", "end": "2024-01-01"}""", "end", "not after start")]
    [InlineData("""{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1h", "start": "yesterday"}""", "start", "yesterday")]
    [InlineData("""{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1m", "start": "2024-01-01", "end": "2024-04-01"}""", "end", "the limit is 100,000")]
    [InlineData("""{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1h", "start": "2024-01-01", "output": "/etc/coinlake.db"}""", "output", "outside the server's data folder")]
    [InlineData("""{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1h", "start": "2024-01-01", "price": "mark"}""", "price", "mark")]
    [InlineData("""{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1h", "start": "2024-01-01", "schedule": "0 9 * * *"}""", "schedule", "task file")]
    [InlineData("""{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1h", "start": "2024-01-01", "symbl": "x"}""", "symbl", "did you mean 'symbol'")]
    [InlineData("""{"symbol": "BTC/USDT", "timeframe": "1h", "start": "2024-01-01"}""", "exchange", "has no 'exchange'")]
    [InlineData("""{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1h", "start": "2024-01-01", "base_url": "ftp://x"}""", "base_url", "http(s)")]
    [InlineData("""[1, 2]""", "body", "JSON object")]
    [InlineData("""{"exchange": """, "body", "not valid JSON")]
    public async Task Ingest_InvalidField_Returns400NamingTheField(string body, string field, string fragment)
    {
        var problem = await PostProblemAsync(body);

        problem.GetProperty("status").GetInt32().ShouldBe(400);
        var errors = problem.GetProperty("errors");
        errors.TryGetProperty(field, out var messages).ShouldBeTrue(problem.ToString());
        messages.EnumerateArray().Select(m => m.GetString()).ShouldContain(m => m!.Contains(fragment, StringComparison.Ordinal), problem.ToString());
    }

    [Fact]
    public async Task Ingest_SeveralBadFields_ReportsEveryOne()
    {
        var problem = await PostProblemAsync("""{"exchange": "nope", "symbol": "BTC-USDT", "timeframe": "2m", "start": "2024-01-01"}""");

        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ShouldBe(["exchange", "symbol", "timeframe"], ignoreOrder: true);
    }

    [Theory]
    [InlineData("/api/candles?symbol=BTC/USDT&timeframe=1m", "exchange")]
    [InlineData("/api/candles?exchange=binanse&symbol=BTC/USDT&timeframe=1m", "exchange")]
    [InlineData("/api/candles?exchange=binance&symbol=BTC&timeframe=1m", "symbol")]
    [InlineData("/api/candles?exchange=binance&symbol=BTC/USDT&timeframe=2m", "timeframe")]
    [InlineData("/api/candles?exchange=binance&symbol=BTC/USDT&timeframe=1m&from=2024-02-01&to=2024-01-01", "to")]
    [InlineData("/api/candles?exchange=binance&symbol=BTC/USDT&timeframe=1m&limit=100000", "limit")]
    [InlineData("/api/candles?exchange=binance&symbol=BTC/USDT&timeframe=1m&from=soon", "from")]
    [InlineData("/api/candles?exchange=binance&symbol=BTC/USDT&timeframe=1m&market_type=swap", "market_type")]
    [InlineData("/api/jobs?state=done", "state")]
    [InlineData("/api/jobs?limit=0", "limit")]
    public async Task ReadEndpoints_InvalidQuery_Return400NamingTheParameter(string url, string field)
    {
        using var response = await _server.Client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(text);
    }

    [Fact]
    public async Task Candles_NothingStored_ReturnsAnEmptyPage()
    {
        var page = await _server.Client.GetFromJsonAsync<JsonElement>("/api/candles?exchange=binance&symbol=BTC/USDT&timeframe=1h");

        page.GetProperty("count").GetInt32().ShouldBe(0);
        page.GetProperty("next_cursor").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task GetJob_Unknown_Returns404Problem()
    {
        using var response = await _server.Client.GetAsync("/api/jobs/nope");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldContain("There is no job 'nope'");
    }
}

/// <summary>The API key on write (and optionally read) endpoints.</summary>
public sealed class ApiKeyTests
{
    private const string Body = """{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1h", "start": "2024-01-01", "end": "2024-01-02"}""";

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    [InlineData("s3cret-key-but-longer")]
    public async Task Ingest_MissingOrWrongKey_Returns401(string? key)
    {
        await using var server = await ServerHarness.StartAsync(o => { o.RunJobs = false; o.ApiKey = "s3cret-key"; });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ingest") { Content = ServerHarness.Json(Body) };
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        using var response = await server.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync()).ShouldContain("X-Api-Key");
    }

    [Fact]
    public async Task WriteEndpoints_RightKey_AreAccepted()
    {
        await using var server = await ServerHarness.StartAsync(o => { o.RunJobs = false; o.ApiKey = "s3cret-key"; });
        server.Client.DefaultRequestHeaders.Add("X-Api-Key", "s3cret-key");

        var id = await server.IngestAsync(Body);
        using var cancel = await server.Client.DeleteAsync($"/api/jobs/{id}");

        cancel.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Delete_WithoutKey_Returns401AndLeavesTheJob()
    {
        await using var server = await ServerHarness.StartAsync(o => { o.RunJobs = false; o.ApiKey = "k"; });
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/ingest") { Content = ServerHarness.Json(Body) };
        post.Headers.Add("X-Api-Key", "k");
        using var accepted = await server.Client.SendAsync(post);
        var id = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        using var response = await server.Client.DeleteAsync($"/api/jobs/{id}");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await server.GetJobAsync(id)).GetProperty("state").GetString().ShouldBe("queued");
    }

    [Fact]
    public async Task Reads_KeyNotRequiredByDefault_AreOpen()
    {
        await using var server = await ServerHarness.StartAsync(o => { o.RunJobs = false; o.ApiKey = "k"; });

        using var response = await server.Client.GetAsync("/api/jobs");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Reads_KeyRequiredForReads_Return401WithoutKeyButHealthStaysOpen()
    {
        await using var server = await ServerHarness.StartAsync(o => { o.RunJobs = false; o.ApiKey = "k"; o.RequireApiKeyForReads = true; });

        using var jobs = await server.Client.GetAsync("/api/jobs");
        using var health = await server.Client.GetAsync("/health/live");

        jobs.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
