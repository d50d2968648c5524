namespace Coinlake.Trades;

/// <summary>Which side took liquidity in a trade.</summary>
public enum TradeSide
{
    /// <summary>The exchange does not say.</summary>
    Unknown,

    /// <summary>The taker bought (the trade lifted an ask).</summary>
    Buy,

    /// <summary>The taker sold (the trade hit a bid).</summary>
    Sell,
}

/// <summary>
/// One public trade. Stores key trades by (exchange, symbol, market type, trade id), so writes are idempotent.
/// </summary>
/// <param name="Id">The exchange's trade id as text (numeric ids keep their digits; e.g. Binance aggregate trade id
/// <c>a</c>, OKX <c>tradeId</c>, Kraken's trade id, Coinbase <c>trade_id</c>).</param>
/// <param name="Timestamp">Execution time, ms since the Unix epoch, UTC.</param>
/// <param name="Price">Price in the quote currency.</param>
/// <param name="Amount">Size in the base currency (contracts where the exchange counts contracts).</param>
/// <param name="Side">Taker side.</param>
public readonly record struct Trade(string Id, long Timestamp, decimal Price, decimal Amount, TradeSide Side)
{
    /// <summary>Price × amount, in the quote currency.</summary>
    public decimal Cost => Price * Amount;
}
