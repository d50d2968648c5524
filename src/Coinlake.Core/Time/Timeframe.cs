using System.Diagnostics.CodeAnalysis;

namespace Coinlake.Time;

/// <summary>Unit of a <see cref="Timeframe"/>.</summary>
public enum TimeframeUnit
{
    /// <summary>Seconds (<c>1s</c>).</summary>
    Second,

    /// <summary>Minutes (<c>1m 3m 5m 15m 30m</c>).</summary>
    Minute,

    /// <summary>Hours (<c>1h 2h 4h 6h 8h 12h</c>).</summary>
    Hour,

    /// <summary>Days (<c>1d 3d</c>).</summary>
    Day,

    /// <summary>Weeks (<c>1w</c>), opening on Monday 00:00 UTC as Binance's weekly klines do.</summary>
    Week,

    /// <summary>Calendar months (<c>1M</c>), opening on the 1st at 00:00 UTC.</summary>
    Month,
}

/// <summary>
/// A candle interval as exchanges write it: <c>1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M</c>
/// (lower-case <c>m</c> is minutes, upper-case <c>M</c> calendar months). Candles are keyed by open time
/// (ms since the Unix epoch, UTC); fixed-length timeframes align on multiples of their length since the epoch,
/// weeks on Mondays, months on the first day of the month (Binance spot API, "Kline/Candlestick data").
/// </summary>
public readonly record struct Timeframe
{
    private const long Second = 1000;
    private const long Minute = 60 * Second;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;
    private const long Week = 7 * Day;

    // 1970-01-05 was the first Monday after the epoch (a Thursday).
    private const long FirstMonday = 4 * Day;

    /// <summary>Every timeframe Coinlake knows, shortest first.</summary>
    public static readonly IReadOnlyList<Timeframe> All =
    [
        new(1, TimeframeUnit.Second), new(1, TimeframeUnit.Minute), new(3, TimeframeUnit.Minute), new(5, TimeframeUnit.Minute),
        new(15, TimeframeUnit.Minute), new(30, TimeframeUnit.Minute), new(1, TimeframeUnit.Hour), new(2, TimeframeUnit.Hour),
        new(4, TimeframeUnit.Hour), new(6, TimeframeUnit.Hour), new(8, TimeframeUnit.Hour), new(12, TimeframeUnit.Hour),
        new(1, TimeframeUnit.Day), new(3, TimeframeUnit.Day), new(1, TimeframeUnit.Week), new(1, TimeframeUnit.Month),
    ];

    /// <summary>One minute.</summary>
    public static Timeframe OneMinute => new(1, TimeframeUnit.Minute);

    /// <summary>One hour.</summary>
    public static Timeframe OneHour => new(1, TimeframeUnit.Hour);

    private Timeframe(int count, TimeframeUnit unit)
    {
        Count = count;
        Unit = unit;
    }

    /// <summary>Number of units, e.g. 15 for <c>15m</c>.</summary>
    public int Count { get; }

    /// <summary>The unit.</summary>
    public TimeframeUnit Unit { get; }

    /// <summary>True for <c>1M</c>: months have no fixed length.</summary>
    public bool IsCalendar => Unit == TimeframeUnit.Month;

    /// <summary>Length in ms; for <c>1M</c> the length of a 30-day month (use <see cref="Next"/> for exact month ends).</summary>
    public long ApproximateMilliseconds => Unit switch
    {
        TimeframeUnit.Second => Count * Second,
        TimeframeUnit.Minute => Count * Minute,
        TimeframeUnit.Hour => Count * Hour,
        TimeframeUnit.Day => Count * Day,
        TimeframeUnit.Week => Count * Week,
        _ => Count * 30 * Day,
    };

    /// <summary>Parses one of the supported timeframes (case matters: <c>1m</c> is a minute, <c>1M</c> a month).</summary>
    /// <exception cref="FormatException">Not a supported timeframe; the message lists the valid ones.</exception>
    public static Timeframe Parse(string text) =>
        TryParse(text, out var tf)
            ? tf
            : throw new FormatException($"'{text}' is not a timeframe; use one of {string.Join(" ", All)}.");

    /// <summary>Tries to parse one of the supported timeframes.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Timeframe timeframe)
    {
        timeframe = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        foreach (var tf in All)
        {
            if (string.Equals(tf.ToString(), text.Trim(), StringComparison.Ordinal))
            {
                timeframe = tf;
                return true;
            }
        }

        return false;
    }

    /// <summary>The open time (ms UTC) of the candle that contains <paramref name="time"/>.</summary>
    public long Floor(long time)
    {
        if (Unit == TimeframeUnit.Month)
        {
            var d = DateTimeOffset.FromUnixTimeMilliseconds(time);
            return new DateTimeOffset(d.Year, d.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        }

        var offset = Unit == TimeframeUnit.Week ? FirstMonday : 0;
        var length = ApproximateMilliseconds;
        var shifted = time - offset;
        var quotient = shifted / length;
        if (shifted % length < 0)
        {
            quotient--;
        }

        return (quotient * length) + offset;
    }

    /// <summary>The first open time at or after <paramref name="time"/>.</summary>
    public long Ceiling(long time)
    {
        var floor = Floor(time);
        return floor == time ? time : Next(floor);
    }

    /// <summary>True when <paramref name="time"/> is a valid open time of this timeframe.</summary>
    public bool IsAligned(long time) => Floor(time) == time;

    /// <summary>The open time following the aligned open time <paramref name="openTime"/> (its close time + 1 ms).</summary>
    public long Next(long openTime) => Add(openTime, 1);

    /// <summary>The aligned open time <paramref name="openTime"/> moved by <paramref name="candles"/> candles (may be negative).</summary>
    public long Add(long openTime, long candles)
    {
        if (Unit == TimeframeUnit.Month)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(openTime).AddMonths(checked((int)(candles * Count))).ToUnixTimeMilliseconds();
        }

        return openTime + (candles * ApproximateMilliseconds);
    }

    /// <summary>The number of open times in <paramref name="range"/>.</summary>
    public long CountIn(TimeRange range)
    {
        if (range.IsEmpty)
        {
            return 0;
        }

        var first = Ceiling(range.Start);
        if (first >= range.End)
        {
            return 0;
        }

        if (Unit != TimeframeUnit.Month)
        {
            return ((range.End - 1 - first) / ApproximateMilliseconds) + 1;
        }

        long n = 0;
        for (var t = first; t < range.End; t = Next(t))
        {
            n++;
        }

        return n;
    }

    /// <summary>The open times a complete series holds in <paramref name="range"/>, ascending.</summary>
    public IEnumerable<long> OpenTimes(TimeRange range)
    {
        for (var t = Ceiling(range.Start); t < range.End; t = Next(t))
        {
            yield return t;
        }
    }

    /// <summary>Widens <paramref name="range"/> to candle boundaries: start floored, end ceiled.</summary>
    public TimeRange Align(TimeRange range) => new(Floor(range.Start), Ceiling(range.End));

    /// <summary>The exchange notation, e.g. <c>15m</c>, <c>1M</c>.</summary>
    public override string ToString() => Unit switch
    {
        TimeframeUnit.Second => $"{Count}s",
        TimeframeUnit.Minute => $"{Count}m",
        TimeframeUnit.Hour => $"{Count}h",
        TimeframeUnit.Day => $"{Count}d",
        TimeframeUnit.Week => $"{Count}w",
        _ => $"{Count}M",
    };
}
