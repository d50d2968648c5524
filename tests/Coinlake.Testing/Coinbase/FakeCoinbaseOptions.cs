namespace Coinlake.Testing.Coinbase;

/// <summary>
/// Behaviour of a <see cref="FakeCoinbaseServer"/>. Read on every request, so a test may change a value while the
/// server runs.
/// </summary>
public sealed class FakeCoinbaseOptions
{
    /// <summary>
    /// Public requests per second per IP, the refill rate of the server's token bucket (Coinbase Exchange "Rate
    /// Limits" / "Public Endpoints": 10). <c>&lt;= 0</c> disables rate limiting.
    /// </summary>
    public int RequestsPerSecond { get; set; } = 10;

    /// <summary>Size of the server's token bucket: the burst Coinbase allows (15).</summary>
    public int Burst { get; set; } = 15;

    /// <summary>
    /// At most this many candles per answer (Coinbase: 300, "Max Candles"). Rows are kept from the oldest requested
    /// bucket (preceding ones included), so with <see cref="PrecedingCandles"/> a 300-bucket window ends inside the range.
    /// </summary>
    public int MaxCandlesPerAnswer { get; set; } = 300;

    /// <summary>
    /// Buckets before <c>start</c> included in a candle answer ("some of those candles may precede your declared start
    /// value"): 1 repeats the previous window's newest candle at each page boundary. Default 0.
    /// </summary>
    public int PrecedingCandles { get; set; }

    /// <summary>
    /// When true, <c>GET /products</c> replays the recorded 2021 answer (<c>captures/COINBASE.0</c>) verbatim; when false
    /// (default) the same products are served in today's documented schema ("Get all known trading pairs": without the
    /// <c>base_min_size</c>, <c>base_max_size</c>, <c>max_market_funds</c> removed on 2022-06-30, with
    /// <c>fx_stablecoin</c>, <c>max_slippage_percentage</c>, <c>auction_mode</c>, <c>high_bid_limit_percentage</c>).
    /// </summary>
    public bool ServeRecordedProducts { get; set; }

    /// <summary>Clock for the rate limiter, request times, "now" (no candle or trade after it is served) and delays; tests may pass a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>A failure the fake server can inject into a data answer (candles, trades, ticker, stats).</summary>
public enum FakeCoinbaseFault
{
    /// <summary>HTTP 500 <c>{"message":"Internal server error"}</c>.</summary>
    InternalServerError500,

    /// <summary>HTTP 502 with an HTML body, as a load balancer sends it.</summary>
    BadGateway502,

    /// <summary>HTTP 503 <c>{"message":"Service unavailable"}</c>.</summary>
    ServiceUnavailable503,

    /// <summary>HTTP 429 <c>{"message":"Public rate limit exceeded"}</c> without <c>Retry-After</c> (Coinbase documents none).</summary>
    TooManyRequests429,

    /// <summary>The connection is aborted before any response byte.</summary>
    ConnectionReset,

    /// <summary>Status 200 and the full <c>Content-Length</c>, then half the body, then the connection closes.</summary>
    TruncatedBody,

    /// <summary>Status 200 with the complete body <c>[[1,"a"</c>: invalid JSON.</summary>
    MalformedJson,

    /// <summary>Status 200 with <c>[]</c> whatever was asked.</summary>
    EmptyPage,

    /// <summary>Never answers: waits until the client gives up or the server is disposed.</summary>
    Stall,
}

/// <summary>One request the fake server received.</summary>
/// <param name="Path">URL path, e.g. <c>/products/BTC-USD/candles</c>.</param>
/// <param name="Query">Raw query string without the leading <c>?</c>.</param>
/// <param name="Status">HTTP status sent; 0 when none was (connection aborted, stalled request).</param>
/// <param name="Time">Arrival time on <see cref="FakeCoinbaseOptions.TimeProvider"/>.</param>
public sealed record FakeCoinbaseRequest(string Path, string Query, int Status, DateTimeOffset Time);

/// <summary>
/// A 24h ticker as the fake serves it from <c>/products/{id}/ticker</c> and <c>/products/{id}/stats</c>; the texts
/// are sent as given (Coinbase sends decimals as strings).
/// </summary>
/// <param name="Price">Last trade price (quote).</param>
/// <param name="Bid">Best bid.</param>
/// <param name="Ask">Best ask.</param>
/// <param name="Open24h">Price 24h ago.</param>
/// <param name="High24h">24h high.</param>
/// <param name="Low24h">24h low.</param>
/// <param name="Volume24h">24h volume (base).</param>
/// <param name="Volume30d">30-day volume (base).</param>
/// <param name="TradeId">Id of the last trade.</param>
/// <param name="LastSize">Size of the last trade (base).</param>
/// <param name="Time">ISO-8601 time of the last trade, e.g. <c>2021-04-17T16:43:30.244075Z</c>.</param>
public sealed record FakeCoinbaseTicker(string Price, string Bid, string Ask, string Open24h, string High24h, string Low24h,
    string Volume24h, string Volume30d, long TradeId, string LastSize, string Time);
