using Coinlake.Core.Tests.Support;
using Coinlake.Time;
using FsCheck.Xunit;

namespace Coinlake.Core.Tests.Time;

/// <summary>Laws every timeframe obeys, checked on random instants from 1875 to 2065 (FsCheck).</summary>
[Properties(Arbitrary = [typeof(Generators)], MaxTest = 300)]
public sealed class TimeframePropertyTests
{
    [Property]
    public bool Floor_AnyTime_IsAtOrBeforeAndNextIsAfter(TimeframeAt x)
    {
        var floor = x.Timeframe.Floor(x.Time);
        return floor <= x.Time && x.Time < x.Timeframe.Next(floor);
    }

    [Property]
    public bool Floor_AnyTime_IsAlignedAndIdempotent(TimeframeAt x)
    {
        var floor = x.Timeframe.Floor(x.Time);
        return x.Timeframe.IsAligned(floor) && x.Timeframe.Floor(floor) == floor;
    }

    [Property]
    public bool Ceiling_AnyTime_IsFirstAlignedAtOrAfter(TimeframeAt x)
    {
        var tf = x.Timeframe;
        var ceiling = tf.Ceiling(x.Time);
        var floor = tf.Floor(x.Time);
        return ceiling >= x.Time
            && tf.IsAligned(ceiling)
            && (ceiling == x.Time ? floor == x.Time : ceiling == tf.Next(floor));
    }

    [Property]
    public bool IsAligned_AnyTime_IffFloorIsItself(TimeframeAt x) =>
        x.Timeframe.IsAligned(x.Time) == (x.Timeframe.Floor(x.Time) == x.Time);

    [Property]
    public bool Floor_WeeksAndMonths_AreMondaysAndFirstsAtMidnight(TimeframeAt x)
    {
        var open = Utc.At(x.Timeframe.Floor(x.Time));
        return x.Timeframe.Unit switch
        {
            TimeframeUnit.Week => open.DayOfWeek == DayOfWeek.Monday && open.TimeOfDay == TimeSpan.Zero,
            TimeframeUnit.Month => open.Day == 1 && open.TimeOfDay == TimeSpan.Zero,
            TimeframeUnit.Day => open.TimeOfDay == TimeSpan.Zero,
            _ => open.ToUnixTimeMilliseconds() % x.Timeframe.ApproximateMilliseconds == 0,
        };
    }

    [Property]
    public bool Next_AnyOpenTime_IsOneCandleLater(TimeframeAt x)
    {
        var tf = x.Timeframe;
        var open = tf.Floor(x.Time);
        var next = tf.Next(open);
        var length = next - open;
        return tf.IsAligned(next)
            && tf.Floor(next - 1) == open
            && (tf.IsCalendar ? length is >= 28 * 86_400_000L and <= 31 * 86_400_000L : length == tf.ApproximateMilliseconds);
    }

    [Property]
    public bool Add_AnyShift_IsRepeatedNextAndReversible(TimeframeShift x)
    {
        var tf = x.Timeframe;
        var moved = tf.Add(x.OpenTime, x.Candles);
        var stepped = x.OpenTime;
        for (var i = 0; i < Math.Abs(x.Candles); i++)
        {
            stepped = x.Candles > 0 ? tf.Next(stepped) : tf.Floor(stepped - 1);
        }

        return moved == stepped && tf.IsAligned(moved) && tf.Add(moved, -x.Candles) == x.OpenTime;
    }

    [Property]
    public bool CountIn_AnyRange_EqualsNumberOfOpenTimes(TimeframeRange x) =>
        x.Timeframe.CountIn(x.Range) == x.Timeframe.OpenTimes(x.Range).LongCount();

    [Property]
    public bool OpenTimes_AnyRange_AreEveryAlignedTimeInRangeAscending(TimeframeRange x)
    {
        var tf = x.Timeframe;
        var times = tf.OpenTimes(x.Range).ToList();
        if (times.Count == 0)
        {
            return x.Range.IsEmpty || tf.Ceiling(x.Range.Start) >= x.Range.End;
        }

        return times.All(t => tf.IsAligned(t) && x.Range.Contains(t))
            && times.Zip(times.Skip(1)).All(p => tf.Next(p.First) == p.Second)
            && !x.Range.Contains(tf.Floor(times[0] - 1))
            && !x.Range.Contains(tf.Next(times[^1]));
    }

    [Property]
    public bool Align_AnyRange_CoversItWithAlignedEnds(TimeframeRange x)
    {
        var tf = x.Timeframe;
        var aligned = tf.Align(x.Range);
        return tf.IsAligned(aligned.Start)
            && tf.IsAligned(aligned.End)
            && aligned.Start <= x.Range.Start
            && aligned.End >= x.Range.End
            && x.Range.Start - aligned.Start < tf.Next(aligned.Start) - aligned.Start
            && aligned.End - x.Range.End < tf.Next(tf.Floor(x.Range.End)) - tf.Floor(x.Range.End);
    }

    [Property]
    public bool Parse_ToStringOfAnyTimeframe_RoundTrips(TimeframeAt x) =>
        Timeframe.Parse(x.Timeframe.ToString()) == x.Timeframe;
}
