using Coinlake.Time;

namespace Coinlake.Candles;

/// <summary>What can be wrong with one candle.</summary>
[Flags]
public enum CandleProblems
{
    /// <summary>The candle is valid.</summary>
    None = 0,

    /// <summary>Low is above open or close, or above high.</summary>
    LowAboveBody = 1,

    /// <summary>High is below open or close.</summary>
    HighBelowBody = 2,

    /// <summary>Volume (or quote volume, or trade count) is negative.</summary>
    NegativeVolume = 4,

    /// <summary>A price is zero or negative.</summary>
    NonPositivePrice = 8,

    /// <summary>The open time is not a boundary of the series' timeframe.</summary>
    MisalignedOpenTime = 16,
}

/// <summary>Pure checks of candle invariants: <c>low &lt;= open, close &lt;= high</c>, <c>volume &gt;= 0</c>, aligned open time.</summary>
public static class CandleValidator
{
    /// <summary>Returns every problem of <paramref name="candle"/> in a series of <paramref name="timeframe"/>.</summary>
    public static CandleProblems Validate(in Candle candle, Timeframe timeframe)
    {
        var problems = CandleProblems.None;
        if (candle.Low > candle.Open || candle.Low > candle.Close || candle.Low > candle.High)
        {
            problems |= CandleProblems.LowAboveBody;
        }

        if (candle.High < candle.Open || candle.High < candle.Close)
        {
            problems |= CandleProblems.HighBelowBody;
        }

        if (candle.Volume < 0 || candle.QuoteVolume < 0 || candle.TradeCount < 0)
        {
            problems |= CandleProblems.NegativeVolume;
        }

        if (candle.Open <= 0 || candle.High <= 0 || candle.Low <= 0 || candle.Close <= 0)
        {
            problems |= CandleProblems.NonPositivePrice;
        }

        if (!timeframe.IsAligned(candle.OpenTime))
        {
            problems |= CandleProblems.MisalignedOpenTime;
        }

        return problems;
    }
}
