using Coinlake.Testing.Hosting;

namespace Coinlake.Testing.Kraken;

/// <summary>A failure or an odd page the fake server can put in place of an OHLC or Trades answer.</summary>
public enum FakeKrakenFault
{
    /// <summary>HTTP 500 with <c>{"error":["EGeneral:Internal error"]}</c>.</summary>
    InternalServerError500,

    /// <summary>HTTP 502 with an HTML body, as the CDN in front of Kraken sends it.</summary>
    BadGateway502,

    /// <summary>HTTP 200 with <c>{"error":["EService:Unavailable"]}</c>.</summary>
    ServiceUnavailable,

    /// <summary>HTTP 200 with <c>{"error":["EService:Busy"]}</c>.</summary>
    ServiceBusy,

    /// <summary>HTTP 200 with <c>{"error":["EAPI:Rate limit exceeded"]}</c> (no reset time).</summary>
    RateLimitExceeded,

    /// <summary>HTTP 200 with <c>{"error":["EGeneral:Too many requests"]}</c> (no reset time).</summary>
    TooManyRequests,

    /// <summary>HTTP 200 with <c>{"error":["EService:Throttled: &lt;now + 2 s&gt;"]}</c> ("try again after [timestamp]").</summary>
    Throttled,

    /// <summary>HTTP 429 with <c>Retry-After: 1</c> and <c>{"error":["EGeneral:Too many requests"]}</c>.</summary>
    Http429,

    /// <summary>HTTP 200 with <c>{"error":["EQuery:Unknown asset pair"]}</c>, whatever the pair.</summary>
    UnknownAssetPair,

    /// <summary>The connection is aborted before any response byte.</summary>
    ConnectionReset,

    /// <summary>Status 200, the <c>Content-Length</c> of the whole answer, half of its bytes, then the connection closes.</summary>
    TruncatedBody,

    /// <summary>Status 200 with the complete, well-framed body <c>{"error":[],"result":{"X":[[1,"a"</c>: invalid JSON.</summary>
    MalformedJson,

    /// <summary>Never answers: waits until the client gives up or the server is disposed.</summary>
    Stall,

    /// <summary>The true answer with its rows in reverse order (newest first).</summary>
    NewestFirst,

    /// <summary>
    /// The true answer with a row repeated at the page boundary: OHLC repeats its first row; Trades starts with the
    /// newest trade at or before <c>since</c> again (the last one of the previous page).
    /// </summary>
    RepeatedBoundaryRow,

    /// <summary>
    /// A short page that is not the end: Trades serves only the first half of the rows it would send (with <c>last</c>
    /// set to the last one served); OHLC serves an empty array (no rows, not even the candle in progress).
    /// </summary>
    ShortPage,
}

/// <summary>
/// Fault injection: each enqueued fault replaces the answer of the next OHLC or Trades request, in order, then is
/// consumed. Faulted requests take no rate-limit token. Thread-safe.
/// </summary>
public sealed class FakeKrakenFaults : FaultQueue<FakeKrakenFault>;
