using Coinlake.Core.Tests.Support;
using Coinlake.Time;
using FsCheck.Xunit;

namespace Coinlake.Core.Tests.Time;

public sealed class RangeSetTests
{
    private static RangeSet Set(params (long Start, long End)[] ranges) => RangeSet.Of(ranges.Select(r => new TimeRange(r.Start, r.End)));

    private static TimeRange[] Ranges(params (long Start, long End)[] ranges) => [.. ranges.Select(r => new TimeRange(r.Start, r.End))];

    [Fact]
    public void Of_OverlappingTouchingUnorderedAndEmpty_AreNormalized()
    {
        var set = Set((30, 40), (0, 10), (10, 15), (5, 12), (50, 50), (60, 55), (39, 45));

        set.Ranges.ShouldBe(Ranges((0, 15), (30, 45)));
        set.TotalLength.ShouldBe(30);
    }

    [Fact]
    public void Of_NothingOrOnlyEmptyRanges_IsEmpty()
    {
        RangeSet.Of([]).IsEmpty.ShouldBeTrue();
        RangeSet.Of(new TimeRange(5, 5)).IsEmpty.ShouldBeTrue();
        Set((3, 1)).IsEmpty.ShouldBeTrue();
        RangeSet.Empty.TotalLength.ShouldBe(0);
        RangeSet.Empty.Contains(0).ShouldBeFalse();
        RangeSet.Empty.ToString().ShouldBe("{}");
    }

    [Fact]
    public void Union_TouchingRanges_Merge()
    {
        Set((0, 10)).Union(Set((10, 20))).Ranges.ShouldBe(Ranges((0, 20)));
        Set((0, 10)).Union(Set((11, 20))).Ranges.ShouldBe(Ranges((0, 10), (11, 20)));
        Set((0, 10)).Union(RangeSet.Empty).Ranges.ShouldBe(Ranges((0, 10)));
    }

    [Fact]
    public void Subtract_CutsSpanningSeveralRanges_LeaveTheRest()
    {
        var set = Set((0, 10), (20, 30), (40, 50));

        set.Subtract(Set((5, 25), (28, 42), (45, 46))).Ranges.ShouldBe(Ranges((0, 5), (25, 28), (42, 45), (46, 50)));
        set.Subtract(Set((-100, 100))).IsEmpty.ShouldBeTrue();
        set.Subtract(RangeSet.Empty).ShouldBeSameAs(set);
        RangeSet.Empty.Subtract(set).IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void Intersect_Sets_KeepsCommonParts()
    {
        Set((0, 10), (20, 30)).Intersect(Set((5, 25))).Ranges.ShouldBe(Ranges((5, 10), (20, 25)));
        Set((0, 10)).Intersect(Set((10, 20))).IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void Contains_Boundaries_AreHalfOpen()
    {
        var set = Set((0, 10), (20, 30), (40, 50));

        new long[] { -1, 0, 9, 10, 19, 20, 29, 30, 40, 49, 50 }.Select(set.Contains)
            .ShouldBe([false, true, true, false, false, true, true, false, true, true, false]);
    }

    [Fact]
    public void ToString_Set_JoinsRangesWithUnion()
    {
        var set = RangeSet.Of([new TimeRange(0, 60_000), new TimeRange(120_000, 180_000)]);

        set.ToString().ShouldBe("[1970-01-01T00:00:00Z, 1970-01-01T00:01:00Z) ∪ [1970-01-01T00:02:00Z, 1970-01-01T00:03:00Z)");
    }

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 300)]
    public bool Of_AnyRanges_HoldsTheirPointsAndIsNormalized(SmallRanges input)
    {
        var set = RangeSet.Of(input.Ranges);
        return IsNormalized(set) && SamePoints(set, Generators.Points(input.Ranges));
    }

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 300)]
    public bool Union_AnySets_MatchesPointModel(SmallRanges a, SmallRanges b)
    {
        var union = RangeSet.Of(a.Ranges).Union(RangeSet.Of(b.Ranges));
        var model = Generators.Points(a.Ranges);
        model.UnionWith(Generators.Points(b.Ranges));
        return IsNormalized(union) && SamePoints(union, model);
    }

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 300)]
    public bool Subtract_AnySets_MatchesPointModel(SmallRanges a, SmallRanges b)
    {
        var difference = RangeSet.Of(a.Ranges).Subtract(RangeSet.Of(b.Ranges));
        var model = Generators.Points(a.Ranges);
        model.ExceptWith(Generators.Points(b.Ranges));
        return IsNormalized(difference) && SamePoints(difference, model);
    }

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 300)]
    public bool Intersect_AnySets_MatchesPointModel(SmallRanges a, SmallRanges b)
    {
        var intersection = RangeSet.Of(a.Ranges).Intersect(RangeSet.Of(b.Ranges));
        var model = Generators.Points(a.Ranges);
        model.IntersectWith(Generators.Points(b.Ranges));
        return IsNormalized(intersection) && SamePoints(intersection, model);
    }

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 300)]
    public bool UnionAndIntersect_AnySets_AreCommutative(SmallRanges a, SmallRanges b)
    {
        var (x, y) = (RangeSet.Of(a.Ranges), RangeSet.Of(b.Ranges));
        return x.Union(y).Ranges.SequenceEqual(y.Union(x).Ranges)
            && x.Intersect(y).Ranges.SequenceEqual(y.Intersect(x).Ranges);
    }

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 300)]
    public bool SubtractThenUnion_AnySets_PartitionsTheUnion(SmallRanges a, SmallRanges b)
    {
        var (x, y) = (RangeSet.Of(a.Ranges), RangeSet.Of(b.Ranges));
        return x.Subtract(y).Union(y).Ranges.SequenceEqual(x.Union(y).Ranges)
            && x.Subtract(y).Intersect(y).IsEmpty
            && x.Subtract(x).IsEmpty
            && x.Subtract(y).TotalLength + x.Intersect(y).TotalLength == x.TotalLength;
    }

    private static bool SamePoints(RangeSet set, HashSet<long> model) =>
        Generators.Universe().All(t => set.Contains(t) == model.Contains(t))
        && set.TotalLength == model.Count
        && set.IsEmpty == (model.Count == 0);

    private static bool IsNormalized(RangeSet set) =>
        set.Ranges.All(r => !r.IsEmpty)
        && set.Ranges.Zip(set.Ranges.Skip(1)).All(p => p.First.End < p.Second.Start);
}
