using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Storage;
using Coinlake.Time;

namespace Coinlake.Core.Tests.Storage;

public sealed class ContractsTests
{
    [Fact]
    public void Complete_StoredAndKnownEmpty_IsTheirUnion()
    {
        var coverage = new SeriesCoverage(RangeSet.Of(new TimeRange(0, 10)), RangeSet.Of(new TimeRange(10, 20)));

        coverage.Complete.Ranges.ShouldBe([new TimeRange(0, 20)]);
        SeriesCoverage.None.Complete.IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void UpsertResult_Plus_AddsBothCounts()
    {
        (new UpsertResult(3, 1) + new UpsertResult(2, 5)).ShouldBe(new UpsertResult(5, 6));
        (default(UpsertResult) + default(UpsertResult)).ShouldBe(default);
    }

    [Fact]
    public void SeriesKey_ToString_IsExchangeSymbolTypeTimeframePrice()
    {
        var key = new SeriesKey("binance", Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap, Timeframe.Parse("1M"), PriceType.Mark);

        key.ToString().ShouldBe("binance BTC/USDT:USDT swap 1M mark");
    }

    [Fact]
    public void SeriesKey_SameParts_AreEqualAsDictionaryKeys()
    {
        var a = new SeriesKey("binance", Symbol.Parse("btc/usdt"), MarketType.Spot, Timeframe.Parse("1m"), PriceType.Last);
        var b = new SeriesKey("binance", Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last);
        var c = b with { Timeframe = Timeframe.Parse("1M") };

        a.ShouldBe(b);
        new HashSet<SeriesKey> { a, b, c }.Count.ShouldBe(2);
    }

    [Fact]
    public void Candle_SameValuesDifferentScale_AreEqual()
    {
        var a = new Candle(0, 1.5m, 2m, 1m, 1.5m, 0.00005400m);
        var b = new Candle(0, 1.50m, 2.000m, 1m, 1.5m, 0.000054m);

        a.ShouldBe(b);
        b.Volume.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("0.000054");
        a.Volume.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("0.00005400");
    }
}
