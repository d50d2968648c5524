using Coinlake.Testing;
using Coinlake.Time;

namespace Coinlake.Exchanges.Tests.FakeServer;

public sealed class FakeDataTests
{
    [Fact]
    public void OneYearOneMinute_Default_Is525600ContiguousCandlesFromDefaultStart()
    {
        var candles = FakeData.OneYearOneMinute();

        candles.Length.ShouldBe(525_600);
        candles[0].OpenTime.ShouldBe(FakeData.DefaultStart);
        for (var i = 1; i < candles.Length; i++)
        {
            if (candles[i].OpenTime != candles[i - 1].OpenTime + 60_000)
            {
                throw new ShouldAssertException($"Candle {i} is not one minute after candle {i - 1}.");
            }
        }
    }

    [Fact]
    public void ContiguousOneMinute_AtSourceSeams_PriceContinuesAndValuesAreValid()
    {
        var source = TestData.BinanceUsBtcUsdt1m();
        var n = source.Count;
        var candles = FakeData.ContiguousOneMinute((2 * n) + 10);

        // forward -> backward seam: the mirrored last source candle opens at the forward run's last close
        candles[n].Open.ShouldBe(candles[n - 1].Close);
        // backward -> forward seam: the next forward run opens where the mirrored run closed
        candles[2 * n].Open.ShouldBe(candles[(2 * n) - 1].Close);
        candles[2 * n].ShouldBe(source[0] with { OpenTime = candles[2 * n].OpenTime });
        candles.ShouldAllBe(c => c.Low <= c.Open && c.Low <= c.Close && c.High >= c.Open && c.High >= c.Close && c.Volume >= 0);
    }

    [Fact]
    public void ContiguousOneMinute_SameArguments_SameCandles()
    {
        FakeData.ContiguousOneMinute(1000, FakeData.DefaultStart + 60_000)
            .ShouldBe(FakeData.ContiguousOneMinute(1000, FakeData.DefaultStart + 60_000));
    }

    [Fact]
    public void ContiguousOneMinute_StartOffMinute_ThrowsArgumentException()
    {
        Should.Throw<ArgumentException>(() => FakeData.ContiguousOneMinute(10, FakeData.DefaultStart + 1));
    }

    [Fact]
    public void WithGaps_Range_DropsOpenTimesInsideIt()
    {
        var candles = FakeData.ContiguousOneMinute(10);
        var gap = new TimeRange(candles[2].OpenTime, candles[5].OpenTime);

        var result = FakeData.WithGaps(candles, gap);

        result.Select(c => c.OpenTime).ShouldBe(candles.Where(c => !gap.Contains(c.OpenTime)).Select(c => c.OpenTime));
        result.Length.ShouldBe(7);
    }
}
