namespace Coinlake.Candles;

/// <summary>
/// One OHLCV candle (kline), keyed by its open time. Prices are in the quote currency, <see cref="Volume"/> in the
/// base currency (contracts for some derivatives, as the exchange reports it), <see cref="QuoteVolume"/> in the
/// quote currency. Values are exact decimals: a stored value reads back as the exchange's decimal string.
/// </summary>
/// <param name="OpenTime">Open time, ms since the Unix epoch, UTC; aligned to the series' timeframe.</param>
/// <param name="Open">First trade price of the interval.</param>
/// <param name="High">Highest trade price.</param>
/// <param name="Low">Lowest trade price.</param>
/// <param name="Close">Last trade price.</param>
/// <param name="Volume">Traded volume in the base currency (0 for mark/index candles).</param>
/// <param name="QuoteVolume">Traded volume in the quote currency, when the exchange gives it.</param>
/// <param name="TradeCount">Number of trades, when the exchange gives it.</param>
public readonly record struct Candle(
    long OpenTime,
    decimal Open,
    decimal High,
    decimal Low,
    decimal Close,
    decimal Volume,
    decimal? QuoteVolume = null,
    long? TradeCount = null);
