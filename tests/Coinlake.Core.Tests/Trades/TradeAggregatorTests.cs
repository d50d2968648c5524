using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Core.Tests.Trades;

public sealed class TradeAggregatorTests
{
    private static Trade T(string id, long ms, decimal price, decimal amount) => new(id, ms, price, amount, TradeSide.Buy);

    [Fact]
    public void ToCandles_TradesInTwoMinutes_BuildsTwoCandlesWithOhlcvAndCounts()
    {
        var trades = new[]
        {
            T("3", 61_000, 12m, 1m), T("1", 1_000, 10m, 2m), T("2", 30_000, 9m, 1m), T("4", 59_999, 11m, 0.5m), T("5", 119_999, 13m, 3m),
        };

        var candles = TradeAggregator.ToCandles(trades, Timeframe.OneMinute);

        candles.Count.ShouldBe(2);
        candles[0].ShouldBe(new Coinlake.Candles.Candle(0, 10m, 11m, 9m, 11m, 3.5m, 20m + 9m + 5.5m, 3));
        candles[1].ShouldBe(new Coinlake.Candles.Candle(60_000, 12m, 13m, 12m, 13m, 4m, 12m + 39m, 2));
    }

    [Fact]
    public void ToCandles_SameTimestamp_OrdersByNumericId()
    {
        var candles = TradeAggregator.ToCandles([T("10", 5, 2m, 1m), T("9", 5, 1m, 1m)], Timeframe.OneMinute);

        candles[0].Open.ShouldBe(1m);
        candles[0].Close.ShouldBe(2m);
    }

    [Fact]
    public void CandleBuilder_CloseIfEnded_ClosesOnlyAfterTheInterval()
    {
        var builder = new CandleBuilder(Timeframe.OneMinute);
        builder.Add(T("1", 10_000, 5m, 1m)).ShouldBeNull();

        builder.CloseIfEnded(59_999).ShouldBeNull();
        var closed = builder.CloseIfEnded(60_000);

        closed.ShouldNotBeNull();
        closed.Value.Close.ShouldBe(5m);
        builder.Current.ShouldBeNull();
    }

    [Fact]
    public void CandleBuilder_OlderTrade_IsRejected()
    {
        var builder = new CandleBuilder(Timeframe.OneMinute);
        builder.Add(T("1", 120_000, 5m, 1m));

        Should.Throw<ArgumentException>(() => builder.Add(T("0", 10_000, 5m, 1m))).Message.ShouldContain("older");
    }
}
