namespace Coinlake.Testing.Okx;

/// <summary>
/// Behaviour of a <see cref="FakeOkxServer"/>. Read on every request, so a test may change a value while the server
/// runs (e.g. lower a limit mid-test).
/// </summary>
public sealed class FakeOkxOptions
{
    /// <summary>
    /// When true (default) each endpoint allows its documented number of requests per <see cref="RateLimitWindow"/>
    /// (e.g. <c>/market/history-candles</c> 20, <c>/market/candles</c> 40; see <see cref="FakeOkxServer.DocumentedLimit"/>)
    /// and answers the excess with HTTP 429 <c>{"msg":"Too Many Requests","code":"50011"}</c>, without a
    /// <c>Retry-After</c> header, as OKX does.
    /// </summary>
    public bool RateLimitsEnabled { get; set; } = true;

    /// <summary>The window the limits count in: fixed windows aligned on epoch multiples of this length (OKX: 2 s).</summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Per-path overrides of the documented limits, e.g. <c>["/api/v5/market/history-candles"] = 3</c>.</summary>
    public Dictionary<string, int> RequestsPerWindow { get; } = new(StringComparer.Ordinal);

    /// <summary>How far back <c>/market/history-trades</c> serves trades (OKX: "the last 3 months"); relative to <see cref="TimeProvider"/>.</summary>
    public TimeSpan TradeHistoryReach { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Wait before answering each data request (candles, trades), on <see cref="TimeProvider"/>. Zero answers at once.</summary>
    public TimeSpan ResponseDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// The server's clock: decides which candle is in progress (<c>confirm</c> 0), what the recent endpoints still hold
    /// (the latest 1,440 candles), the trade reach, rate-limit windows and request times. Tests pass a shifted or
    /// accelerated clock to serve recorded data as if it were recent.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
