using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Coinlake.Testing;

namespace Coinlake.Exchanges.Tests.Okx;

/// <summary>
/// A clock that starts at <c>origin</c> and runs <c>factor</c> times faster than real time, timers included, so the
/// recorded data can be served as if it were recent and 2-second rate-limit windows pass in milliseconds. Shared by
/// the client and the fake server.
/// </summary>
internal sealed class ShiftedClock(DateTimeOffset origin, double factor) : TimeProvider
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public static ShiftedClock At(long originMs, double factor = 50) => new(DateTimeOffset.FromUnixTimeMilliseconds(originMs), factor);

    public override DateTimeOffset GetUtcNow() => origin + (Stopwatch.GetElapsedTime(_start) * factor);

    public override long GetTimestamp() => (long)(Stopwatch.GetElapsedTime(_start).Ticks * factor * TimestampFrequency / TimeSpan.TicksPerSecond);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    private TimeSpan Scale(TimeSpan value) =>
        value == Timeout.InfiniteTimeSpan || value <= TimeSpan.Zero ? value : TimeSpan.FromTicks(Math.Max(1, (long)(value.Ticks / factor)));

    private sealed class ScaledTimer(ITimer inner, ShiftedClock owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>
/// An in-test handler: answers <c>/public/instruments</c> from the real capture (<c>captures/OKX.0</c>) and every
/// other request from a queue of scripted answers (then 404), recording each request URL.
/// </summary>
internal sealed class OkxStubHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _script = new();

    public ConcurrentQueue<Uri> Requests { get; } = new();

    public IEnumerable<Uri> DataRequests => Requests.Where(u => !u.AbsolutePath.EndsWith("/instruments", StringComparison.Ordinal));

    public OkxStubHandler Then(HttpStatusCode status, string body)
    {
        _script.Enqueue(() => new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        return this;
    }

    public static string Envelope(string data, string code = "0", string msg = "") => $"{{\"code\":\"{code}\",\"msg\":\"{msg}\",\"data\":{data}}}";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri!;
        Requests.Enqueue(url);
        if (url.AbsolutePath.EndsWith("/api/v5/public/instruments", StringComparison.Ordinal))
        {
            var body = TestData.CapturePayload("OKX.0", "/api/v5/public/instruments" + url.Query);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }

        return Task.FromResult(_script.TryDequeue(out var next)
            ? next()
            : new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("no scripted answer") });
    }
}
