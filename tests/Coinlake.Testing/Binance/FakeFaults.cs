using Coinlake.Testing.Hosting;

namespace Coinlake.Testing.Binance;

/// <summary>A failure the fake server can inject into a klines-family answer.</summary>
public enum FakeFault
{
    /// <summary>HTTP 500 with Binance's <c>{"code":-1000,"msg":"An unknown error occurred while processing the request."}</c>.</summary>
    InternalServerError500,

    /// <summary>HTTP 502 with an HTML body, as a load balancer sends it.</summary>
    BadGateway502,

    /// <summary>HTTP 503 with <c>{"code":-1008,"msg":"Server is currently overloaded with other requests. ..."}</c>.</summary>
    ServiceUnavailable503,

    /// <summary>HTTP 504 with <c>{"code":-1007,"msg":"Timeout waiting for response from backend server. ..."}</c> (Binance: execution status unknown).</summary>
    GatewayTimeout504,

    /// <summary>HTTP 429 <c>-1003</c> with <c>Retry-After: 1</c>. Does not count toward the server's ban counter.</summary>
    TooManyRequests429,

    /// <summary>HTTP 418 <c>-1003</c> (IP banned) with <c>Retry-After: 1</c>. Starts no real ban.</summary>
    Teapot418,

    /// <summary>The connection is aborted before any response byte: <c>HttpClient</c> throws <c>HttpRequestException</c>.</summary>
    ConnectionReset,

    /// <summary>
    /// Status 200 and a <c>Content-Length</c> of the full page, then only the bytes up to the middle of the last row,
    /// then the connection is closed: buffering the content throws <c>HttpRequestException</c> (an
    /// <c>HttpIOException</c>, "response ended prematurely"); a streaming reader gets the JSON cut mid-row, then that
    /// exception. (For a page with no rows, or an invalid request, a canned one-row page is cut instead.)
    /// </summary>
    TruncatedBody,

    /// <summary>Status 200 with the complete, well-framed body <c>[[1,"a"</c>: invalid JSON.</summary>
    MalformedJson,

    /// <summary>Never answers: waits until the client gives up (aborts the request) or the server is disposed.</summary>
    Stall,
}

/// <summary>
/// Fault injection: each enqueued fault replaces the answer of the next klines-family request
/// (<c>/api/v3/klines</c>, <c>/fapi/v1/klines</c>, <c>/fapi/v1/markPriceKlines</c>, <c>/fapi/v1/indexPriceKlines</c>),
/// in order, then is consumed. Faulted requests use no weight and leave the rate limiter untouched. Thread-safe.
/// </summary>
public sealed class FakeFaults : FaultQueue<FakeFault>;
