namespace Coinlake.Exchanges.Kucoin;

/// <summary>
/// Weights the KuCoin routes Coinlake calls draw from the <c>Public</c> resource pool, as documented per endpoint
/// ("REQUEST RATE LIMIT" / "Public weight").
/// </summary>
internal static class KucoinWeights
{
    /// <summary><c>GET /api/v2/symbols</c> ("Get All Symbols"): 4.</summary>
    public const int Symbols = 4;

    /// <summary><c>GET /api/v1/market/candles</c> ("Get Klines"): 3.</summary>
    public const int Candles = 3;

    /// <summary><c>GET /api/v1/market/histories</c> ("Get Trade History"): 3.</summary>
    public const int TradeHistory = 3;

    /// <summary><c>GET /api/v1/market/allTickers</c> ("Get All Tickers"): 15.</summary>
    public const int AllTickers = 15;

    /// <summary><c>GET /api/v1/market/stats</c> ("Get 24hr Stats"): 15.</summary>
    public const int Stats = 15;

    /// <summary>The largest weight of the routes above.</summary>
    public const int Largest = 15;
}
