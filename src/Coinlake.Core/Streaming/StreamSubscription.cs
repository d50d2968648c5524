using Coinlake.Markets;
using Coinlake.Time;

namespace Coinlake.Streaming;

/// <summary>What a live market-data subscription carries.</summary>
public enum StreamChannel
{
    /// <summary>Candles (klines) of one timeframe and price type, pushed as they change and when they close.</summary>
    Candles,

    /// <summary>Public trades (executions), one event per trade.</summary>
    Trades,

    /// <summary>Ticker updates (last, best bid/ask, 24 h statistics where the exchange sends them).</summary>
    Tickers,
}

/// <summary>
/// One live subscription: a market's candles, trades or tickers. Exchange-native topic names stay inside the connectors.
/// </summary>
/// <param name="Symbol">Unified symbol (ccxt style: <c>BTC/USDT</c>, <c>BTC/USDT:USDT</c>).</param>
/// <param name="MarketType">Spot, swap or future.</param>
/// <param name="Channel">Candles, trades or tickers.</param>
/// <param name="Timeframe">The candle timeframe; required for <see cref="StreamChannel.Candles"/>, null otherwise.</param>
/// <param name="Price">Candle price type (last, mark, index); <see cref="PriceType.Last"/> for trades and tickers.</param>
public sealed record StreamSubscription(Symbol Symbol, MarketType MarketType, StreamChannel Channel, Timeframe? Timeframe = null, PriceType Price = PriceType.Last)
{
    /// <summary>A candle subscription.</summary>
    public static StreamSubscription Candles(Symbol symbol, MarketType marketType, Timeframe timeframe, PriceType price = PriceType.Last) =>
        new(symbol, marketType, StreamChannel.Candles, timeframe, price);

    /// <summary>A trade subscription.</summary>
    public static StreamSubscription Trades(Symbol symbol, MarketType marketType) => new(symbol, marketType, StreamChannel.Trades);

    /// <summary>A ticker subscription.</summary>
    public static StreamSubscription Tickers(Symbol symbol, MarketType marketType) => new(symbol, marketType, StreamChannel.Tickers);

    /// <inheritdoc />
    public override string ToString() => Channel switch
    {
        StreamChannel.Candles => $"{Symbol} {MarketType.ToName()} candles {Timeframe} {Price.ToName()}",
        StreamChannel.Trades => $"{Symbol} {MarketType.ToName()} trades",
        _ => $"{Symbol} {MarketType.ToName()} tickers",
    };
}
