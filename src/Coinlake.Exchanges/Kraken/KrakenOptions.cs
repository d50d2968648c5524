namespace Coinlake.Exchanges.Kraken;

/// <summary>
/// Settings of a <see cref="KrakenClient"/>. Defaults follow Kraken's spot REST documentation
/// (docs.kraken.com/api, "Spot REST API / Rate Limits" and "Market Data"); <see cref="Validate"/> runs when a client is
/// created.
/// </summary>
public sealed class KrakenOptions
{
    /// <summary>Base URL of the spot REST API; requests go to <c>{BaseUrl}/0/public/*</c>.</summary>
    public Uri BaseUrl { get; set; } = new("https://api.kraken.com");

    /// <summary>
    /// Time between two public requests of one IP. Kraken throttles public market-data calls per IP at about one
    /// request per second (answering <c>EGeneral:Too many requests</c> beyond it); 1 s keeps a long backfill clear of it.
    /// </summary>
    public TimeSpan PublicRequestInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Requests that may be sent back to back after an idle spell (the token bucket's size, 1..100). Default 1.</summary>
    public int PublicRequestBurst { get; set; } = 1;

    /// <summary>
    /// When true (default) every request takes a token of a per-client token bucket
    /// (<see cref="PublicRequestInterval"/>, <see cref="PublicRequestBurst"/>) before it is sent; when false only
    /// rate-limit answers slow the client down.
    /// </summary>
    public bool RespectRateLimits { get; set; } = true;

    /// <summary>
    /// How long every request waits after a rate-limit answer that names no reset time (<c>EAPI:Rate limit exceeded</c>,
    /// <c>EGeneral:Too many requests</c>, HTTP 429 without <c>Retry-After</c>). <c>EService:Throttled: &lt;unix time&gt;</c>
    /// and a <c>Retry-After</c> header are honoured as sent instead.
    /// </summary>
    public TimeSpan RateLimitBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries of a transient failure (rate limits, <c>EService:*</c>, 5xx, timeouts, resets); 0 disables retrying.</summary>
    public int MaxRetries { get; set; } = 10;

    /// <summary>Backoff before the first retry; doubles each retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Cap of the backoff between retries (a wait the exchange asked for is honoured in full).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one HTTP attempt, headers and body included; a timed-out attempt is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>count</c> of a <c>/0/public/Trades</c> request (1..1000; "Get Recent Trades": default and maximum 1000).
    /// </summary>
    public int TradesPerPage { get; set; } = 1000;

    /// <summary>
    /// When true (default), candles older than the <see cref="KrakenClient.OhlcWindow"/> candles <c>/0/public/OHLC</c>
    /// serves are rebuilt from <c>/0/public/Trades</c> (one request per 1000 trades: slow for liquid pairs). When false
    /// that part of a range is left uncovered (no page claims it), so a planner sees it as still missing.
    /// </summary>
    public bool RebuildCandlesFromTrades { get; set; } = true;

    /// <summary>
    /// How far behind the client's clock a trade page that reached the newest trade proves "no more trades": a trade
    /// page never claims the last <see cref="TradeSettleDelay"/> before the request was sent, so a clock running ahead
    /// of Kraken's (or a trade still being published) cannot make a range look empty. Default 5 s.
    /// </summary>
    public TimeSpan TradeSettleDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it, its value and the valid range.</exception>
    public void Validate()
    {
        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttp && BaseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{nameof(BaseUrl)} is '{BaseUrl}'; it must be an absolute http(s) URL such as https://api.kraken.com.", nameof(BaseUrl));
        }

        if (PublicRequestInterval <= TimeSpan.Zero || PublicRequestInterval > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException(
                $"{nameof(PublicRequestInterval)} is {PublicRequestInterval}; it must be above zero and at most 10 minutes (Kraken: about 00:00:01 per public request).",
                nameof(PublicRequestInterval));
        }

        if (PublicRequestBurst is < 1 or > 100)
        {
            throw new ArgumentException($"{nameof(PublicRequestBurst)} is {PublicRequestBurst}; use 1 to 100 (1 recommended).", nameof(PublicRequestBurst));
        }

        if (RateLimitBackoff < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(RateLimitBackoff)} is {RateLimitBackoff}; it must not be negative (e.g. 00:00:05).", nameof(RateLimitBackoff));
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

        if (TradesPerPage is < 1 or > 1000)
        {
            throw new ArgumentException($"{nameof(TradesPerPage)} is {TradesPerPage}; Kraken accepts a count of 1 to 1000 (1000 recommended).", nameof(TradesPerPage));
        }

        if (TradeSettleDelay < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(TradeSettleDelay)} is {TradeSettleDelay}; it must not be negative (e.g. 00:00:05).", nameof(TradeSettleDelay));
        }
    }

    /// <summary>A copy of these options.</summary>
    public KrakenOptions Clone() => (KrakenOptions)MemberwiseClone();
}
