using Coinlake.Testing.Hosting;

namespace Coinlake.Testing.Okx;

/// <summary>A failure the fake OKX server can inject into a data answer (candles, trades).</summary>
public enum OkxFault
{
    /// <summary>HTTP 500 <c>{"code":"50026","msg":"System error. Try again later.","data":[]}</c>.</summary>
    InternalServerError500,

    /// <summary>HTTP 502 with an HTML body, as a load balancer sends it.</summary>
    BadGateway502,

    /// <summary>HTTP 503 <c>{"code":"50001","msg":"Service temporarily unavailable. Please try again later.","data":[]}</c>.</summary>
    ServiceUnavailable503,

    /// <summary>HTTP 200 <c>{"code":"50013","msg":"Systems are busy. Please try again later.","data":[]}</c> (transient by its code alone).</summary>
    SystemBusy50013,

    /// <summary>HTTP 429 <c>{"msg":"Too Many Requests","code":"50011"}</c> without <c>Retry-After</c> (does not touch the limiter).</summary>
    TooManyRequests429,

    /// <summary>The connection is aborted before any response byte.</summary>
    ConnectionReset,

    /// <summary>Status 200 with the <c>Content-Length</c> of the full answer, then half of it, then the connection closes.</summary>
    TruncatedBody,

    /// <summary>Status 200 with a complete, well-framed but invalid body <c>{"code":"0","data":[["1",</c>.</summary>
    MalformedJson,

    /// <summary>
    /// The real answer plus repeats at its boundaries: candle answers also carry the newest candle at or before the
    /// <c>before</c> bound (the last one of the previous window) and their newest row twice; trade answers paged by
    /// <c>after=tradeId</c> also carry the trade with that id.
    /// </summary>
    BoundaryRepeat,

    /// <summary>Never answers: waits until the client gives up or the server is disposed.</summary>
    Stall,
}

/// <summary>
/// Fault injection: each enqueued fault replaces (or, for <see cref="OkxFault.BoundaryRepeat"/>, alters) the answer of
/// the next data request (<c>/market/*candles</c>, <c>/market/trades</c>, <c>/market/history-trades</c>), in order.
/// Faulted requests do not count toward rate limits. Thread-safe.
/// </summary>
public sealed class FakeOkxFaults : FaultQueue<OkxFault>;

/// <summary>One request the fake OKX server received.</summary>
/// <param name="Path">URL path, e.g. <c>/api/v5/market/history-candles</c>.</param>
/// <param name="Query">Raw query string without the leading <c>?</c>.</param>
/// <param name="Status">HTTP status sent; 0 when none was (connection aborted, stalled request).</param>
/// <param name="Time">Arrival time on <see cref="FakeOkxOptions.TimeProvider"/>.</param>
public sealed record OkxRecordedRequest(string Path, string Query, int Status, DateTimeOffset Time);
