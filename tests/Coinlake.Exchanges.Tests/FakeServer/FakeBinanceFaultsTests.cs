using System.Net;
using System.Text.Json;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Exchanges.Tests.FakeServer;

public sealed class FakeBinanceFaultsTests : IAsyncLifetime
{
    private const string Url = "/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=1677628800000&limit=20";
    private FakeBinanceServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBinanceServer.StartAsync();
        _server.AddSeries("BTCUSDT", FakeMarket.Spot, TestData.BinanceUsBtcUsdt1m());
        _http = FakeHttp.Client(_server);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData(FakeFault.InternalServerError500, 500, -1000)]
    [InlineData(FakeFault.ServiceUnavailable503, 503, -1008)]
    [InlineData(FakeFault.GatewayTimeout504, 504, -1007)]
    public async Task Fault_ServerError_ReturnsStatusWithBinanceError(FakeFault fault, int status, int code)
    {
        _server.Faults.Enqueue(fault);

        var answer = await _http.FetchAsync(Url);

        ((int)answer.Status).ShouldBe(status);
        answer.Error.Code.ShouldBe(code);
    }

    [Fact]
    public async Task Fault_BadGateway_ReturnsHtml502()
    {
        _server.Faults.Enqueue(FakeFault.BadGateway502);

        var answer = await _http.FetchAsync(Url);

        answer.Status.ShouldBe(HttpStatusCode.BadGateway);
        answer.Message.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
    }

    [Theory]
    [InlineData(FakeFault.TooManyRequests429, 429)]
    [InlineData(FakeFault.Teapot418, 418)]
    public async Task Fault_RateLimit_ReturnsStatusWithRetryAfterOne(FakeFault fault, int status)
    {
        _server.Faults.Enqueue(fault);

        var answer = await _http.FetchAsync(Url);

        ((int)answer.Status).ShouldBe(status);
        answer.RetryAfterSeconds.ShouldBe(1);
        answer.Error.Code.ShouldBe(-1003);
    }

    [Fact]
    public async Task Fault_ConnectionReset_HttpClientThrows()
    {
        _server.Faults.Enqueue(FakeFault.ConnectionReset);

        await Should.ThrowAsync<HttpRequestException>(() => _http.FetchAsync(Url));

        (await _http.FetchAsync(Url)).Status.ShouldBe(HttpStatusCode.OK);
        _server.Requests.Select(r => r.Status).ShouldBe([0, 200]);
    }

    [Fact]
    public async Task Fault_TruncatedBody_ReadingContentThrows()
    {
        _server.Faults.Enqueue(FakeFault.TruncatedBody);

        var ex = await Should.ThrowAsync<Exception>(async () =>
        {
            using var response = await _http.GetAsync(new Uri(Url, UriKind.Relative));
            await response.Content.ReadAsByteArrayAsync();
        });

        var ended = ex as HttpIOException ?? ex.InnerException as HttpIOException;
        ended.ShouldNotBeNull(ex.ToString());
        ended.HttpRequestError.ShouldBe(HttpRequestError.ResponseEnded);
    }

    [Fact]
    public async Task Fault_TruncatedBody_StreamedBytesArePrefixCutInsideTheLastRow()
    {
        var full = (await _http.FetchAsync(Url)).Body;
        _server.Faults.Enqueue(FakeFault.TruncatedBody);
        using var response = await _http.GetAsync(new Uri(Url, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentLength.ShouldBe(full.Length);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // expected: the server aborted before the promised length
        }

        var text = System.Text.Encoding.UTF8.GetString(received.ToArray());
        text.Length.ShouldBeGreaterThan(full.LastIndexOf("],[", StringComparison.Ordinal) + 3);
        text.Length.ShouldBeLessThan(full.Length - 1);
        full.ShouldStartWith(text);
        Should.Throw<JsonException>(() => JsonDocument.Parse(text));
    }

    [Fact]
    public async Task Fault_MalformedJson_Returns200WithInvalidJson()
    {
        _server.Faults.Enqueue(FakeFault.MalformedJson);

        var answer = await _http.FetchAsync(Url);

        answer.Status.ShouldBe(HttpStatusCode.OK);
        Should.Throw<JsonException>(() => JsonDocument.Parse(answer.Body));
    }

    [Fact]
    public async Task Fault_Stall_NeverAnswersUntilClientGivesUp()
    {
        _server.Faults.Enqueue(FakeFault.Stall);
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Should.ThrowAsync<OperationCanceledException>(() => _http.GetAsync(new Uri(Url, UriKind.Relative), giveUp.Token));

        _server.Requests.ShouldHaveSingleItem().Status.ShouldBe(0);
        (await _http.FetchAsync(Url)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Faults_Enqueued_AppliedInOrderThenConsumed()
    {
        _server.Faults.Enqueue(FakeFault.InternalServerError500, 2);
        _server.Faults.Enqueue(FakeFault.ServiceUnavailable503);
        _server.Faults.Pending.ShouldBe(3);

        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((int)(await _http.FetchAsync(Url)).Status);
        }

        statuses.ShouldBe([500, 500, 503, 200]);
        _server.Faults.Pending.ShouldBe(0);
        _server.Requests.Select(r => r.Weight).ShouldBe([0, 0, 0, 2]);
    }

    [Fact]
    public async Task Faults_Cleared_NextRequestSucceeds()
    {
        _server.Faults.Enqueue(FakeFault.ConnectionReset, 3);

        _server.Faults.Clear();

        _server.Faults.Pending.ShouldBe(0);
        (await _http.FetchAsync(Url)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public void Faults_NegativeCount_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => _server.Faults.Enqueue(FakeFault.Stall, -1));
    }

    [Fact]
    public async Task Faults_NonKlinesRequest_DoesNotConsumeFault()
    {
        _server.Faults.Enqueue(FakeFault.InternalServerError500);

        (await _http.FetchAsync("/api/v3/exchangeInfo")).Status.ShouldBe(HttpStatusCode.OK);

        _server.Faults.Pending.ShouldBe(1);
        (await _http.FetchAsync("/fapi/v1/indexPriceKlines?pair=BTCUSDT&interval=1m")).Status.ShouldBe(HttpStatusCode.InternalServerError);
    }

    [Fact]
    public async Task ResponseDelay_OnFakeClock_AnswersOnlyOnceTimeAdvances()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2023, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { TimeProvider = time, ResponseDelay = TimeSpan.FromMinutes(10) });
        server.AddSeries("BTCUSDT", FakeMarket.Spot, TestData.BinanceUsBtcUsdt1m());
        using var http = FakeHttp.Client(server);

        var pending = http.FetchAsync(Url);
        (await Task.WhenAny(pending, Task.Delay(200))).ShouldNotBe(pending);
        for (var i = 0; i < 100 && !pending.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMinutes(10));
            await Task.WhenAny(pending, Task.Delay(20));
        }

        (await pending).Status.ShouldBe(HttpStatusCode.OK);
    }
}
