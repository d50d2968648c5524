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
}
