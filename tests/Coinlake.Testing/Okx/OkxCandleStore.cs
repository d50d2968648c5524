using System.Collections.Concurrent;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Time;

namespace Coinlake.Testing.Okx;

/// <summary>One bucket the store answers with: the candle and whether its interval is over (<c>confirm</c>).</summary>
internal readonly record struct OkxBucket(Candle Candle, bool Confirmed);

/// <summary>
/// The fake server's candle series per (instrument or index id, price type): candles of one base timeframe (1m unless
/// said otherwise), sorted, held as immutable arrays swapped on write. Higher timeframes are aggregated on request.
/// </summary>
internal sealed class OkxCandleStore
{
    private readonly ConcurrentDictionary<(string Id, PriceType Price), Series> _series = new();
    private readonly Lock _write = new();

    /// <summary>Adds (or replaces, by open time) candles of a series.</summary>
    /// <exception cref="ArgumentException">A candle is not aligned to <paramref name="timeframe"/>, or the timeframe differs from the series' one.</exception>
    public void Add(string id, PriceType price, Timeframe timeframe, IReadOnlyList<Candle> candles)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(candles);
        for (var i = 0; i < candles.Count; i++)
        {
            if (!timeframe.IsAligned(candles[i].OpenTime))
            {
                throw new ArgumentException(
                    $"Candle #{i} of '{id}' opens at {TimeRange.FormatTime(candles[i].OpenTime)}, not on a {timeframe} boundary.", nameof(candles));
            }
        }

        lock (_write)
        {
            var key = (id, price);
            if (_series.TryGetValue(key, out var existing) && existing.Timeframe != timeframe)
            {
                throw new ArgumentException($"'{id}' {price} already holds {existing.Timeframe} candles; add {timeframe} candles to another id.", nameof(timeframe));
            }

            var byTime = new SortedDictionary<long, Candle>();
            foreach (var c in existing?.Candles ?? [])
            {
                byTime[c.OpenTime] = c;
            }

            foreach (var c in candles)
            {
                byTime[c.OpenTime] = c with
                {
                    QuoteVolume = c.QuoteVolume ?? decimal.Round(c.Volume * c.Close, 8, MidpointRounding.AwayFromZero),
                };
            }

            _series[key] = new Series(timeframe, [.. byTime.Values]);
        }
    }

    /// <summary>Removes the candles whose open time lies in <paramref name="range"/> (every price type when <paramref name="price"/> is null).</summary>
    public void Remove(string id, TimeRange range, PriceType? price)
    {
        lock (_write)
        {
            foreach (var p in Enum.GetValues<PriceType>())
            {
                if ((price is null || price == p) && _series.TryGetValue((id, p), out var s))
                {
                    _series[(id, p)] = s with { Candles = Array.FindAll(s.Candles, c => !range.Contains(c.OpenTime)) };
                }
            }
        }
    }

    /// <summary>True when any series was added for <paramref name="id"/> and <paramref name="price"/>.</summary>
    public bool Has(string id, PriceType price) => _series.ContainsKey((id, price));

    /// <summary>
    /// Answers a candle request as OKX does: buckets of <paramref name="timeframe"/> with open time &lt;
    /// <paramref name="after"/> and &gt; <paramref name="before"/> (both exclusive, both optional), newest first, at most
    /// <paramref name="limit"/> (the newest ones). Nothing opens after <paramref name="now"/>; the bucket holding
    /// <paramref name="now"/> is unconfirmed and aggregates only what has happened. With <paramref name="recentOnly"/>
    /// only the latest 1,440 buckets exist. Buckets without any base candle do not exist; timeframes finer than the
    /// base, or not a multiple of it, have no data.
    /// </summary>
    public List<OkxBucket> Query(string id, PriceType price, Timeframe timeframe, long? after, long? before, int limit, long now, bool recentOnly)
    {
        var result = new List<OkxBucket>(Math.Min(limit, 512));
        if (!_series.TryGetValue((id, price), out var s) || s.Candles.Length == 0 || !Divides(s.Timeframe, timeframe))
        {
            return result;
        }

        var current = timeframe.Floor(now);
        var lowest = recentOnly ? timeframe.Add(current, -(1440 - 1)) : long.MinValue;
        var candles = s.Candles;
        var hi = UpperBound(candles, now); // base candles that have opened
        if (after is { } a)
        {
            hi = Math.Min(hi, LowerBound(candles, timeframe.Ceiling(a)));
        }

        var i = hi;
        while (i > 0 && result.Count < limit)
        {
            var bucket = timeframe.Floor(candles[i - 1].OpenTime);
            if ((before is { } b && bucket <= b) || bucket < lowest)
            {
                break;
            }

            var j = i - 1;
            while (j > 0 && candles[j - 1].OpenTime >= bucket)
            {
                j--;
            }

            if (after is null || bucket < after.Value)
            {
                result.Add(new OkxBucket(Aggregate(candles.AsSpan(j, i - j), bucket), bucket < current));
            }

            i = j;
        }

        return result;
    }

    /// <summary>The newest bucket with open time at or before <paramref name="time"/> (for boundary-repeat faults).</summary>
    public OkxBucket? AtOrBefore(string id, PriceType price, Timeframe timeframe, long time, long now)
    {
        var page = Query(id, price, timeframe, time + 1, null, 1, now, recentOnly: false);
        return page.Count == 0 ? null : page[0];
    }

    private static bool Divides(Timeframe baseTf, Timeframe tf)
    {
        if (tf == baseTf)
        {
            return true;
        }

        if (tf.IsCalendar)
        {
            return baseTf.ApproximateMilliseconds <= 24 * 3_600_000L && 24 * 3_600_000L % baseTf.ApproximateMilliseconds == 0;
        }

        return !baseTf.IsCalendar && tf.ApproximateMilliseconds > baseTf.ApproximateMilliseconds && tf.ApproximateMilliseconds % baseTf.ApproximateMilliseconds == 0;
    }

    private static Candle Aggregate(ReadOnlySpan<Candle> part, long openTime)
    {
        if (part.Length == 1)
        {
            return part[0] with { OpenTime = openTime };
        }

        var first = part[0];
        decimal high = first.High, low = first.Low, volume = 0, quote = 0;
        foreach (ref readonly var c in part)
        {
            high = Math.Max(high, c.High);
            low = Math.Min(low, c.Low);
            volume += c.Volume;
            quote += c.QuoteVolume.GetValueOrDefault();
        }

        return new Candle(openTime, first.Open, high, low, part[^1].Close, volume, quote);
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

    private static int UpperBound(Candle[] candles, long time) => time == long.MaxValue ? candles.Length : LowerBound(candles, time + 1);

    private sealed record Series(Timeframe Timeframe, Candle[] Candles);
}
