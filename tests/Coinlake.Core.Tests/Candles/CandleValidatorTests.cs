using Coinlake.Candles;
using Coinlake.Core.Tests.Support;
using Coinlake.Time;

namespace Coinlake.Core.Tests.Candles;

public sealed class CandleValidatorTests
{
    private static readonly long _t0 = Utc.Ms(2023, 3, 1);
    private static readonly Candle _valid = new(_t0, 100m, 110m, 90m, 105m, 1.5m, 157.5m, 12);

    [Fact]
    public void Validate_ConsistentCandle_HasNoProblem()
    {
        CandleValidator.Validate(_valid, Timeframe.OneMinute).ShouldBe(CandleProblems.None);
    }

    [Fact]
    public void Validate_FlatCandleWithZeroVolumeAndNoOptionalFields_IsValid()
    {
        CandleValidator.Validate(new Candle(_t0, 1m, 1m, 1m, 1m, 0m), Timeframe.OneMinute).ShouldBe(CandleProblems.None);
    }

    [Fact]
    public void Validate_TinyExactDecimalPrices_AreValid()
    {
        var candle = new Candle(_t0, 0.00000001m, 0.00000003m, 0.00000001m, 0.00000002m, 0.00005400m);

        CandleValidator.Validate(candle, Timeframe.OneMinute).ShouldBe(CandleProblems.None);
    }

    [Theory]
    [InlineData(100, 110, 101, 105, CandleProblems.LowAboveBody)] // low above open
    [InlineData(105, 110, 101, 100, CandleProblems.LowAboveBody)] // low above close
    [InlineData(100, 104, 90, 105, CandleProblems.HighBelowBody)] // high below close
    [InlineData(106, 105, 90, 100, CandleProblems.HighBelowBody)] // high below open
    [InlineData(100, 100, 100.5, 100, CandleProblems.LowAboveBody)] // low above everything
    [InlineData(100, 90, 110, 100, CandleProblems.LowAboveBody | CandleProblems.HighBelowBody)] // high and low swapped
    [InlineData(0, 10, 0, 5, CandleProblems.NonPositivePrice)]
    [InlineData(-1, 10, -2, 5, CandleProblems.NonPositivePrice)]
    public void Validate_BrokenPrices_ReportsEachProblem(decimal open, decimal high, decimal low, decimal close, CandleProblems expected)
    {
        var candle = _valid with { Open = open, High = high, Low = low, Close = close };

        CandleValidator.Validate(candle, Timeframe.OneMinute).ShouldBe(expected);
    }

    [Fact]
    public void Validate_NegativeVolume_IsNegativeVolume()
    {
        CandleValidator.Validate(_valid with { Volume = -0.00000001m }, Timeframe.OneMinute).ShouldBe(CandleProblems.NegativeVolume);
    }

    [Fact]
    public void Validate_NegativeQuoteVolume_IsNegativeVolume()
    {
        CandleValidator.Validate(_valid with { QuoteVolume = -1m }, Timeframe.OneMinute).ShouldBe(CandleProblems.NegativeVolume);
    }

    [Fact]
    public void Validate_NegativeTradeCount_IsNegativeVolume()
    {
        CandleValidator.Validate(_valid with { TradeCount = -1 }, Timeframe.OneMinute).ShouldBe(CandleProblems.NegativeVolume);
    }

    [Fact]
    public void Validate_MissingQuoteVolumeAndTradeCount_AreNotNegative()
    {
        CandleValidator.Validate(_valid with { QuoteVolume = null, TradeCount = null }, Timeframe.OneMinute).ShouldBe(CandleProblems.None);
    }

    [Theory]
    [InlineData("1m", 30_000)]
    [InlineData("1m", 1)]
    [InlineData("1h", 60_000)]
    [InlineData("1d", 3_600_000)]
    public void Validate_OpenTimeOffBoundary_IsMisaligned(string timeframe, long offset)
    {
        CandleValidator.Validate(_valid with { OpenTime = _t0 + offset }, Timeframe.Parse(timeframe))
            .ShouldBe(CandleProblems.MisalignedOpenTime);
    }

    [Fact]
    public void Validate_WeeklyCandleOnWednesday_IsMisalignedButOnMondayIsNot()
    {
        var week = Timeframe.Parse("1w");

        CandleValidator.Validate(_valid with { OpenTime = Utc.Ms(2023, 3, 1) }, week).ShouldBe(CandleProblems.MisalignedOpenTime);
        CandleValidator.Validate(_valid with { OpenTime = Utc.Ms(2023, 2, 27) }, week).ShouldBe(CandleProblems.None);
    }

    [Fact]
    public void Validate_MonthlyCandleOnSecondDay_IsMisalignedButOnFirstIsNot()
    {
        var month = Timeframe.Parse("1M");

        CandleValidator.Validate(_valid with { OpenTime = Utc.Ms(2024, 2, 2) }, month).ShouldBe(CandleProblems.MisalignedOpenTime);
        CandleValidator.Validate(_valid with { OpenTime = Utc.Ms(2024, 2, 1) }, month).ShouldBe(CandleProblems.None);
    }

    [Fact]
    public void Validate_EverythingWrong_ReportsAllFlags()
    {
        var candle = new Candle(_t0 + 1, -5m, -10m, 3m, 0m, -1m);

        CandleValidator.Validate(candle, Timeframe.OneMinute).ShouldBe(
            CandleProblems.LowAboveBody | CandleProblems.HighBelowBody | CandleProblems.NegativeVolume
            | CandleProblems.NonPositivePrice | CandleProblems.MisalignedOpenTime);
    }

    [Fact]
    public void Validate_CandleBefore1970_IsValidWhenAligned()
    {
        CandleValidator.Validate(_valid with { OpenTime = -60_000 }, Timeframe.OneMinute).ShouldBe(CandleProblems.None);
    }
}
