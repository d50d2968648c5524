namespace Coinlake.Exchanges.Bybit;

/// <summary>
/// Settings of a <see cref="BybitClient"/>. Defaults follow Bybit's API v5 documentation
/// (bybit-exchange.github.io/docs/v5); <see cref="Validate"/> runs when a client is created.
/// </summary>
public sealed class BybitOptions
{
    /// <summary>The documented IP limit: 600 requests ("Rate Limit Rules" / "HTTP IP limit") ...</summary>
    public const int DocumentedRequestsPerWindow = 600;

    /// <summary>... within a 5-second window per IP.</summary>
    public static readonly TimeSpan DocumentedWindow = TimeSpan.FromSeconds(5);

    /// <summary>Base URL of the v5 REST API (all categories: spot, linear, inverse share one host).</summary>
    public Uri BaseUrl { get; set; } = new("https://api.bybit.com");

    /// <summary>
    /// Requests allowed per <see cref="RateLimitWindow"/> (a sliding window). Bybit allows 600 per 5 s per IP ("Rate
    /// Limit Rules" / "HTTP IP limit") and advises not to run at the edge, so the default keeps a sixth in reserve: 500.
    /// </summary>
    public int RequestsPerWindow { get; set; } = 500;

    /// <summary>Length of the rate-limit window (Bybit: 5 s).</summary>
    public TimeSpan RateLimitWindow { get; set; } = DocumentedWindow;

    /// <summary>
    /// How long to stop every request after an HTTP 403 "access too frequent" (the IP limit was broken). Bybit: "terminate
    /// all HTTP sessions and wait for at least 10 minutes. The ban will be lifted automatically" ("Rate Limit Rules").
    /// </summary>
    public TimeSpan IpBanWait { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// <c>limit</c> of a kline request (<c>/v5/market/kline</c>, <c>mark-price-kline</c>, <c>index-price-kline</c>):
    /// 1..1000 ("Get Kline": "Limit for data size per page. [1, 1000]. Default: 200").
    /// </summary>
    public int KlineLimit { get; set; } = 1000;

    /// <summary>
    /// <c>limit</c> of an instruments-info page (1..1000, "Get Instruments Info"; spot is not paged). The client follows
    /// <c>nextPageCursor</c> until it is empty.
    /// </summary>
    public int InstrumentsPageLimit { get; set; } = 1000;

    /// <summary>Retries of a transient failure (403/429/10006 rate limits, 5xx, 10000/10016, timeouts, resets); 0 disables retrying.</summary>
    public int MaxRetries { get; set; } = 10;

    /// <summary>Backoff before the first retry; doubles each retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Cap of the backoff between retries (a wait Bybit asks for, or <see cref="IpBanWait"/>, is honoured in full).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one HTTP attempt, headers and body included; a timed-out attempt is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When true (default) every request takes a permit of the client's sliding-window limiter first; when false only
    /// rate-limit answers (403, 429, retCode 10006) slow the client down.
    /// </summary>
    public bool RespectRateLimits { get; set; } = true;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it, its value and the valid range.</exception>
    public void Validate()
    {
        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttp && BaseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{nameof(BaseUrl)} is '{BaseUrl}'; it must be an absolute http(s) URL such as https://api.bybit.com.", nameof(BaseUrl));
        }

        if (RequestsPerWindow < 1)
        {
            throw new ArgumentException(
                $"{nameof(RequestsPerWindow)} is {RequestsPerWindow}; it must be at least 1 (Bybit allows {DocumentedRequestsPerWindow} per {DocumentedWindow.TotalSeconds:0} s).",
                nameof(RequestsPerWindow));
        }

        if (RateLimitWindow < TimeSpan.FromMilliseconds(10))
        {
            throw new ArgumentException($"{nameof(RateLimitWindow)} is {RateLimitWindow}; it must be at least 10 ms (Bybit counts per 5 s).", nameof(RateLimitWindow));
        }

        if (IpBanWait < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(IpBanWait)} is {IpBanWait}; it must not be negative (Bybit asks for 10 minutes).", nameof(IpBanWait));
        }

        if (KlineLimit is < 1 or > 1000)
        {
            throw new ArgumentException($"{nameof(KlineLimit)} is {KlineLimit}; Bybit accepts 1 to 1000 (1000 recommended).", nameof(KlineLimit));
        }

        if (InstrumentsPageLimit is < 1 or > 1000)
        {
            throw new ArgumentException($"{nameof(InstrumentsPageLimit)} is {InstrumentsPageLimit}; Bybit accepts 1 to 1000.", nameof(InstrumentsPageLimit));
        }

        if (MaxRetries < 0)
        {
            throw new ArgumentException($"{nameof(MaxRetries)} is {MaxRetries}; use 0 (no retries) or more.", nameof(MaxRetries));
        }

        if (RetryBaseDelay <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(RetryBaseDelay)} is {RetryBaseDelay}; it must be positive (e.g. 00:00:00.250).", nameof(RetryBaseDelay));
        }

        if (MaxRetryDelay < RetryBaseDelay)
        {
            throw new ArgumentException($"{nameof(MaxRetryDelay)} ({MaxRetryDelay}) must not be below {nameof(RetryBaseDelay)} ({RetryBaseDelay}).", nameof(MaxRetryDelay));
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout == Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(RequestTimeout)} is {RequestTimeout}; it must be a positive, finite duration (e.g. 00:00:30).", nameof(RequestTimeout));
        }
    }

    /// <summary>A copy of these options.</summary>
    public BybitOptions Clone() => (BybitOptions)MemberwiseClone();
}
