using Coinlake.Candles;
using Coinlake.Core.Tests.Support;
using Coinlake.Time;

namespace Coinlake.Core.Tests.Candles;

/// <summary>
/// Coverage, gaps and validation on real recorded series from the shared data folder (never copied into the repo).
/// The freqtrade file's "538 natural gaps" are gap RUNS: 538 runs holding 717 missing one-minute candles.
/// </summary>
public sealed class RealSeriesTests
{
    private const long Minute = 60_000;

    // 2017-11-04T23:02:00Z and 2017-11-14T22:59:00Z.
    private const long FreqtradeFirst = 1_509_836_520_000;
    private const long FreqtradeLast = 1_510_700_340_000;

    private static readonly Lazy<List<Candle>> _freqtrade = new(() => TestData.LoadFreqtradeCandles(TestData.FreqtradeBtc1m));
    private static readonly Lazy<List<Candle>> _binanceUs = new(() => TestData.LoadBinanceUsCsv(TestData.BinanceUsBtcUsdt1m));

    private static IEnumerable<long> FreqtradeOpenTimes => _freqtrade.Value.Select(c => c.OpenTime);

    [DataFact(TestData.FreqtradeBtc1m)]
    public void Load_FreqtradeSeries_Has13681AscendingUniqueAlignedCandles()
    {
        var builder = new CoverageBuilder(Timeframe.OneMinute);
        foreach (var t in FreqtradeOpenTimes)
        {
            builder.Add(t);
        }

        builder.Rows.ShouldBe(13_681);
        builder.Duplicates.ShouldBe(0);
        builder.First.ShouldBe(FreqtradeFirst);
        builder.Last.ShouldBe(FreqtradeLast);
        FreqtradeOpenTimes.ShouldAllBe(t => t % Minute == 0);
    }

    [DataFact(TestData.FreqtradeBtc1m)]
    public void FindGaps_FreqtradeSeries_Is538RunsOf717MissingCandles()
    {
        var gaps = CandleCoverage.FindGaps(FreqtradeOpenTimes, Timeframe.OneMinute);

        gaps.Count.ShouldBe(538);
        gaps.Sum(g => g.MissingCandles).ShouldBe(717);
        (13_681 + 717).ShouldBe((int)Timeframe.OneMinute.CountIn(new TimeRange(FreqtradeFirst, FreqtradeLast + Minute)));
    }

