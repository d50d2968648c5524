namespace Coinlake.Exchanges.Binance;

/// <summary>Request weights of the Binance routes Coinlake calls, as documented per endpoint ("Weight").</summary>
internal static class BinanceWeights
{
    /// <summary>Spot <c>GET /api/v3/klines</c>: 2 ("Kline/Candlestick data").</summary>
    public const int SpotKlines = 2;

    /// <summary>Spot <c>GET /api/v3/exchangeInfo</c>: 20 ("Exchange information").</summary>
    public const int SpotExchangeInfo = 20;

    /// <summary>USDⓈ-M <c>GET /fapi/v1/exchangeInfo</c>: 1.</summary>
    public const int FuturesExchangeInfo = 1;

    /// <summary>
    /// USDⓈ-M <c>/fapi/v1/klines</c>, <c>markPriceKlines</c>, <c>indexPriceKlines</c>: by <c>limit</c>,
    /// [1,100) → 1, [100,500) → 2, [500,1000] → 5, above 1000 → 10.
    /// </summary>
    public static int FuturesKlines(int limit) => limit switch
    {
        < 100 => 1,
        < 500 => 2,
        <= 1000 => 5,
        _ => 10,
    };

    /// <summary>Spot <c>GET /api/v3/aggTrades</c>: 4 ("Compressed/Aggregate trades list").</summary>
    public const int SpotAggTrades = 4;

    /// <summary>USDⓈ-M <c>GET /fapi/v1/aggTrades</c>: 20 ("Compressed/Aggregate Trades List").</summary>
    public const int FuturesAggTrades = 20;

    /// <summary>Spot <c>GET /api/v3/ticker/24hr</c> without <c>symbol</c>/<c>symbols</c> (every symbol): 80.</summary>
    public const int SpotTickersAll = 80;

    /// <summary>USDⓈ-M <c>GET /fapi/v1/ticker/24hr</c> for one <c>symbol</c>: 1.</summary>
    public const int FuturesTicker = 1;

    /// <summary>USDⓈ-M <c>GET /fapi/v1/ticker/24hr</c> without <c>symbol</c>: 40.</summary>
    public const int FuturesTickersAll = 40;

    /// <summary>USDⓈ-M <c>GET /fapi/v1/ticker/bookTicker</c> for one <c>symbol</c>: 2 ("Symbol Order Book Ticker").</summary>
    public const int FuturesBookTicker = 2;

    /// <summary>USDⓈ-M <c>GET /fapi/v1/ticker/bookTicker</c> without <c>symbol</c>: 5.</summary>
    public const int FuturesBookTickersAll = 5;

    /// <summary>
    /// Spot <c>GET /api/v3/ticker/24hr?symbols=[...]</c> by the number of symbols ("24hr ticker price change
    /// statistics"): 1-20 → 2, 21-100 → 40, 101 or more → 80.
    /// </summary>
    public static int SpotTickers(int symbols) => symbols switch
    {
        <= 20 => 2,
        <= 100 => 40,
        _ => 80,
    };
}
