namespace Coinlake.Exchanges.Kucoin;

/// <summary>
/// Settings of a <see cref="KucoinClient"/>. Defaults follow KuCoin's documentation (docs-new, "Rate Limit" and the
/// Spot "Market Data" endpoints); <see cref="Validate"/> runs when a client is created.
/// </summary>
public sealed class KucoinOptions
{
    /// <summary>The documented maximum rows of one <c>GET /api/v1/market/candles</c> answer ("Get Klines": "at most 1500 pieces of data").</summary>
    public const int MaxCandlesPerRequest = 1500;

    /// <summary>Base URL of the spot REST API (<c>/api/v1</c>, <c>/api/v2</c>).</summary>
    public Uri BaseUrl { get; set; } = new("https://api.kucoin.com");

    /// <summary>
    /// Quota of the <c>Public</c> resource pool per 30-second window ("Rate Limit" / "Resource Pool": 2000/30s at every
    /// VIP level). Every market-data endpoint draws its documented weight from it (klines 3, trade history 3, all
    /// symbols 4, all tickers 15, 24h stats 15). The client spends at most half of it per whole UTC minute (see
    /// <see cref="KucoinClient"/>), which keeps every 30-second window within the quota.
    /// </summary>
    public int PublicPoolQuota { get; set; } = 2000;

    /// <summary>
    /// Rows the venue returns at most per kline answer (1..1500, default 1500). A request spans at most this many
    /// candle intervals; an answer with this many rows is treated as possibly cut and the rest of its window is
    /// fetched by moving <c>endAt</c> back. Lower it only for a venue (or fake) that answers with fewer rows.
    /// </summary>
    public int CandlesPerRequest { get; set; } = MaxCandlesPerRequest;

    /// <summary>Retries of a transient failure (429000, 5xx, timeouts, connection resets); 0 disables retrying.</summary>
    public int MaxRetries { get; set; } = 10;

    /// <summary>Backoff before the first retry; doubles each retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Cap of the backoff between retries (a reset time sent with a 429 is honoured in full).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one HTTP attempt, headers and body included; a timed-out attempt is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When true (default) requests reserve their documented weight in the host's limiter before they are sent; when
    /// false only 429 answers slow the client down.
    /// </summary>
    public bool RespectRateLimits { get; set; } = true;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it, its value and the valid range.</exception>
    public void Validate()
    {
        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttp && BaseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{nameof(BaseUrl)} is '{BaseUrl}'; it must be an absolute http(s) URL such as https://api.kucoin.com.", nameof(BaseUrl));
        }

        var minimum = 2 * KucoinWeights.Largest;
        if (PublicPoolQuota < minimum)
        {
            throw new ArgumentException(
                $"{nameof(PublicPoolQuota)} is {PublicPoolQuota}; it must be at least {minimum} (twice the weight of /api/v1/market/allTickers). KuCoin allows 2000 per 30 s.",
                nameof(PublicPoolQuota));
        }

        if (CandlesPerRequest is < 1 or > MaxCandlesPerRequest)
        {
            throw new ArgumentException($"{nameof(CandlesPerRequest)} is {CandlesPerRequest}; KuCoin answers 1 to {MaxCandlesPerRequest} rows (use {MaxCandlesPerRequest}).",
                nameof(CandlesPerRequest));
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
    public KucoinOptions Clone() => (KucoinOptions)MemberwiseClone();
}
