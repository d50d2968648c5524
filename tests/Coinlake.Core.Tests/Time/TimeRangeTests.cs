using Coinlake.Core.Tests.Support;
using Coinlake.Time;
using FsCheck.Xunit;

namespace Coinlake.Core.Tests.Time;

public sealed class TimeRangeTests
{
    [Fact]
    public void Contains_HalfOpen_IncludesStartExcludesEnd()
    {
        var range = new TimeRange(10, 20);

        range.Contains(9).ShouldBeFalse();
        range.Contains(10).ShouldBeTrue();
        range.Contains(19).ShouldBeTrue();
        range.Contains(20).ShouldBeFalse();
        range.Length.ShouldBe(10);
        range.IsEmpty.ShouldBeFalse();
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(7, 3)]
    public void IsEmpty_EndAtOrBeforeStart_IsEmptyWithZeroLength(long start, long end)
    {
        var range = new TimeRange(start, end);

        range.IsEmpty.ShouldBeTrue();
        range.Length.ShouldBe(0);
        range.Contains(start).ShouldBeFalse();
    }

    [Theory]
    [InlineData(0, 10, 5, 15, 5, 10)]
    [InlineData(0, 10, 10, 15, 10, 10)] // touching: empty
    [InlineData(0, 10, 20, 30, 20, 20)] // disjoint: empty at the later start
    [InlineData(0, 30, 10, 20, 10, 20)] // nested
    [InlineData(-10, -5, -20, -7, -10, -7)]
    public void Intersect_TwoRanges_IsOverlapOrEmpty(long s1, long e1, long s2, long e2, long s, long e)
    {
        var a = new TimeRange(s1, e1);
        var b = new TimeRange(s2, e2);

        a.Intersect(b).ShouldBe(new TimeRange(s, e));
        b.Intersect(a).ShouldBe(new TimeRange(s, e));
    }

    [Fact]
    public void FromDates_UtcInstants_AreMsSinceEpoch()
    {
        var range = TimeRange.FromDates(
            new DateTimeOffset(2023, 3, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2023, 3, 1, 2, 0, 0, TimeSpan.FromHours(1)));

        range.ShouldBe(new TimeRange(1_677_628_800_000, 1_677_632_400_000));
    }

    [Theory]
    [InlineData(1_677_628_800_000, "2023-03-01T00:00:00Z")]
    [InlineData(1_677_628_800_123, "2023-03-01T00:00:00.123Z")]
    [InlineData(0, "1970-01-01T00:00:00Z")]
    [InlineData(-1, "1969-12-31T23:59:59.999Z")]
    [InlineData(-1000, "1969-12-31T23:59:59Z")]
    public void FormatTime_Ms_IsIso8601Utc(long ms, string expected)
    {
        TimeRange.FormatTime(ms).ShouldBe(expected);
    }

    [Fact]
    public void ToString_Range_IsHalfOpenIsoText()
    {
        new TimeRange(1_677_628_800_000, 1_677_628_860_000).ToString()
            .ShouldBe("[2023-03-01T00:00:00Z, 2023-03-01T00:01:00Z)");
    }

    [Property(Arbitrary = [typeof(Generators)])]
    public bool Intersect_SmallRanges_MatchesPointModel(SmallRanges input)
    {
        if (input.Ranges.Count < 2)
        {
            return true;
        }

        var (a, b) = (input.Ranges[0], input.Ranges[1]);
        var intersection = a.Intersect(b);
        return Generators.Universe().All(t => intersection.Contains(t) == (a.Contains(t) && b.Contains(t)))
            && intersection.Length == Generators.Universe().Count(t => a.Contains(t) && b.Contains(t));
    }
}
