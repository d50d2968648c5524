using System.Collections.Concurrent;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Time;

namespace Coinlake.Testing.Binance;

/// <summary>
/// The fake server's candle series: 1m candles per (exchange symbol id, market, price type), held as sorted immutable
/// arrays swapped on write (readers never lock). Higher timeframes are aggregated on request.
/// </summary>
internal sealed class KlineStore
{
    private const long MinuteMs = 60_000;

    private readonly ConcurrentDictionary<SeriesId, Candle[]> _series = new();
    private readonly ConcurrentDictionary<(string Symbol, FakeMarket Market), byte> _registered = new();
    private readonly Lock _write = new();

    /// <summary>Adds (or replaces, by open time) 1m candles of a series.</summary>
    /// <exception cref="ArgumentException">A candle is not on a minute boundary, or a spot series is not last-price.</exception>
    public void Add(string symbolId, FakeMarket market, PriceType price, IReadOnlyList<Candle> oneMinute)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbolId);
        ArgumentNullException.ThrowIfNull(oneMinute);
        if (market == FakeMarket.Spot && price != PriceType.Last)
        {
            throw new ArgumentException($"Binance spot has only last-price klines; register {price} series for '{symbolId}' with FakeMarket.Futures.", nameof(price));
        }

        var incoming = new Candle[oneMinute.Count];
        var sorted = true;
        for (var i = 0; i < incoming.Length; i++)
        {
            var c = oneMinute[i];
            if (c.OpenTime % MinuteMs != 0)
            {
                throw new ArgumentException(
                    $"Candle #{i} of '{symbolId}' opens at {c.OpenTime} ({TimeRange.FormatTime(c.OpenTime)}), not on a minute boundary: AddSeries takes 1m candles.",
                    nameof(oneMinute));
            }

            incoming[i] = Normalize(c);
            sorted &= i == 0 || incoming[i - 1].OpenTime < c.OpenTime;
        }

        var id = new SeriesId(symbolId, market, price);
        lock (_write)
        {
            _series[id] = _series.TryGetValue(id, out var existing) || !sorted ? Merge(existing ?? [], incoming) : incoming;
            _registered[(symbolId, market)] = 0;
        }
    }

    /// <summary>Removes the 1m candles whose open time lies in <paramref name="range"/> (from every price type when <paramref name="price"/> is null).</summary>
    public void Remove(string symbolId, FakeMarket market, TimeRange range, PriceType? price)
    {
        lock (_write)
        {
            foreach (var p in Enum.GetValues<PriceType>())
            {
                var id = new SeriesId(symbolId, market, p);
                if ((price is null || price == p) && _series.TryGetValue(id, out var existing))
                {
                    _series[id] = Array.FindAll(existing, c => !range.Contains(c.OpenTime));
                }
            }
        }
    }

    /// <summary>True when any series (of any price type) was registered for the id on that market.</summary>
    public bool IsRegistered(string symbolId, FakeMarket market) => _registered.ContainsKey((symbolId, market));

    /// <summary>The symbol ids registered on <paramref name="market"/> (any price type).</summary>
    public IEnumerable<string> Symbols(FakeMarket market) => _registered.Keys.Where(k => k.Market == market).Select(k => k.Symbol);

    /// <summary>The 1m candles of a series, or an empty array.</summary>
    public Candle[] Get(string symbolId, FakeMarket market, PriceType price) =>
        _series.TryGetValue(new SeriesId(symbolId, market, price), out var candles) ? candles : [];

    /// <summary>
    /// Selects candles of <paramref name="timeframe"/> as Binance's klines endpoint does: open times inclusive in
    /// [<paramref name="start"/>, <paramref name="end"/>], ascending; with a start, the first <paramref name="limit"/>
    /// from it; without, the last <paramref name="limit"/> up to the end (or the most recent). Buckets are aligned by
    /// <see cref="Timeframe.Floor"/>; a bucket without any 1m candle does not exist. Timeframes below 1m have no data.
    /// </summary>
    /// <param name="minutes">Sorted 1m candles.</param>
    /// <param name="timeframe">Requested interval.</param>
    /// <param name="start">Inclusive first open time, ms UTC.</param>
    /// <param name="end">Inclusive last open time, ms UTC.</param>
    /// <param name="limit">Maximum candles.</param>
    /// <param name="scratch">Buffer of at least <paramref name="limit"/> candles for aggregated timeframes.</param>
    /// <returns>The candles (a slice of <paramref name="minutes"/> for 1m, of <paramref name="scratch"/> otherwise).</returns>
    public static ReadOnlySpan<Candle> Query(Candle[] minutes, Timeframe timeframe, long? start, long? end, int limit, Candle[] scratch)
    {
        var from = start ?? long.MinValue;
        var to = end ?? long.MaxValue;
        if (minutes.Length == 0 || limit <= 0 || from > to || timeframe.ApproximateMilliseconds < MinuteMs)
        {
            return [];
        }

        if (timeframe == Timeframe.OneMinute)
        {
            var lo = LowerBound(minutes, from);
            var hi = to == long.MaxValue ? minutes.Length : LowerBound(minutes, to + 1);
            var n = Math.Min(limit, hi - lo);
            return n <= 0 ? [] : start.HasValue ? minutes.AsSpan(lo, n) : minutes.AsSpan(hi - n, n);
        }

        if (start.HasValue)
        {
            var i = LowerBound(minutes, SafeCeiling(timeframe, from));
            var count = 0;
            while (i < minutes.Length && count < limit)
            {
                var bucket = timeframe.Floor(minutes[i].OpenTime);
                if (bucket > to)
                {
                    break;
                }

                var next = timeframe.Next(bucket);
                var j = i;
                while (j < minutes.Length && minutes[j].OpenTime < next)
                {
                    j++;
                }

                scratch[count++] = Aggregate(minutes.AsSpan(i, j - i), bucket);
                i = j;
            }

            return scratch.AsSpan(0, count);
        }
        else
        {
            var endExclusive = to == long.MaxValue ? minutes.Length : LowerBound(minutes, timeframe.Next(timeframe.Floor(to)));
            var slot = limit;
            var i = endExclusive;
            while (i > 0 && slot > 0)
            {
                var bucket = timeframe.Floor(minutes[i - 1].OpenTime);
                var j = i - 1;
                while (j > 0 && minutes[j - 1].OpenTime >= bucket)
                {
                    j--;
                }

                scratch[--slot] = Aggregate(minutes.AsSpan(j, i - j), bucket);
                i = j;
            }

            return scratch.AsSpan(slot, limit - slot);
        }
    }

    private static long SafeCeiling(Timeframe timeframe, long time) =>
        time <= long.MinValue / 2 ? long.MinValue : time >= long.MaxValue / 2 ? long.MaxValue : timeframe.Ceiling(time);

    private static Candle Aggregate(ReadOnlySpan<Candle> minutes, long openTime)
    {
        var first = minutes[0];
        decimal high = first.High, low = first.Low, volume = 0, quote = 0;
        long trades = 0;
        foreach (ref readonly var c in minutes)
        {
            if (c.High > high)
            {
                high = c.High;
            }

            if (c.Low < low)
            {
                low = c.Low;
            }

            volume += c.Volume;
            quote += c.QuoteVolume.GetValueOrDefault();
            trades += c.TradeCount.GetValueOrDefault();
        }

        return new Candle(openTime, first.Open, high, low, minutes[^1].Close, volume, quote, trades);
    }

    private static int LowerBound(Candle[] candles, long time)
    {
        int lo = 0, hi = candles.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (candles[mid].OpenTime < time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    // Quote volume when the source has none: volume x close, rounded half away from zero to Binance's 8 decimals;
    // trade count when it has none: 0. Deterministic, so tests can predict every served value.
    private static Candle Normalize(Candle c) => c with
    {
        QuoteVolume = c.QuoteVolume ?? decimal.Round(c.Volume * c.Close, 8, MidpointRounding.AwayFromZero),
        TradeCount = c.TradeCount ?? 0,
    };

    private static Candle[] Merge(Candle[] existing, Candle[] incoming)
    {
        var byTime = new Dictionary<long, Candle>(existing.Length + incoming.Length);
        foreach (var c in existing)
        {
            byTime[c.OpenTime] = c;
        }

        foreach (var c in incoming)
        {
            byTime[c.OpenTime] = c;
        }

        var merged = byTime.Values.ToArray();
        Array.Sort(merged, static (a, b) => a.OpenTime.CompareTo(b.OpenTime));
        return merged;
    }

    private readonly record struct SeriesId(string Symbol, FakeMarket Market, PriceType Price);
}
