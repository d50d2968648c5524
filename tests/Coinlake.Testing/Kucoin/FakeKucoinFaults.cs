using Coinlake.Testing.Hosting;

namespace Coinlake.Testing.Kucoin;

/// <summary>A failure the fake KuCoin server can inject into a market-data answer.</summary>
public enum FakeKucoinFault
{
    /// <summary>HTTP 500 with <c>{"code":"500000","msg":"Internal Server Error"}</c>.</summary>
    InternalServerError500,

    /// <summary>HTTP 502 with an HTML body, as a load balancer sends it.</summary>
    BadGateway502,

    /// <summary>HTTP 503 with <c>{"code":"503000","msg":"Service Unavailable"}</c>.</summary>
    ServiceUnavailable503,

    /// <summary>HTTP 429 <c>{"code":"429000","msg":"Too many requests"}</c> with <c>gw-ratelimit-remaining: 0</c> and <c>gw-ratelimit-reset: 1000</c> (ms). Uses no quota.</summary>
    TooManyRequests429,

    /// <summary>HTTP 400 <c>{"code":"400100","msg":"Parameter error (injected fault)"}</c>: a non-transient error.</summary>
    ParameterError400,

    /// <summary>HTTP 200 carrying an error envelope <c>{"code":"400100","msg":"This pair is not provided at present"}</c>.</summary>
    ErrorEnvelope200,

    /// <summary>The connection is aborted before any response byte: <c>HttpClient</c> throws <c>HttpRequestException</c>.</summary>
    ConnectionReset,

    /// <summary>Status 200 and the full <c>Content-Length</c>, then half the body, then the connection closes.</summary>
    TruncatedBody,

    /// <summary>Status 200 with the complete, well-framed body <c>{"code":"200000","data":[["1","a"</c>: invalid JSON.</summary>
    MalformedJson,

    /// <summary>
    /// Kline answers only: the normal answer plus the candle just after <c>endAt</c> and the one just before
    /// <c>startAt</c> (when they exist), as a venue whose bounds overlap the neighbouring pages would send: a candle
    /// repeated at a page boundary.
    /// </summary>
    OverlappingRows,

    /// <summary>Never answers: waits until the client gives up (aborts the request) or the server is disposed.</summary>
    Stall,
}

/// <summary>
/// Fault injection: each enqueued fault replaces (or, for <see cref="FakeKucoinFault.OverlappingRows"/>, alters) the
/// answer of the next market-data request (<c>/api/v1/market/candles</c>, <c>histories</c>, <c>allTickers</c>,
/// <c>stats</c>), in order, then is consumed. Faulted requests use no pool quota. Thread-safe.
/// </summary>
public sealed class FakeKucoinFaults : FaultQueue<FakeKucoinFault>;