    [DataFact(TestData.FreqtradeBtc1m)]
    public void FindGaps_FreqtradeSeries_RunLengthsAndEndsAreExact()
    {
        var gaps = CandleCoverage.FindGaps(FreqtradeOpenTimes, Timeframe.OneMinute);

        gaps.GroupBy(g => g.MissingCandles).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())).ShouldBe(
            [(1L, 423), (2L, 78), (3L, 22), (4L, 8), (5L, 3), (6L, 3), (7L, 1)]);
        gaps[0].ShouldBe(new Gap(new TimeRange(1_509_836_880_000, 1_509_837_240_000), 6));
        gaps[^1].ShouldBe(new Gap(new TimeRange(1_510_696_740_000, 1_510_696_800_000), 1));
        gaps.MaxBy(g => g.MissingCandles).ShouldBe(new Gap(new TimeRange(1_509_851_580_000, 1_509_852_000_000), 7));
        gaps.ShouldAllBe(g => g.Range.Length == g.MissingCandles * Minute);
    }

    [DataFact(TestData.FreqtradeBtc1m)]
    public void Build_FreqtradeSeries_Is539RangesHoldingEveryCandleAndNoGap()
    {
        var builder = new CoverageBuilder(Timeframe.OneMinute);
        foreach (var t in FreqtradeOpenTimes)
        {
            builder.Add(t);
        }

        var covered = builder.Build();
        var gaps = CandleCoverage.FindGaps(FreqtradeOpenTimes, Timeframe.OneMinute);

        covered.Ranges.Count.ShouldBe(539);
        covered.TotalLength.ShouldBe(13_681 * Minute);
        FreqtradeOpenTimes.ShouldAllBe(t => covered.Contains(t));
        gaps.ShouldAllBe(g => !covered.Contains(g.Range.Start) && !covered.Contains(g.Range.End - 1) && covered.Contains(g.Range.End));
    }

    [DataFact(TestData.FreqtradeBtc1m)]
    public void FindGaps_FreqtradeCoverageInWholeDays_AddsLeadingAndTrailingRuns()
    {
        var builder = new CoverageBuilder(Timeframe.OneMinute);
        foreach (var t in FreqtradeOpenTimes)
        {
            builder.Add(t);
        }

        var days = new TimeRange(Utc.Ms(2017, 11, 4), Utc.Ms(2017, 11, 15));
        var gaps = CandleCoverage.FindGaps(builder.Build(), days, Timeframe.OneMinute);

        gaps.Count.ShouldBe(540);
        gaps[0].ShouldBe(new Gap(new TimeRange(days.Start, FreqtradeFirst), 1_382));
        gaps[^1].ShouldBe(new Gap(new TimeRange(FreqtradeLast + Minute, days.End), 60));
        gaps.Sum(g => g.MissingCandles).ShouldBe(717 + 1_382 + 60);
        gaps.Sum(g => g.MissingCandles).ShouldBe(Timeframe.OneMinute.CountIn(days) - 13_681);
    }

    [DataFact(TestData.FreqtradeBtc1m)]
    public void Add_FreqtradeSeriesEachTwice_CountsOneDuplicatePerCandleAndSameCoverage()
    {
        var once = new CoverageBuilder(Timeframe.OneMinute);
        var twice = new CoverageBuilder(Timeframe.OneMinute);
        foreach (var t in FreqtradeOpenTimes)
        {
            once.Add(t);
            twice.Add(t);
            twice.Add(t);
        }

        twice.Rows.ShouldBe(2 * 13_681);
        twice.Duplicates.ShouldBe(13_681);
        twice.Build().Ranges.ShouldBe(once.Build().Ranges);
        CandleCoverage.FindGaps(FreqtradeOpenTimes.SelectMany(t => new[] { t, t }), Timeframe.OneMinute).Count.ShouldBe(538);
    }

    [DataFact(TestData.FreqtradeBtc1m)]
    public void FindGaps_FreqtradeSeriesReversed_IsRejected()
    {
        var ex = Should.Throw<ArgumentException>(() => CandleCoverage.FindGaps(FreqtradeOpenTimes.Reverse(), Timeframe.OneMinute));

        ex.Message.ShouldContain("Open times must be ascending: 2017-11-14T22:58:00Z after 2017-11-14T22:59:00Z.");
    }

    [DataFact(TestData.FreqtradeBtc1m)]
    public void Validate_FreqtradeCandles_AreAllValid()
    {
        _freqtrade.Value.Where(c => CandleValidator.Validate(c, Timeframe.OneMinute) != CandleProblems.None).ShouldBeEmpty();
    }

    [DataFact(TestData.BinanceUsBtcUsdt1m)]
    public void Validate_BinanceUsCsv_All30240CandlesValid()
    {
        var candles = _binanceUs.Value;

        candles.Count.ShouldBe(30_240);
        candles.Where(c => CandleValidator.Validate(c, Timeframe.OneMinute) != CandleProblems.None).ShouldBeEmpty();
    }

    [DataFact(TestData.BinanceUsBtcUsdt1m)]
    public void FindGaps_BinanceUsCsv_IsContiguousOverThreeWeeks()
    {
        var openTimes = _binanceUs.Value.Select(c => c.OpenTime).ToList();

        openTimes[0].ShouldBe(Utc.Ms(2023, 3, 1));
        openTimes[^1].ShouldBe(Utc.Ms(2023, 3, 21, 23, 59));
        CandleCoverage.FindGaps(openTimes, Timeframe.OneMinute).ShouldBeEmpty();
        var builder = new CoverageBuilder(Timeframe.OneMinute);
        openTimes.ForEach(builder.Add);
        builder.Build().Ranges.ShouldBe([new TimeRange(Utc.Ms(2023, 3, 1), Utc.Ms(2023, 3, 22))]);
    }

    [DataFact(TestData.BinanceUsBtcUsdt1m)]
    public void Load_BinanceUsCsv_ReadsExponentVolumesAsExactDecimals()
    {
        var candles = _binanceUs.Value;

        candles[0].ShouldBe(new Candle(Utc.Ms(2023, 3, 1), 23140.48m, 23150.77m, 23128.52m, 23142.31m, 2.131777m));
        candles.Count(c => c.Volume == 0).ShouldBe(658);
        candles.ShouldContain(c => c.Volume == 0.00009m);
    }
}
