using Coinlake.Candles;
using Coinlake.Core.Tests.Support;
using Coinlake.Time;
using FsCheck.Xunit;

namespace Coinlake.Core.Tests.Candles;

public sealed class CoverageBuilderTests
{
    private const long Minute = 60_000;
    private static readonly long _t0 = Utc.Ms(2023, 3, 1);

    private static CoverageBuilder Build(Timeframe timeframe, params long[] openTimes)
    {
        var builder = new CoverageBuilder(timeframe);
        foreach (var t in openTimes)
        {
            builder.Add(t);
        }

        return builder;
    }

    [Fact]
    public void Build_NothingAdded_IsEmptyWithNoFirstOrLast()
    {
        var builder = new CoverageBuilder(Timeframe.OneMinute);

        builder.Build().IsEmpty.ShouldBeTrue();
        builder.Rows.ShouldBe(0);
        builder.Duplicates.ShouldBe(0);
        builder.First.ShouldBeNull();
        builder.Last.ShouldBeNull();
    }

    [Fact]
    public void Build_ConsecutiveCandles_MergeIntoOneRangeEndingAtNextOpen()
    {
        var builder = Build(Timeframe.OneMinute, _t0, _t0 + Minute, _t0 + (2 * Minute));

        builder.Build().Ranges.ShouldBe([new TimeRange(_t0, _t0 + (3 * Minute))]);
        builder.Rows.ShouldBe(3);
        builder.First.ShouldBe(_t0);
        builder.Last.ShouldBe(_t0 + (2 * Minute));
    }

    [Fact]
    public void Build_HoleBetweenCandles_GivesSeparateRanges()
    {
        var builder = Build(Timeframe.OneMinute, _t0, _t0 + Minute, _t0 + (5 * Minute), _t0 + (9 * Minute), _t0 + (10 * Minute));

        builder.Build().Ranges.ShouldBe([
            new TimeRange(_t0, _t0 + (2 * Minute)),
            new TimeRange(_t0 + (5 * Minute), _t0 + (6 * Minute)),
            new TimeRange(_t0 + (9 * Minute), _t0 + (11 * Minute)),
        ]);
    }

    [Fact]
    public void Add_SameOpenTimeRepeated_CountsEveryExtraCopyAsDuplicate()
    {
        var builder = Build(Timeframe.OneMinute, _t0, _t0, _t0, _t0 + Minute, _t0 + Minute, _t0 + (3 * Minute));

        builder.Rows.ShouldBe(6);
        builder.Duplicates.ShouldBe(3);
        builder.Last.ShouldBe(_t0 + (3 * Minute));
        builder.Build().Ranges.ShouldBe([new TimeRange(_t0, _t0 + (2 * Minute)), new TimeRange(_t0 + (3 * Minute), _t0 + (4 * Minute))]);
    }

    [Fact]
    public void Add_FirstOpenTimeRepeated_IsADuplicate()
    {
        var builder = Build(Timeframe.OneMinute, _t0, _t0);

        builder.Duplicates.ShouldBe(1);
        builder.First.ShouldBe(_t0);
    }

    [Fact]
    public void Add_DescendingOpenTime_ThrowsNamingBothTimes()
    {
        var builder = Build(Timeframe.OneMinute, _t0, _t0 + (2 * Minute));

        var ex = Should.Throw<ArgumentException>(() => builder.Add(_t0 + Minute));

        ex.ParamName.ShouldBe("openTime");
        ex.Message.ShouldContain("Open times must be ascending: 2023-03-01T00:01:00Z after 2023-03-01T00:02:00Z.");
        builder.Build().Ranges.ShouldBe([new TimeRange(_t0, _t0 + Minute), new TimeRange(_t0 + (2 * Minute), _t0 + (3 * Minute))]);
        builder.Last.ShouldBe(_t0 + (2 * Minute));
    }

    [Fact]
    public void Add_DescendingOpenTimeRejected_DoesNotCountARow()
    {
        var builder = Build(Timeframe.OneMinute, _t0, _t0 + (2 * Minute));

        Should.Throw<ArgumentException>(() => builder.Add(_t0 + Minute));

        builder.Rows.ShouldBe(2);
    }

    [Fact]
    public void Build_NegativeOpenTimes_CoverBefore1970()
    {
        var builder = Build(Timeframe.OneMinute, -2 * Minute, -Minute, 0, 2 * Minute);

        builder.Build().Ranges.ShouldBe([new TimeRange(-2 * Minute, Minute), new TimeRange(2 * Minute, 3 * Minute)]);
    }

    [Fact]
    public void Build_MonthlyCandles_CoverWholeCalendarMonths()
    {
        var month = Timeframe.Parse("1M");
        var builder = Build(month, Utc.Ms(2023, 12, 1), Utc.Ms(2024, 1, 1), Utc.Ms(2024, 2, 1), Utc.Ms(2024, 4, 1));

        builder.Build().Ranges.ShouldBe([
            new TimeRange(Utc.Ms(2023, 12, 1), Utc.Ms(2024, 3, 1)),
            new TimeRange(Utc.Ms(2024, 4, 1), Utc.Ms(2024, 5, 1)),
        ]);
    }

    [Fact]
    public void Build_WeeklyCandles_CoverMondayToMonday()
    {
        var builder = Build(Timeframe.Parse("1w"), Utc.Ms(2023, 2, 27), Utc.Ms(2023, 3, 6));

        builder.Build().Ranges.ShouldBe([new TimeRange(Utc.Ms(2023, 2, 27), Utc.Ms(2023, 3, 13))]);
    }

    [Fact]
    public void Build_MisalignedOpenTime_CoversItsWholeCandle()
    {
        var builder = Build(Timeframe.OneMinute, _t0 + 30_000, _t0 + Minute);

        builder.Build().Ranges.ShouldBe([new TimeRange(_t0, _t0 + (2 * Minute))]);
        builder.First.ShouldBe(_t0 + 30_000);
    }

    [Fact]
    public void Build_CalledTwice_IsRepeatableAndKeepsAccumulating()
    {
        var builder = Build(Timeframe.OneMinute, _t0);
        var first = builder.Build();

        builder.Add(_t0 + Minute);

        first.Ranges.ShouldBe([new TimeRange(_t0, _t0 + Minute)]);
        builder.Build().Ranges.ShouldBe([new TimeRange(_t0, _t0 + (2 * Minute))]);
    }

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 200)]
    public bool Build_AnyAscendingSeries_MatchesOneRangePerCandle(OpenTimeSeries series)
    {
        var tf = series.Timeframe;
        var builder = new CoverageBuilder(tf);
        foreach (var t in series.OpenTimes)
        {
            builder.Add(t);
        }

        var distinct = series.OpenTimes.Distinct().ToList();
        var model = RangeSet.Of(distinct.Select(t => new TimeRange(t, tf.Next(t))));
        return builder.Build().Ranges.SequenceEqual(model.Ranges)
            && builder.Rows == series.OpenTimes.Count
            && builder.Duplicates == series.OpenTimes.Count - distinct.Count
            && builder.First == series.OpenTimes[0]
            && builder.Last == series.OpenTimes[^1];
    }
}
