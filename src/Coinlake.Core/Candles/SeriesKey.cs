using Coinlake.Markets;
using Coinlake.Time;

namespace Coinlake.Candles;

/// <summary>
/// Identity of a candle series: (exchange, symbol, market type, timeframe, price type). Every store keys candles
/// by series + open time, so writes are idempotent upserts.
/// </summary>
/// <param name="Exchange">Lower-case exchange id, e.g. <c>binance</c>.</param>
/// <param name="Symbol">Unified symbol, e.g. <c>BTC/USDT</c>.</param>
/// <param name="MarketType">Spot, swap or future.</param>
/// <param name="Timeframe">Candle interval.</param>
/// <param name="Price">Last, mark or index price.</param>
public sealed record SeriesKey(string Exchange, Symbol Symbol, MarketType MarketType, Timeframe Timeframe, PriceType Price)
{
    /// <summary>E.g. <c>binance BTC/USDT spot 1m last</c>.</summary>
    public override string ToString() => $"{Exchange} {Symbol} {MarketType.ToName()} {Timeframe} {Price.ToName()}";
}
