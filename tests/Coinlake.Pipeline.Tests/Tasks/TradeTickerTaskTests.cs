using Coinlake.Pipeline.Tasks;
using static Coinlake.Pipeline.Tests.Tasks.TaskFileTestSupport;

namespace Coinlake.Pipeline.Tests.Tasks;

public sealed class TradeTickerTaskTests
{
    [Fact]
    public void Parse_RestTradesTask_HasNoTimeframeAndKeepsItsRange()
    {
        var task = Parse(Task("stream: trades", "symbol: XRP/ETH", "start: 2019-10-11", "end: 2019-10-14")).Tasks.ShouldHaveSingleItem();

        task.Mode.ShouldBe(TaskMode.Rest);
        task.Stream.ShouldBe("trades");
        task.Timeframes.ShouldBeEmpty();
        task.Start.ShouldBe(new DateTimeOffset(2019, 10, 11, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Parse_TickersTaskWithInterval_ReadsTheSnapshotPeriodAndDuration()
    {
        var task = Parse(Task("stream: tickers", "symbols: [BTC/USDT, ETH/USDT]", "interval: 5m", "duration: 30m")).Tasks.ShouldHaveSingleItem();

        task.Stream.ShouldBe("tickers");
        task.Interval.ShouldBe(TimeSpan.FromMinutes(5));
        task.Duration.ShouldBe(TimeSpan.FromMinutes(30));
        task.Timeframes.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_IntervalOnACandleTask_IsTheTimeframe()
    {
        var task = Parse(Task("symbol: BTC/USDT", "interval: 1h", "start: 2024-01-01")).Tasks.ShouldHaveSingleItem();

        task.Timeframes.ShouldBe([Coinlake.Time.Timeframe.OneHour]);
        task.Interval.ShouldBeNull();
    }
}
