using Coinlake.Candles;
using Coinlake.Core.Tests.Support;
using Coinlake.Time;
using FsCheck.Xunit;

namespace Coinlake.Core.Tests.Candles;

public sealed class CandleCoverageTests
{
    private const long Minute = 60_000;
    private static readonly long _t0 = Utc.Ms(2023, 3, 1);

    private static long M(int minutes) => _t0 + (minutes * Minute);

    [Fact]
    public void FindGaps_OpenTimesWithHoles_ReportsRunsAndMissingCounts()
    {
        var gaps = CandleCoverage.FindGaps([M(0), M(1), M(4), M(5), M(6), M(8)], Timeframe.OneMinute);

        gaps.ShouldBe([new Gap(new TimeRange(M(2), M(4)), 2), new Gap(new TimeRange(M(7), M(8)), 1)]);
    }

    [Fact]
    public void FindGaps_ContiguousOrSingleOrEmpty_HasNoGaps()
    {
        CandleCoverage.FindGaps([M(0), M(1), M(2)], Timeframe.OneMinute).ShouldBeEmpty();
        CandleCoverage.FindGaps([M(0)], Timeframe.OneMinute).ShouldBeEmpty();
        CandleCoverage.FindGaps([], Timeframe.OneMinute).ShouldBeEmpty();
    }

    [Fact]
    public void FindGaps_DuplicatesInSeries_AreNotGaps()
    {
        CandleCoverage.FindGaps([M(0), M(0), M(1), M(1), M(3)], Timeframe.OneMinute)
            .ShouldBe([new Gap(new TimeRange(M(2), M(3)), 1)]);
    }

    [Fact]
    public void FindGaps_DescendingOpenTimes_Throws()
    {
        Should.Throw<ArgumentException>(() => CandleCoverage.FindGaps([M(5), M(3)], Timeframe.OneMinute));
    }

    [Fact]
    public void FindGaps_MonthlySeriesMissingFebruaryOfLeapYear_IsOneCandle()
    {
        var month = Timeframe.Parse("1M");

        CandleCoverage.FindGaps([Utc.Ms(2023, 12, 1), Utc.Ms(2024, 1, 1), Utc.Ms(2024, 3, 1)], month)
            .ShouldBe([new Gap(new TimeRange(Utc.Ms(2024, 2, 1), Utc.Ms(2024, 3, 1)), 1)]);
    }

    [Fact]
    public void FindGaps_WeeklySeriesBefore1970_CountsMissingMondays()
    {
        var week = Timeframe.Parse("1w");

        CandleCoverage.FindGaps([Utc.Ms(1969, 12, 1), Utc.Ms(1970, 1, 5)], week)
            .ShouldBe([new Gap(new TimeRange(Utc.Ms(1969, 12, 8), Utc.Ms(1970, 1, 5)), 4)]);
    }

    [Fact]
    public void FindGaps_MisalignedLastOpenTime_ReportsNoPhantomGap()
    {
        CandleCoverage.FindGaps([M(0), M(1) + 30_000], Timeframe.OneMinute).ShouldBeEmpty();
    }

    [Fact]
    public void FindGaps_CoverageWithinExpectedRange_ReportsEveryMissingRun()
    {
        var covered = RangeSet.Of([new TimeRange(M(5), M(10)), new TimeRange(M(12), M(13))]);

        CandleCoverage.FindGaps(covered, new TimeRange(M(0), M(15)), Timeframe.OneMinute).ShouldBe([
            new Gap(new TimeRange(M(0), M(5)), 5),
            new Gap(new TimeRange(M(10), M(12)), 2),
            new Gap(new TimeRange(M(13), M(15)), 2),
        ]);
    }

    [Fact]
    public void FindGaps_UnalignedExpectedRange_StartsAtFirstOpenTimeAndKeepsEnd()
    {
        var covered = RangeSet.Of(new TimeRange(M(5), M(10)));

        CandleCoverage.FindGaps(covered, new TimeRange(M(0) + 30_000, M(12) + 30_000), Timeframe.OneMinute).ShouldBe([
            new Gap(new TimeRange(M(1), M(5)), 4),
            new Gap(new TimeRange(M(10), M(12) + 30_000), 3),
        ]);
    }

    [Fact]
    public void FindGaps_FullyCoveredOrEmptyExpected_HasNoGaps()
    {
        var covered = RangeSet.Of(new TimeRange(M(0), M(60)));

        CandleCoverage.FindGaps(covered, new TimeRange(M(10), M(20)), Timeframe.OneMinute).ShouldBeEmpty();
        CandleCoverage.FindGaps(RangeSet.Empty, new TimeRange(M(10), M(10)), Timeframe.OneMinute).ShouldBeEmpty();
        CandleCoverage.FindGaps(RangeSet.Empty, new TimeRange(M(0) + 1, M(1)), Timeframe.OneMinute).ShouldBeEmpty();
    }

    [Fact]
    public void FindGaps_NothingCovered_IsOneGapOfEveryCandle()
    {
        var hour = Timeframe.OneHour;
        var expected = new TimeRange(Utc.Ms(2023, 3, 1), Utc.Ms(2023, 3, 8));

        CandleCoverage.FindGaps(RangeSet.Empty, expected, hour).ShouldBe([new Gap(expected, 7 * 24)]);
    }

    [Fact]
    public void FindGaps_KnownEmptyPlusStored_LeavesOnlyUnknown()
    {
        var coverage = new Coinlake.Storage.SeriesCoverage(
            RangeSet.Of(new TimeRange(M(0), M(10))),
            RangeSet.Of(new TimeRange(M(10), M(15))));

        CandleCoverage.FindGaps(coverage.Complete, new TimeRange(M(0), M(20)), Timeframe.OneMinute)
            .ShouldBe([new Gap(new TimeRange(M(15), M(20)), 5)]);
    }

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 200)]
    public bool FindGaps_AnyAscendingSeries_MatchesBruteForceRuns(OpenTimeSeries series)
    {
        var tf = series.Timeframe;
        var present = series.OpenTimes.ToHashSet();
        var model = new List<Gap>();
        long? runStart = null;
        long runCount = 0;
        for (var t = series.OpenTimes[0]; t <= series.OpenTimes[^1]; t = tf.Next(t))
        {
            if (!present.Contains(t))
            {
                runStart ??= t;
                runCount++;
            }
            else if (runStart is { } start)
            {
                model.Add(new Gap(new TimeRange(start, t), runCount));
                (runStart, runCount) = (null, 0);
            }
        }

        var gaps = CandleCoverage.FindGaps(series.OpenTimes, tf);
        return gaps.SequenceEqual(model)
            && gaps.Sum(g => g.MissingCandles) + present.Count
                == tf.CountIn(new TimeRange(series.OpenTimes[0], tf.Next(series.OpenTimes[^1])));
    }
}
