namespace Coinlake.Exchanges.Okx;

/// <summary>
/// Settings of an <see cref="OkxClient"/>. Defaults follow OKX's API v5 documentation (www.okx.com/docs-v5/en);
/// <see cref="Validate"/> runs when a client is created.
/// </summary>
public sealed class OkxOptions
{
    /// <summary>Base URL of the REST API (<c>/api/v5/*</c>). Default <c>https://www.okx.com</c>.</summary>
    public Uri BaseUrl { get; set; } = new("https://www.okx.com");

    /// <summary>
    /// When true (default) every request takes a permit from its endpoint's limiter first, so the documented limits
    /// ("Rate Limit: N requests per 2 seconds", rule IP, on each endpoint) are never exceeded by this client; when
    /// false only HTTP 429 / code 50011 answers slow the client down.
    /// </summary>
    public bool RespectRateLimits { get; set; } = true;

    /// <summary>
    /// Share of each documented per-endpoint limit this client uses, in (0, 1] (default 1). Lower it when other
    /// processes on the same IP call the same endpoints.
    /// </summary>
    public double RateLimitShare { get; set; } = 1.0;

    /// <summary>
    /// The window the documented limits count in: 2 seconds for every public market-data endpoint. A rate-limit answer
    /// without <c>Retry-After</c> (OKX sends none) is waited out for this long (the documented reset).
    /// </summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// <c>limit</c> of a <c>/api/v5/market/history-candles</c> request, 1..300. Default 100: the documented maximum
    /// was 100 for years and is 300 today ("GET / Candlesticks history"); a venue that capped a larger limit silently
    /// would make a window look complete when it is not, so the larger value is opt-in.
    /// </summary>
    public int HistoryCandleLimit { get; set; } = 100;

    /// <summary>
    /// When true (default) windows within the venue's recent reach (the latest 1,440 candles, minus a safety margin)
    /// are read from <c>/market/candles</c>, <c>/market/mark-price-candles</c>, <c>/market/index-candles</c> (higher
    /// rate limits, up to 300 rows for last prices); older windows always use the <c>history-</c> endpoints.
    /// </summary>
    public bool UseRecentEndpoints { get; set; } = true;

    /// <summary>
    /// How far back <c>/api/v5/market/history-trades</c> reaches ("Retrieve the recent transactions of an instrument
    /// from the last 3 months"): an empty answer proves no trades only back to now minus this. Default 90 days.
    /// </summary>
    public TimeSpan TradeHistoryReach { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Retries of a transient failure (429/50011, 5xx, 50001/50004/50013/50026, timeouts, resets); 0 disables retrying.</summary>
    public int MaxRetries { get; set; } = 10;

    /// <summary>Backoff before the first retry; doubles each retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Cap of the backoff between retries (a rate-limit wait is not capped).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one HTTP attempt, headers and body included; a timed-out attempt is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it, its value and the valid range.</exception>
    public void Validate()
    {
        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttp && BaseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{nameof(BaseUrl)} is '{BaseUrl}'; it must be an absolute http(s) URL such as https://www.okx.com.", nameof(BaseUrl));
        }

        if (!(RateLimitShare > 0 && RateLimitShare <= 1))
        {
            throw new ArgumentException($"{nameof(RateLimitShare)} is {RateLimitShare}; use a share in (0, 1], e.g. 0.5 to leave half of each limit to other processes.", nameof(RateLimitShare));
        }

        if (RateLimitWindow <= TimeSpan.Zero || RateLimitWindow > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"{nameof(RateLimitWindow)} is {RateLimitWindow}; it must be positive and at most 10 minutes (OKX documents 2 seconds).", nameof(RateLimitWindow));
        }

        if (HistoryCandleLimit is < 1 or > 300)
        {
            throw new ArgumentException($"{nameof(HistoryCandleLimit)} is {HistoryCandleLimit}; OKX accepts 1 to 300 (100 recommended).", nameof(HistoryCandleLimit));
        }

        if (TradeHistoryReach <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(TradeHistoryReach)} is {TradeHistoryReach}; it must be positive (OKX documents 3 months).", nameof(TradeHistoryReach));
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
    public OkxOptions Clone() => (OkxOptions)MemberwiseClone();
}
