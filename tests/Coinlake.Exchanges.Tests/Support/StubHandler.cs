using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Coinlake.Testing;

namespace Coinlake.Exchanges.Tests.Support;

/// <summary>
/// An in-test <see cref="HttpMessageHandler"/>: answers exchangeInfo from the real captures and every other request
/// from a queue of scripted answers (then from <see cref="Fallback"/>), recording each request URL.
/// </summary>
internal sealed class StubHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();

    public ConcurrentQueue<Uri> Requests { get; } = new();

    /// <summary>Answer when the script is empty; 404 by default.</summary>
    public Func<HttpRequestMessage, HttpResponseMessage> Fallback { get; set; } =
        _ => new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("no scripted answer") };

    /// <summary>Capture file whose exchangeInfo answers spot requests (BINANCE.0 or BINANCE_US.0).</summary>
    public string SpotCapture { get; set; } = "BINANCE.0";

    public IEnumerable<Uri> KlineRequests => Requests.Where(u => u.AbsolutePath.Contains("lines", StringComparison.Ordinal));

    public int Count(string pathContains) => Requests.Count(u => u.AbsolutePath.Contains(pathContains, StringComparison.Ordinal));

    public StubHandler Then(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        _script.Enqueue(answer);
        return this;
    }

    public StubHandler Then(HttpStatusCode status, string body, Action<HttpResponseMessage>? configure = null) =>
        Then(_ =>
        {
            var response = Json(status, body);
            configure?.Invoke(response);
            return response;
        });

    public static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri!;
        Requests.Enqueue(url);
        if (url.AbsolutePath.EndsWith("/api/v3/exchangeInfo", StringComparison.Ordinal))
        {
            return Task.FromResult(Json(HttpStatusCode.OK, TestData.CapturePayload(SpotCapture, "/api/v3/exchangeInfo")));
        }

        if (url.AbsolutePath.EndsWith("/fapi/v1/exchangeInfo", StringComparison.Ordinal))
        {
            return Task.FromResult(Json(HttpStatusCode.OK, TestData.CapturePayload("BINANCE_FUTURES.0", "/fapi/v1/exchangeInfo")));
        }

        var answer = _script.TryDequeue(out var next) ? next : Fallback;
        return Task.FromResult(answer(request));
    }
}
