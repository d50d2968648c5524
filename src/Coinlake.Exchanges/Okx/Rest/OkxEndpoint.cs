namespace Coinlake.Exchanges.Okx.Rest;

/// <summary>The public REST endpoints the connector calls; each has its own documented rate limit (rule: IP).</summary>
internal enum OkxEndpoint
{
    /// <summary><c>GET /api/v5/public/instruments</c> ("Get instruments"): 20 requests per 2 s, IP + instrument type.</summary>
    Instruments,

    /// <summary><c>GET /api/v5/market/candles</c> ("GET / Candlesticks"): 40 per 2 s, limit ≤ 300, latest 1,440 rows.</summary>
    Candles,

    /// <summary><c>GET /api/v5/market/history-candles</c> ("GET / Candlesticks history"): 20 per 2 s.</summary>
    HistoryCandles,

    /// <summary><c>GET /api/v5/market/mark-price-candles</c> ("Get mark price candlesticks"): 20 per 2 s, limit ≤ 100.</summary>
    MarkPriceCandles,

    /// <summary><c>GET /api/v5/market/history-mark-price-candles</c>: 10 per 2 s (20 in today's table; the lower value is kept), limit ≤ 100.</summary>
    HistoryMarkPriceCandles,

    /// <summary><c>GET /api/v5/market/index-candles</c> ("Get index candlesticks"): 20 per 2 s, limit ≤ 100.</summary>
    IndexCandles,

    /// <summary><c>GET /api/v5/market/history-index-candles</c>: 10 per 2 s, limit ≤ 100.</summary>
    HistoryIndexCandles,

    /// <summary><c>GET /api/v5/market/trades</c> ("GET / Trades"): 100 per 2 s, the latest 500 trades only.</summary>
    Trades,

    /// <summary><c>GET /api/v5/market/history-trades</c> ("GET / Trades history"): 20 per 2 s, limit ≤ 100, last 3 months.</summary>
    HistoryTrades,

    /// <summary><c>GET /api/v5/market/tickers</c> ("GET / Tickers"): 20 per 2 s.</summary>
    Tickers,

    /// <summary><c>GET /api/v5/market/ticker</c> ("GET / Ticker"): 20 per 2 s.</summary>
    Ticker,
}

/// <summary>Paths and documented limits of <see cref="OkxEndpoint"/>s.</summary>
internal static class OkxEndpoints
{
    /// <summary>Every endpoint.</summary>
    public static readonly OkxEndpoint[] All = Enum.GetValues<OkxEndpoint>();

    /// <summary>The path, e.g. <c>/api/v5/market/history-candles</c>.</summary>
    public static string Path(this OkxEndpoint endpoint) => endpoint switch
    {
        OkxEndpoint.Instruments => "/api/v5/public/instruments",
        OkxEndpoint.Candles => "/api/v5/market/candles",
        OkxEndpoint.HistoryCandles => "/api/v5/market/history-candles",
        OkxEndpoint.MarkPriceCandles => "/api/v5/market/mark-price-candles",
        OkxEndpoint.HistoryMarkPriceCandles => "/api/v5/market/history-mark-price-candles",
        OkxEndpoint.IndexCandles => "/api/v5/market/index-candles",
        OkxEndpoint.HistoryIndexCandles => "/api/v5/market/history-index-candles",
        OkxEndpoint.Trades => "/api/v5/market/trades",
        OkxEndpoint.HistoryTrades => "/api/v5/market/history-trades",
        OkxEndpoint.Tickers => "/api/v5/market/tickers",
        OkxEndpoint.Ticker => "/api/v5/market/ticker",
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null),
    };

    /// <summary>Requests allowed per 2-second window ("Rate Limit" line of each endpoint's section).</summary>
    public static int RequestsPerWindow(this OkxEndpoint endpoint) => endpoint switch
    {
        OkxEndpoint.Candles => 40,
        OkxEndpoint.HistoryMarkPriceCandles or OkxEndpoint.HistoryIndexCandles => 10,
        OkxEndpoint.Trades => 100,
        _ => 20,
    };
}
