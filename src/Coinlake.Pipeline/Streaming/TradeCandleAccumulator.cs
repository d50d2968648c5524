using Coinlake.Candles;
using Coinlake.Trades;

namespace Coinlake.Pipeline.Streaming;

/// <summary>
/// One candle being built from live trades, with the semantics of Core's <c>TradeAggregator</c>: open = price of the first
/// trade and close = price of the last one in (timestamp, id) order, high/low = extremes, volume = Σ amount (base),
/// quote volume = Σ price × amount (quote), trade count. Unlike Core's <c>CandleBuilder</c> (which needs trades in time
/// order) it accepts the trades of its interval in any order, because late trades within the grace period may arrive
/// after later ones.
/// </summary>
internal sealed class TradeCandleAccumulator(long openTime)
{
    private long _firstTime = long.MaxValue;
    private string _firstId = "";
    private long _lastTime = long.MinValue;
    private string _lastId = "";
    private decimal _open, _high, _low, _close, _volume, _quoteVolume;
    private long _count;

    /// <summary>Open time of the candle, ms UTC.</summary>
    public long OpenTime { get; } = openTime;

    /// <summary>Adds a trade of this interval.</summary>
    public void Add(in Trade trade)
    {
        if (_count == 0)
        {
            _high = _low = trade.Price;
        }

        if (Compare(trade.Timestamp, trade.Id, _firstTime, _firstId) < 0)
        {
            _firstTime = trade.Timestamp;
            _firstId = trade.Id;
            _open = trade.Price;
        }

        if (Compare(trade.Timestamp, trade.Id, _lastTime, _lastId) > 0)
        {
            _lastTime = trade.Timestamp;
            _lastId = trade.Id;
            _close = trade.Price;
        }

        _high = Math.Max(_high, trade.Price);
        _low = Math.Min(_low, trade.Price);
        _volume += trade.Amount;
        _quoteVolume += trade.Price * trade.Amount;
        _count++;
    }

    /// <summary>The candle of the trades added so far.</summary>
    public Candle ToCandle() => new(OpenTime, _open, _high, _low, _close, _volume, _quoteVolume, _count);

    /// <summary>TradeAggregator's order: timestamp, then id length, then id (ordinal), so numeric ids sort numerically.</summary>
    private static int Compare(long time, string id, long otherTime, string otherId)
    {
        var c = time.CompareTo(otherTime);
        if (c != 0)
        {
            return c;
        }

        c = id.Length.CompareTo(otherId.Length);
        return c != 0 ? c : string.CompareOrdinal(id, otherId);
    }
}
