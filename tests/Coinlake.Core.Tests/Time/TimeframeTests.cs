using Coinlake.Core.Tests.Support;
using Coinlake.Time;

namespace Coinlake.Core.Tests.Time;

public sealed class TimeframeTests
{
    private const long Minute = 60_000;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;

    public static TheoryData<string, TimeframeUnit, int, long> AllTimeframes => new()
    {
        { "1s", TimeframeUnit.Second, 1, 1_000 },
        { "1m", TimeframeUnit.Minute, 1, Minute },
        { "3m", TimeframeUnit.Minute, 3, 3 * Minute },
        { "5m", TimeframeUnit.Minute, 5, 5 * Minute },
        { "15m", TimeframeUnit.Minute, 15, 15 * Minute },
        { "30m", TimeframeUnit.Minute, 30, 30 * Minute },
        { "1h", TimeframeUnit.Hour, 1, Hour },
        { "2h", TimeframeUnit.Hour, 2, 2 * Hour },
        { "4h", TimeframeUnit.Hour, 4, 4 * Hour },
        { "6h", TimeframeUnit.Hour, 6, 6 * Hour },
        { "8h", TimeframeUnit.Hour, 8, 8 * Hour },
        { "12h", TimeframeUnit.Hour, 12, 12 * Hour },
        { "1d", TimeframeUnit.Day, 1, Day },
        { "3d", TimeframeUnit.Day, 3, 3 * Day },
        { "1w", TimeframeUnit.Week, 1, 7 * Day },
        { "1M", TimeframeUnit.Month, 1, 30 * Day },
    };

    [Theory]
    [MemberData(nameof(AllTimeframes))]
    public void Parse_EverySupportedTimeframe_HasUnitCountLengthAndRoundTrips(string text, TimeframeUnit unit, int count, long milliseconds)
    {
        var tf = Timeframe.Parse(text);

        tf.Unit.ShouldBe(unit);
        tf.Count.ShouldBe(count);
        tf.ApproximateMilliseconds.ShouldBe(milliseconds);
        tf.IsCalendar.ShouldBe(unit == TimeframeUnit.Month);
        tf.ToString().ShouldBe(text);
        Timeframe.All.ShouldContain(tf);
    }

    [Fact]
    public void All_SixteenTimeframes_ShortestFirstInExchangeNotation()
    {
        string.Join(" ", Timeframe.All).ShouldBe("1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M");
        Timeframe.All.Select(t => t.ApproximateMilliseconds).ShouldBe(Timeframe.All.Select(t => t.ApproximateMilliseconds).Order());
    }

    [Fact]
    public void Parse_LowerAndUpperCaseM_AreMinuteAndMonth()
    {
        var minute = Timeframe.Parse("1m");
        var month = Timeframe.Parse("1M");

        minute.Unit.ShouldBe(TimeframeUnit.Minute);
        month.Unit.ShouldBe(TimeframeUnit.Month);
        minute.ShouldNotBe(month);
        minute.ShouldBe(Timeframe.OneMinute);
        Timeframe.Parse("1h").ShouldBe(Timeframe.OneHour);
    }

