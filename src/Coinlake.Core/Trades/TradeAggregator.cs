using Coinlake.Candles;
using Coinlake.Time;

namespace Coinlake.Trades;

/// <summary>
/// Builds OHLCV candles from trades (<c>trades -&gt; OHLCV</c>): open = first trade's price, high/low = extremes,
/// close = last trade's price, volume = Σ amount (base), quote volume = Σ price × amount (quote), trade count =
/// number of trades. Trades are ordered by timestamp then id within each interval; intervals without trades produce
/// no candle.
/// </summary>
public static class TradeAggregator
{
    /// <summary>Aggregates <paramref name="trades"/> (any order) into candles of <paramref name="timeframe"/>, ascending.</summary>
    public static IReadOnlyList<Candle> ToCandles(IEnumerable<Trade> trades, Timeframe timeframe)
    {
        var ordered = trades.OrderBy(t => t.Timestamp).ThenBy(t => t.Id.Length).ThenBy(t => t.Id, StringComparer.Ordinal);
        var candles = new List<Candle>();
        var builder = new CandleBuilder(timeframe);
        foreach (var trade in ordered)
        {
            if (builder.Add(trade) is { } closed)
            {
                candles.Add(closed);
            }
        }

        if (builder.Current is { } last)
        {
            candles.Add(last);
        }

        return candles;
    }
}

/// <summary>
/// Incremental trades -&gt; OHLCV for one series: feed trades in time order; each call returns the previous candle when
/// a trade opens a new interval. Used by streaming (closing a candle when its interval has passed) and by
/// <see cref="TradeAggregator"/>.
/// </summary>
public sealed class CandleBuilder(Timeframe timeframe)
{
    private long _openTime = long.MinValue;
    private decimal _open, _high, _low, _close, _volume, _quoteVolume;
    private long _count;

    /// <summary>The candle being built, or null before the first trade.</summary>
    public Candle? Current => _count == 0 ? null : new Candle(_openTime, _open, _high, _low, _close, _volume, _quoteVolume, _count);

    /// <summary>Adds a trade; returns the candle it closes when it falls in a later interval, else null.</summary>
    /// <exception cref="ArgumentException">The trade is older than the candle being built.</exception>
    public Candle? Add(in Trade trade)
    {
        var openTime = timeframe.Floor(trade.Timestamp);
        Candle? closed = null;
        if (_count > 0 && openTime != _openTime)
        {
            if (openTime < _openTime)
            {
                throw new ArgumentException($"Trade {trade.Id} at {TimeRange.FormatTime(trade.Timestamp)} is older than the candle being built ({TimeRange.FormatTime(_openTime)}).", nameof(trade));
            }

            closed = Current;
            _count = 0;
        }

        if (_count == 0)
        {
            _openTime = openTime;
            _open = _high = _low = trade.Price;
            _volume = _quoteVolume = 0;
        }

        _high = Math.Max(_high, trade.Price);
        _low = Math.Min(_low, trade.Price);
        _close = trade.Price;
        _volume += trade.Amount;
        _quoteVolume += trade.Price * trade.Amount;
        _count++;
        return closed;
    }

    /// <summary>Returns the candle being built if its interval has ended by <paramref name="now"/> (ms UTC) and starts a new one.</summary>
    public Candle? CloseIfEnded(long now)
    {
        if (_count == 0 || now < timeframe.Next(_openTime))
        {
            return null;
        }

        var closed = Current;
        _count = 0;
        return closed;
    }
}
