namespace Coinlake.Exchanges.Coinbase;

/// <summary>
/// Settings of a <see cref="CoinbaseClient"/>. Defaults follow the Coinbase Exchange REST API documentation
/// (docs.cdp.coinbase.com/exchange, "Rate Limits", "Pagination", "Get product candles"); <see cref="Validate"/> runs
/// when a client is created.
/// </summary>
public sealed class CoinbaseOptions
{
    /// <summary>The real Coinbase Exchange REST API (<c>https://api.exchange.coinbase.com</c>).</summary>
    public static readonly Uri DefaultBaseUrl = new("https://api.exchange.coinbase.com");

    /// <summary>Base URL of the REST API; products are under <c>/products</c>. Mirrors, the sandbox and fake servers replace it.</summary>
    public Uri BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>
    /// Sustained public request rate, requests per second and IP ("Rate Limits" / "Public Endpoints": 10 per second).
    /// The client's token bucket refills one token every <c>1/RequestsPerSecond</c> s.
    /// </summary>
    public int RequestsPerSecond { get; set; } = 10;

    /// <summary>
    /// Size of the client's token bucket: how many requests may leave back to back after a pause. Coinbase allows
    /// bursts of up to 15; 10 (the default) leaves room for network jitter and other processes sharing the IP, so a
    /// long backfill is not answered 429.
    /// </summary>
    public int BurstRequests { get; set; } = 10;

    /// <summary>
    /// Wait after a 429 answer that carries no <c>Retry-After</c> (Coinbase documents none): every request to the host
    /// pauses this long, which lets the venue's bucket refill (10 tokens per second).
    /// </summary>
    public TimeSpan RateLimitedWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Retries of a transient failure (429, 5xx, timeouts, connection resets); 0 disables retrying.</summary>
    public int MaxRetries { get; set; } = 10;

    /// <summary>Backoff before the first retry; doubles each retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Cap of the backoff between retries (a <c>Retry-After</c> from the venue is honoured in full).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one HTTP attempt, headers and body included; a timed-out attempt is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after its interval ends a candle (and after its time a trade) is trusted to be published. Candles whose
    /// interval ended less than this before now are neither returned nor covered, nor are trade timestamps that recent
    /// claimed complete. Default 10 s.
    /// </summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// When true (default) every request takes a token from the client's bucket (<see cref="RequestsPerSecond"/>,
    /// <see cref="BurstRequests"/>); when false only 429 answers slow the client down.
    /// </summary>
    public bool RespectRateLimits { get; set; } = true;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it, its value and the valid range.</exception>
    public void Validate()
    {
        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttp && BaseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{nameof(BaseUrl)} is '{BaseUrl}'; it must be an absolute http(s) URL such as {DefaultBaseUrl}.", nameof(BaseUrl));
        }

        if (RequestsPerSecond is < 1 or > 1000)
        {
            throw new ArgumentException($"{nameof(RequestsPerSecond)} is {RequestsPerSecond}; use 1 to 1000 (Coinbase allows 10 public requests per second).", nameof(RequestsPerSecond));
        }

        if (BurstRequests < 1)
        {
            throw new ArgumentException($"{nameof(BurstRequests)} is {BurstRequests}; use 1 or more (Coinbase allows bursts of 15).", nameof(BurstRequests));
        }

        if (RateLimitedWait <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(RateLimitedWait)} is {RateLimitedWait}; it must be positive (e.g. 00:00:01).", nameof(RateLimitedWait));
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

        if (SettleDelay < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(SettleDelay)} is {SettleDelay}; use zero or a positive duration (e.g. 00:00:10).", nameof(SettleDelay));
        }
    }

    /// <summary>A copy of these options.</summary>
    public CoinbaseOptions Clone() => (CoinbaseOptions)MemberwiseClone();
}