    [Fact]
    public void TryParse_SurroundingWhitespace_IsTrimmed()
    {
        Timeframe.TryParse(" 15m\t", out var tf).ShouldBeTrue();
        tf.ToString().ShouldBe("15m");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1H")]
    [InlineData("1D")]
    [InlineData("1W")]
    [InlineData("60m")]
    [InlineData("2m")]
    [InlineData("1y")]
    [InlineData("m")]
    [InlineData("1 m")]
    [InlineData("01m")]
    [InlineData("1min")]
    public void TryParse_Unsupported_ReturnsFalse(string? text)
    {
        Timeframe.TryParse(text, out _).ShouldBeFalse();
    }

    [Fact]
    public void Parse_Unsupported_ThrowsListingTheValidTimeframes()
    {
        var ex = Should.Throw<FormatException>(() => Timeframe.Parse("1H"));

        ex.Message.ShouldBe("'1H' is not a timeframe; use one of 1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M.");
    }

    // time, floor (open time of the candle holding it), ceiling, next (open time after floor)
    [Theory]
    [InlineData("1s", "2023-03-01T13:37:42.123Z", "2023-03-01T13:37:42Z", "2023-03-01T13:37:43Z", "2023-03-01T13:37:43Z")]
    [InlineData("1m", "2023-03-01T13:37:59.999Z", "2023-03-01T13:37:00Z", "2023-03-01T13:38:00Z", "2023-03-01T13:38:00Z")]
    [InlineData("3m", "2023-03-01T13:37:00Z", "2023-03-01T13:36:00Z", "2023-03-01T13:39:00Z", "2023-03-01T13:39:00Z")]
    [InlineData("5m", "2023-03-01T13:37:00Z", "2023-03-01T13:35:00Z", "2023-03-01T13:40:00Z", "2023-03-01T13:40:00Z")]
    [InlineData("15m", "2023-03-01T13:37:00Z", "2023-03-01T13:30:00Z", "2023-03-01T13:45:00Z", "2023-03-01T13:45:00Z")]
    [InlineData("30m", "2023-03-01T13:37:00Z", "2023-03-01T13:30:00Z", "2023-03-01T14:00:00Z", "2023-03-01T14:00:00Z")]
    [InlineData("1h", "2023-03-01T13:37:00Z", "2023-03-01T13:00:00Z", "2023-03-01T14:00:00Z", "2023-03-01T14:00:00Z")]
    [InlineData("2h", "2023-03-01T13:37:00Z", "2023-03-01T12:00:00Z", "2023-03-01T14:00:00Z", "2023-03-01T14:00:00Z")]
    [InlineData("4h", "2023-03-01T13:37:00Z", "2023-03-01T12:00:00Z", "2023-03-01T16:00:00Z", "2023-03-01T16:00:00Z")]
    [InlineData("6h", "2023-03-01T13:37:00Z", "2023-03-01T12:00:00Z", "2023-03-01T18:00:00Z", "2023-03-01T18:00:00Z")]
    [InlineData("8h", "2023-03-01T13:37:00Z", "2023-03-01T08:00:00Z", "2023-03-01T16:00:00Z", "2023-03-01T16:00:00Z")]
    [InlineData("12h", "2023-03-01T13:37:00Z", "2023-03-01T12:00:00Z", "2023-03-02T00:00:00Z", "2023-03-02T00:00:00Z")]
    [InlineData("1d", "2023-03-01T13:37:00Z", "2023-03-01T00:00:00Z", "2023-03-02T00:00:00Z", "2023-03-02T00:00:00Z")]
    // 3d candles align on multiples of 3 days since the epoch: 2023-02-28 is day 19416 = 3 * 6472.
    [InlineData("3d", "2023-03-01T13:37:00Z", "2023-02-28T00:00:00Z", "2023-03-03T00:00:00Z", "2023-03-03T00:00:00Z")]
    // Weeks open on Monday 00:00 UTC: 2023-03-01 is a Wednesday, 2023-02-27 the Monday before.
    [InlineData("1w", "2023-03-01T13:37:00Z", "2023-02-27T00:00:00Z", "2023-03-06T00:00:00Z", "2023-03-06T00:00:00Z")]
    [InlineData("1w", "2023-03-05T23:59:59.999Z", "2023-02-27T00:00:00Z", "2023-03-06T00:00:00Z", "2023-03-06T00:00:00Z")]
    [InlineData("1M", "2023-03-01T13:37:00Z", "2023-03-01T00:00:00Z", "2023-04-01T00:00:00Z", "2023-04-01T00:00:00Z")]
    [InlineData("1M", "2023-12-31T23:59:59.999Z", "2023-12-01T00:00:00Z", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z")]
    [InlineData("1M", "2024-02-29T12:00:00Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z")]
    // Before 1970 (negative ms): floor rounds towards minus infinity, not towards zero.
    [InlineData("1s", "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z")]
    [InlineData("1m", "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:00Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z")]
    [InlineData("4h", "1969-12-31T21:00:00Z", "1969-12-31T20:00:00Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z")]
    [InlineData("1d", "1969-07-20T20:17:40Z", "1969-07-20T00:00:00Z", "1969-07-21T00:00:00Z", "1969-07-21T00:00:00Z")]
    [InlineData("3d", "1969-12-31T12:00:00Z", "1969-12-29T00:00:00Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z")]
    [InlineData("1w", "1970-01-01T00:00:00Z", "1969-12-29T00:00:00Z", "1970-01-05T00:00:00Z", "1970-01-05T00:00:00Z")]
    [InlineData("1w", "1969-12-28T23:59:59.999Z", "1969-12-22T00:00:00Z", "1969-12-29T00:00:00Z", "1969-12-29T00:00:00Z")]
    [InlineData("1M", "1969-12-31T23:59:59.999Z", "1969-12-01T00:00:00Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z")]
    [InlineData("1M", "1900-02-28T23:00:00Z", "1900-02-01T00:00:00Z", "1900-03-01T00:00:00Z", "1900-03-01T00:00:00Z")]
    public void FloorCeilingNext_UnalignedTime_AreCandleBoundaries(string timeframe, string time, string floor, string ceiling, string next)
    {
        var tf = Timeframe.Parse(timeframe);
        var t = Utc.Ms(time);

        tf.Floor(t).ShouldBe(Utc.Ms(floor));
        tf.Ceiling(t).ShouldBe(Utc.Ms(ceiling));
        tf.Next(tf.Floor(t)).ShouldBe(Utc.Ms(next));
        tf.IsAligned(t).ShouldBeFalse();
        tf.IsAligned(Utc.Ms(floor)).ShouldBeTrue();
        tf.IsAligned(Utc.Ms(ceiling)).ShouldBeTrue();
    }

    public static TheoryData<string> AllTimeframeNames => new(Timeframe.All.Select(t => t.ToString()));

    [Theory]
    [MemberData(nameof(AllTimeframeNames))]
    public void FloorAndCeiling_AlignedTime_ReturnItUnchanged(string text)
    {
        var tf = Timeframe.Parse(text);
        long[] aligned = [Utc.Ms(2024, 1, 1), Utc.Ms(2024, 1, 1) - (7 * Day), Utc.Ms(1969, 12, 29) - (3 * 28 * Day)];

        foreach (var t in aligned.Select(tf.Floor))
        {
            tf.IsAligned(t).ShouldBeTrue();
            tf.Floor(t).ShouldBe(t);
            tf.Ceiling(t).ShouldBe(t);
            tf.Floor(t - 1).ShouldBeLessThan(t);
            tf.Ceiling(t + 1).ShouldBe(tf.Next(t));
        }
    }

    [Theory]
    [InlineData(1_502_668_800_000)] // 2017-08-14, the first BTCUSDT weekly kline on Binance
    [InlineData(1_677_456_000_000)] // 2023-02-27
    [InlineData(1_678_060_800_000)] // 2023-03-06
    [InlineData(1_704_067_200_000)] // 2024-01-01
    [InlineData(345_600_000)] // 1970-01-05, first Monday after the epoch
    [InlineData(-259_200_000)] // 1969-12-29
    public void IsAligned_BinanceWeeklyOpenTimes_AreMondayMidnight(long openTime)
    {
        var week = Timeframe.Parse("1w");

        week.IsAligned(openTime).ShouldBeTrue();
        Utc.At(openTime).DayOfWeek.ShouldBe(DayOfWeek.Monday);
        Utc.At(openTime).TimeOfDay.ShouldBe(TimeSpan.Zero);
        week.Next(openTime).ShouldBe(openTime + (7 * Day));
    }

    [Theory]
    [InlineData(1_502_928_000_000)] // 2017-08-17, a Thursday: BTCUSDT listing day, not a weekly open
    [InlineData(0)] // 1970-01-01, a Thursday
    [InlineData(1_677_456_000_001)]
    [InlineData(1_677_542_400_000)] // 2023-02-28, a Tuesday
    public void IsAligned_WeeklyNonMonday_IsFalse(long time)
    {
        Timeframe.Parse("1w").IsAligned(time).ShouldBeFalse();
    }

    [Fact]
    public void Floor_WeekOfBinanceListingDay_IsFirstWeeklyKline()
    {
        Timeframe.Parse("1w").Floor(1_502_928_000_000).ShouldBe(1_502_668_800_000);
    }

    [Theory]
    [InlineData(2024, 29)]
    [InlineData(2023, 28)]
    [InlineData(2000, 29)] // divisible by 400: leap
    [InlineData(2100, 28)] // divisible by 100 only: not leap
    [InlineData(1900, 28)] // before 1970
    [InlineData(1968, 29)] // before 1970, leap
    public void Next_February_IsTheNextFirstOfMarch(int year, int days)
    {
        var month = Timeframe.Parse("1M");
        var february = Utc.Ms(year, 2, 1);

        month.Next(february).ShouldBe(Utc.Ms(year, 3, 1));
        (month.Next(february) - february).ShouldBe(days * Day);
        month.CountIn(new TimeRange(february, Utc.Ms(year, 3, 1))).ShouldBe(1);
    }

    [Fact]
    public void AddMonths_AcrossYearEnd_GoesDecemberToJanuaryAndBack()
    {
        var month = Timeframe.Parse("1M");

        month.Next(Utc.Ms(2023, 12, 1)).ShouldBe(Utc.Ms(2024, 1, 1));
        month.Add(Utc.Ms(2024, 1, 1), -1).ShouldBe(Utc.Ms(2023, 12, 1));
        month.Add(Utc.Ms(2023, 1, 1), 14).ShouldBe(Utc.Ms(2024, 3, 1));
        month.Add(Utc.Ms(1970, 1, 1), -1).ShouldBe(Utc.Ms(1969, 12, 1));
        month.Add(Utc.Ms(2024, 5, 1), 0).ShouldBe(Utc.Ms(2024, 5, 1));
    }

    [Fact]
    public void Add_FixedTimeframes_MovesByWholeCandlesBothWays()
    {
        var t = Utc.Ms(2023, 3, 1);

        Timeframe.Parse("15m").Add(t, 4).ShouldBe(t + Hour);
        Timeframe.Parse("1h").Add(t, -3).ShouldBe(t - (3 * Hour));
        Timeframe.Parse("1w").Add(Utc.Ms(2023, 2, 27), 2).ShouldBe(Utc.Ms(2023, 3, 13));
        Timeframe.Parse("3d").Add(0, -1).ShouldBe(-3 * Day);
        Timeframe.Parse("1s").Add(0, 0).ShouldBe(0);
    }

    [Theory]
    [InlineData("1m", "2023-03-01T00:00:00Z", "2023-03-01T00:00:00Z", 0)] // empty
    [InlineData("1m", "2023-03-01T00:10:00Z", "2023-03-01T00:00:00Z", 0)] // end before start
    [InlineData("1m", "2023-03-01T00:00:00.001Z", "2023-03-01T00:01:00Z", 0)] // no open time inside
    [InlineData("1m", "2023-03-01T00:00:00Z", "2023-03-01T00:00:00.001Z", 1)]
    [InlineData("1m", "2023-03-01T00:00:00Z", "2023-03-01T00:01:00Z", 1)]
    [InlineData("1m", "2023-03-01T00:00:00Z", "2023-03-01T00:01:00.001Z", 2)]
    [InlineData("1m", "2023-03-01T00:00:00Z", "2023-03-22T00:00:00Z", 30_240)] // the Binance.US file's span
    [InlineData("1m", "1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00.001Z", 1)]
    [InlineData("1h", "1969-12-31T00:30:00Z", "1970-01-01T00:30:00Z", 24)]
    [InlineData("1d", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z", 366)]
    [InlineData("3d", "1969-12-29T00:00:00Z", "1970-01-04T00:00:00Z", 2)]
    [InlineData("1w", "2023-03-01T00:00:00Z", "2023-04-01T00:00:00Z", 4)] // Mondays 6, 13, 20, 27 March
    [InlineData("1w", "2023-02-27T00:00:00Z", "2023-03-06T00:00:00Z", 1)]
    [InlineData("1M", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z", 12)]
    [InlineData("1M", "2024-01-15T00:00:00Z", "2024-03-01T00:00:00Z", 1)]
    [InlineData("1M", "2024-01-15T00:00:00Z", "2024-03-01T00:00:00.001Z", 2)]
    [InlineData("1M", "1969-11-15T00:00:00Z", "1970-02-15T00:00:00Z", 3)]
    public void CountIn_Range_CountsOpenTimesLikeOpenTimes(string timeframe, string start, string end, long expected)
    {
        var tf = Timeframe.Parse(timeframe);
        var range = new TimeRange(Utc.Ms(start), Utc.Ms(end));

        tf.CountIn(range).ShouldBe(expected);
        tf.OpenTimes(range).LongCount().ShouldBe(expected);
    }

    [Fact]
    public void OpenTimes_WeeksOfMarch2023_AreTheFourMondays()
    {
        var range = new TimeRange(Utc.Ms(2023, 3, 1), Utc.Ms(2023, 4, 1));

        Timeframe.Parse("1w").OpenTimes(range).ShouldBe(
            [Utc.Ms(2023, 3, 6), Utc.Ms(2023, 3, 13), Utc.Ms(2023, 3, 20), Utc.Ms(2023, 3, 27)]);
    }

    [Fact]
    public void OpenTimes_MonthsOf2024_AreTheFirstDays()
    {
        var range = new TimeRange(Utc.Ms(2024, 1, 1), Utc.Ms(2025, 1, 1));

        Timeframe.Parse("1M").OpenTimes(range).ShouldBe(Enumerable.Range(1, 12).Select(m => Utc.Ms(2024, m, 1)));
    }

    [Fact]
    public void OpenTimes_EmptyOrReversedRange_YieldsNothing()
    {
        Timeframe.OneMinute.OpenTimes(new TimeRange(Minute, Minute)).ShouldBeEmpty();
        Timeframe.OneMinute.OpenTimes(new TimeRange(10 * Minute, 0)).ShouldBeEmpty();
    }

    [Fact]
    public void Align_UnalignedRange_WidensToCandleBoundaries()
    {
        var tf = Timeframe.Parse("5m");
        var range = new TimeRange(Utc.Ms(2023, 3, 1, 0, 1, 30), Utc.Ms(2023, 3, 1, 0, 11));

        tf.Align(range).ShouldBe(new TimeRange(Utc.Ms(2023, 3, 1), Utc.Ms(2023, 3, 1, 0, 15)));
        tf.Align(tf.Align(range)).ShouldBe(tf.Align(range));
    }

    [Fact]
    public void Align_MonthRange_WidensToFirstsOfMonths()
    {
        var range = new TimeRange(Utc.Ms(2023, 12, 15), Utc.Ms(2024, 2, 10));

        Timeframe.Parse("1M").Align(range).ShouldBe(new TimeRange(Utc.Ms(2023, 12, 1), Utc.Ms(2024, 3, 1)));
    }

    [Fact]
    public void Equality_SameTimeframeParsedTwice_IsEqualWithSameHash()
    {
        Timeframe.Parse("4h").ShouldBe(Timeframe.Parse("4h"));
        Timeframe.Parse("4h").GetHashCode().ShouldBe(Timeframe.Parse("4h").GetHashCode());
        Timeframe.Parse("4h").ShouldNotBe(Timeframe.Parse("6h"));
    }
}
