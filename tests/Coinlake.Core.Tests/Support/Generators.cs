using Coinlake.Time;
using FsCheck;
using FsCheck.Fluent;

namespace Coinlake.Core.Tests.Support;

/// <summary>A timeframe and an instant (ms UTC) between about 1875 and 2065, often on or next to a boundary.</summary>
public sealed record TimeframeAt(Timeframe Timeframe, long Time);

/// <summary>A timeframe and a range of at most a few hundred candles, possibly empty or reversed, possibly before 1970.</summary>
public sealed record TimeframeRange(Timeframe Timeframe, TimeRange Range);

/// <summary>A timeframe, an aligned open time and a candle offset.</summary>
public sealed record TimeframeShift(Timeframe Timeframe, long OpenTime, int Candles);

/// <summary>A few small ranges on the integers, some empty or reversed: input for brute-force set models.</summary>
public sealed record SmallRanges(IReadOnlyList<TimeRange> Ranges)
{
    public override string ToString() => string.Join(" ", Ranges);
}

/// <summary>Ascending open times of a series (aligned, with duplicates and holes) and its timeframe.</summary>
public sealed record OpenTimeSeries(Timeframe Timeframe, IReadOnlyList<long> OpenTimes)
{
    public override string ToString() => $"{Timeframe}: {string.Join(", ", OpenTimes.Select(TimeRange.FormatTime))}";
}

/// <summary>FsCheck arbitraries for Core types, registered with <c>[Property(Arbitrary = [typeof(Generators)])]</c>.</summary>
public static class Generators
{
    /// <summary>Smallest and largest value of the small-integer universe the set models enumerate.</summary>
    public const long UniverseMin = -3;

    /// <summary>Exclusive end of the small-integer universe.</summary>
    public const long UniverseEnd = 44;

    public static Gen<Timeframe> Timeframes => Gen.Elements(Timeframe.All.ToArray());

    /// <summary>Instants between about 1875 and 2065 (ms UTC), with millisecond noise.</summary>
    public static Gen<long> Instants =>
        from high in Gen.Choose(-3_000_000, 3_000_000)
        from low in Gen.Choose(0, 999_999)
        select ((long)high * 1_000_000) + low;

    public static Arbitrary<TimeframeAt> TimeframeAt() =>
        (from tf in Timeframes
         from t in Instants
         from nearBoundary in Gen.Elements(false, true)
         from delta in Gen.Choose(-1, 1)
         select new TimeframeAt(tf, nearBoundary ? tf.Floor(t) + delta : t))
        .ToArbitrary();

    public static Arbitrary<TimeframeRange> TimeframeRange() =>
        (from tf in Timeframes
         from start in Instants
         from candles in Gen.Choose(-3, 300)
         from jitter in Gen.Choose(-2, 2)
         from alignStart in Gen.Elements(false, true)
         let s = alignStart ? tf.Floor(start) : start
         select new TimeframeRange(tf, new TimeRange(s, s + (candles * tf.ApproximateMilliseconds) + jitter)))
        .ToArbitrary();

    public static Arbitrary<TimeframeShift> TimeframeShift() =>
        (from tf in Timeframes
         from t in Instants
         from n in Gen.Choose(-400, 400)
         select new TimeframeShift(tf, tf.Floor(t), n))
        .ToArbitrary();

    public static Arbitrary<SmallRanges> SmallRanges() =>
        Gen.ListOf(
                from start in Gen.Choose((int)UniverseMin + 1, (int)UniverseEnd - 4)
                from length in Gen.Choose(-2, 9)
                select new TimeRange(start, Math.Min(start + length, UniverseEnd - 1)))
            .Select(list => new SmallRanges(list.Take(8).ToList()))
            .ToArbitrary();

    public static Arbitrary<OpenTimeSeries> OpenTimeSeries() =>
        (from tf in Gen.Elements(Timeframe.Parse("1m"), Timeframe.Parse("1h"), Timeframe.Parse("1w"), Timeframe.Parse("1M"))
         from start in Instants
         from steps in Gen.ListOf(Gen.Elements(0, 1, 1, 1, 1, 2, 3, 7))
         select new OpenTimeSeries(tf, Walk(tf, tf.Floor(start), steps)))
        .ToArbitrary();

    /// <summary>Every point of the small-integer universe that lies in one of <paramref name="ranges"/>.</summary>
    public static HashSet<long> Points(IEnumerable<TimeRange> ranges)
    {
        var points = new HashSet<long>();
        foreach (var r in ranges)
        {
            for (var t = r.Start; t < r.End; t++)
            {
                points.Add(t);
            }
        }

        return points;
    }

    /// <summary>The points of the universe <c>[UniverseMin, UniverseEnd)</c>.</summary>
    public static IEnumerable<long> Universe()
    {
        for (var t = UniverseMin; t < UniverseEnd; t++)
        {
            yield return t;
        }
    }

    private static List<long> Walk(Timeframe tf, long start, IEnumerable<int> steps)
    {
        var times = new List<long> { start };
        var t = start;
        foreach (var step in steps.Take(60))
        {
            t = tf.Add(t, step);
            times.Add(t);
        }

        return times;
    }
}
