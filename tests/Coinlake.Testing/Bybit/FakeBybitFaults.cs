using Coinlake.Testing.Hosting;

namespace Coinlake.Testing.Bybit;

/// <summary>A failure or quirk the fake Bybit server can inject into a market-data answer.</summary>
public enum FakeBybitFault
{
    /// <summary>HTTP 200 <c>{"retCode":10016,"retMsg":"Internal server error."}</c> ("Error Codes": 10016 server error).</summary>
    ServerError10016,

    /// <summary>HTTP 200 <c>{"retCode":10000,"retMsg":"Server Timeout"}</c>.</summary>
    ServerTimeout10000,

    /// <summary>
    /// HTTP 200 <c>{"retCode":10006,"retMsg":"Too many visits!"}</c> with <c>X-Bapi-Limit-Reset-Timestamp</c> one second
    /// ahead ("Rate Limit Rules" / "API Rate Limit").
    /// </summary>
    TooManyVisits10006,

    /// <summary>HTTP 429 "System level frequency protection. Please retry" ("Error Codes" / HTTP Code), without <c>Retry-After</c>.</summary>
    SystemBusy429,

    /// <summary>One HTTP 403 "access too frequent" answer (the IP limit answer) without starting a real ban.</summary>
    AccessTooFrequent403,

    /// <summary>HTTP 502 with an HTML body, as a load balancer sends it.</summary>
    BadGateway502,

    /// <summary>The connection is aborted before any response byte.</summary>
    ConnectionReset,

    /// <summary>Status 200 and the <c>Content-Length</c> of the full answer, then only its first half, then the connection closes.</summary>
    TruncatedBody,

    /// <summary>Status 200 with the complete, well-framed body <c>{"retCode":0,"result":{"list":[["1",</c>: invalid JSON.</summary>
    MalformedJson,

    /// <summary>Never answers: waits until the client gives up or the server is disposed.</summary>
    Stall,

    /// <summary>
    /// A kline answer cut to its newest <see cref="FakeBybitOptions.CappedPageSize"/> rows although the request's
    /// <c>limit</c> allowed more: the page ends inside the requested range.
    /// </summary>
    CappedPage,

    /// <summary>
    /// A kline answer that also carries the candles just outside <c>[start, end]</c> on both sides (a candle repeated at
    /// a page boundary).
    /// </summary>
    RepeatedBoundaryCandles,
}

/// <summary>
/// Fault injection: each enqueued fault replaces (or alters) the answer of the next market-data request (kline, mark and
/// index kline, recent trades, tickers; not instruments-info or time), in order, then is consumed. Faulted requests still
/// count toward the IP request limit. Thread-safe.
/// </summary>
public sealed class FakeBybitFaults : FaultQueue<FakeBybitFault>;

/// <summary>One request the fake Bybit server received.</summary>
/// <param name="Path">URL path, e.g. <c>/v5/market/kline</c>.</param>
/// <param name="Query">Raw query string without the leading <c>?</c>.</param>
/// <param name="Status">HTTP status sent; 0 when none was (connection aborted, stalled request).</param>
/// <param name="RetCode">The envelope's <c>retCode</c>, when a JSON envelope was sent.</param>
/// <param name="Time">Arrival time on <see cref="FakeBybitOptions.TimeProvider"/>.</param>
public sealed record FakeBybitRequest(string Path, string Query, int Status, int? RetCode, DateTimeOffset Time);
