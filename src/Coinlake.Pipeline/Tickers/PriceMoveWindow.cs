using Coinlake.Storage.Alerts;

namespace Coinlake.Pipeline.Tickers;

/// <summary>A price move found by <see cref="PriceMoveWindow"/>.</summary>
/// <param name="FromTime">When the reference price was seen, ms since epoch UTC.</param>
/// <param name="FromPrice">The window's minimum (rise) or maximum (fall).</param>
/// <param name="ToTime">When the crossing price was seen, ms since epoch UTC.</param>
/// <param name="ToPrice">The crossing price.</param>
/// <param name="ChangePercent">Signed change in percent, rounded to 8 decimals.</param>
/// <param name="Direction">Up or down.</param>
internal readonly record struct PriceMove(long FromTime, decimal FromPrice, long ToTime, decimal ToPrice, decimal ChangePercent, PriceDirection Direction);

/// <summary>
/// The last prices of one symbol over a sliding time window, with its minimum and maximum kept in monotonic deques
/// (amortized O(1) per price): a new price is compared with the lowest and the highest price of the window, so a
/// rise after a dip, or a fall after a spike, counts from the extreme and not from the window's first price. After a
/// move is reported, further moves are suppressed for the cool-down so one move does not alert on every tick.
/// </summary>
internal sealed class PriceMoveWindow
{
    private readonly LinkedList<(long Time, decimal Price)> _min = new();
    private readonly LinkedList<(long Time, decimal Price)> _max = new();
    private long _lastTime = long.MinValue;
    private long _quietUntil = long.MinValue;

    /// <summary>
    /// Adds <paramref name="price"/> seen at <paramref name="time"/> (ms UTC; a time earlier than the previous one counts
    /// as the previous one) and returns the move it completes, if the price differs from the window's minimum or
    /// maximum by strictly more than <paramref name="percent"/> percent and no move was reported within the cool-down.
    /// The window holds prices seen in <c>[time - windowMs, time]</c>.
    /// </summary>
    public PriceMove? Add(long time, decimal price, long windowMs, decimal percent, long cooldownMs)
    {
        time = Math.Max(time, _lastTime);
        _lastTime = time;
        var oldest = time - windowMs;
        Evict(_min, oldest);
        Evict(_max, oldest);

        PriceMove? move = null;
        if (time >= _quietUntil && _min.First is { } low && _max.First is { } high)
        {
            var rise = low.Value.Price > 0 ? (price - low.Value.Price) / low.Value.Price * 100m : 0m;
            var fall = high.Value.Price > 0 ? (price - high.Value.Price) / high.Value.Price * 100m : 0m;
            if (rise > percent && rise >= -fall)
            {
                move = new PriceMove(low.Value.Time, low.Value.Price, time, price, decimal.Round(rise, 8), PriceDirection.Up);
            }
            else if (-fall > percent)
            {
                move = new PriceMove(high.Value.Time, high.Value.Price, time, price, decimal.Round(fall, 8), PriceDirection.Down);
            }
        }

        while (_min.Last is { } last && last.Value.Price >= price)
        {
            _min.RemoveLast();
        }

        _min.AddLast((time, price));
        while (_max.Last is { } last && last.Value.Price <= price)
        {
            _max.RemoveLast();
        }

        _max.AddLast((time, price));
        if (move is not null)
        {
            _quietUntil = time + cooldownMs;
        }

        return move;
    }

    private static void Evict(LinkedList<(long Time, decimal Price)> deque, long oldest)
    {
        while (deque.First is { } first && first.Value.Time < oldest)
        {
            deque.RemoveFirst();
        }
    }
}
