namespace Coinlake.Exchanges.Binance;

/// <summary>
/// Settings of a <see cref="BinanceClient"/>. Defaults follow Binance's documentation; <see cref="Validate"/> runs
/// when a client is created.
/// </summary>
public sealed class BinanceOptions
{
    /// <summary>Base URL of the spot API (<c>/api/v3</c>). Binance.US: <c>https://api.binance.us</c>.</summary>
    public Uri SpotBaseUrl { get; set; } = new("https://api.binance.com");

    /// <summary>Base URL of the USDⓈ-M futures API (<c>/fapi/v1</c>).</summary>
    public Uri FuturesBaseUrl { get; set; } = new("https://fapi.binance.com");

    /// <summary>
    /// Spot request weight allowed per minute and IP (spot API "LIMITS": <c>REQUEST_WEIGHT</c> 6000 per minute). A lower
    /// limit advertised in <c>exchangeInfo.rateLimits</c> wins.
    /// </summary>
    public int SpotWeightLimitPerMinute { get; set; } = 6000;

    /// <summary>USDⓈ-M futures request weight allowed per minute and IP (2400). A lower advertised limit wins.</summary>
    public int FuturesWeightLimitPerMinute { get; set; } = 2400;

    /// <summary>
    /// <c>limit</c> of a futures kline request (1..1500). The weight depends on it (USDⓈ-M "Kline/Candlestick Data":
    /// [1,100) → 1, [100,500) → 2, [500,1000] → 5, above → 10). 1000 (weight 5, 200 candles per weight) is the
    /// default: a backfill of one series at a time is bound by round trips, where a page of 1000 carries twice what
    /// 499 does, and 1000 gives 33% more candles per weight than 1500 (weight 10). When many series are fetched in
    /// parallel and the weight budget is the bottleneck, 499 (weight 2, 249.5 candles per weight) goes further.
    /// </summary>
    public int FuturesKlineLimit { get; set; } = 1000;

    /// <summary>Retries of a transient failure (429/418, 5xx, timeouts, connection resets); 0 disables retrying.</summary>
    public int MaxRetries { get; set; } = 10;

    /// <summary>Backoff before the first retry; doubles each retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Cap of the backoff between retries (a <c>Retry-After</c> from the exchange is honoured in full).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one HTTP attempt, headers and body included; a timed-out attempt is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When true (default) requests reserve their documented weight in a per-host limiter and wait for the next
    /// minute window when the budget is used; when false only 429/418 answers slow the client down.
    /// </summary>
    public bool RespectRateLimits { get; set; } = true;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it, its value and the valid range.</exception>
    public void Validate()
    {
        CheckUrl(SpotBaseUrl, nameof(SpotBaseUrl));
        CheckUrl(FuturesBaseUrl, nameof(FuturesBaseUrl));
        if (SpotWeightLimitPerMinute < BinanceWeights.SpotExchangeInfo)
        {
            throw new ArgumentException(
                $"{nameof(SpotWeightLimitPerMinute)} is {SpotWeightLimitPerMinute}; it must be at least {BinanceWeights.SpotExchangeInfo} (the weight of /api/v3/exchangeInfo). Binance allows 6000.",
                nameof(SpotWeightLimitPerMinute));
        }

        if (FuturesKlineLimit is < 1 or > 1500)
        {
            throw new ArgumentException($"{nameof(FuturesKlineLimit)} is {FuturesKlineLimit}; Binance accepts 1 to 1500 (1000 recommended).", nameof(FuturesKlineLimit));
        }

        var futuresMinimum = BinanceWeights.FuturesKlines(FuturesKlineLimit);
        if (FuturesWeightLimitPerMinute < futuresMinimum)
        {
            throw new ArgumentException(
                $"{nameof(FuturesWeightLimitPerMinute)} is {FuturesWeightLimitPerMinute}; it must be at least {futuresMinimum} (the weight of one kline request with limit {FuturesKlineLimit}). Binance allows 2400.",
                nameof(FuturesWeightLimitPerMinute));
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
    public BinanceOptions Clone() => (BinanceOptions)MemberwiseClone();

    private static void CheckUrl(Uri? url, string name)
    {
        if (url is null || !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{name} is '{url}'; it must be an absolute http(s) URL such as https://api.binance.com.", name);
        }
    }
}
