using Coinlake.Markets;
using Coinlake.Pipeline.Tasks;
using Coinlake.Time;
using static Coinlake.Pipeline.Tests.Tasks.TaskFileTestSupport;

namespace Coinlake.Pipeline.Tests.Tasks;

/// <summary><see cref="TaskFileLoader.Select"/> (--tasks / COINLAKE_TASKS) and <see cref="TaskFileLoader.Default"/>.</summary>
public sealed class TaskFileSelectTests
{
    private static readonly TaskFile s_file = Parse(
        RestTask().Replace("name: t1", "name: binance_btc_1m_jan2024", StringComparison.Ordinal)
        + "  - name: okx_multi_ohlcv\n    mode: stream\n    exchange: okx\n    symbols: [BTC/USDT:USDT, ETH/USDT:USDT]\n    timeframe: 1m\n"
        + "  - name: bybit_btc_trades_to_ohlcv\n    mode: stream\n    stream: trades\n    exchange: bybit\n    symbol: BTC/USD:BTC\n    timeframe: 1m\n");

    [Fact]
    public void Select_NoNames_ReturnsEveryTask()
    {
        TaskFileLoader.Select(s_file, null).Count.ShouldBe(3);
        TaskFileLoader.Select(s_file, []).Count.ShouldBe(3);
        TaskFileLoader.Select(s_file, [" ", ""]).Count.ShouldBe(3);
    }

    [Fact]
    public void Select_Names_ReturnsThoseTasksInFileOrderOnce()
    {
        var selected = TaskFileLoader.Select(s_file, ["bybit_btc_trades_to_ohlcv", "binance_btc_1m_jan2024", "bybit_btc_trades_to_ohlcv"]);

        selected.Select(t => t.Name).ShouldBe(["binance_btc_1m_jan2024", "bybit_btc_trades_to_ohlcv"]);
    }

    [Fact]
    public void Select_CommaSeparatedEntry_IsSplit()
    {
        // COINLAKE_TASKS="binance_btc_1m_jan2024, okx_multi_ohlcv" as the seed's TASKS variable.
        var selected = TaskFileLoader.Select(s_file, ["binance_btc_1m_jan2024, okx_multi_ohlcv"]);

        selected.Select(t => t.Name).ShouldBe(["binance_btc_1m_jan2024", "okx_multi_ohlcv"]);
    }

    [Fact]
    public void Select_UnknownName_NamesTheClosestTaskAndListsAll()
    {
        var ex = Should.Throw<TaskFileException>(() => TaskFileLoader.Select(s_file, ["okx_multi_ohlvc", "binance_btc_1m_jan2024"]));

        var error = ex.Errors.ShouldHaveSingleItem();
        error.Location.ShouldBe(new SourceLocation(FilePath, 1, 1));
        error.Message.ShouldBe("no task named 'okx_multi_ohlvc' (selected by --tasks or COINLAKE_TASKS); did you mean 'okx_multi_ohlcv' (line 8)? tasks in this file: binance_btc_1m_jan2024, okx_multi_ohlcv, bybit_btc_trades_to_ohlcv.");
    }

    [Fact]
    public void Select_SeveralUnknownNames_ReportsEach()
    {
        var ex = Should.Throw<TaskFileException>(() => TaskFileLoader.Select(s_file, ["x1,x2"]));

        ex.Errors.Count.ShouldBe(2);
    }

    [Fact]
    public void Select_NameInOtherCase_IsUnknown()
    {
        Should.Throw<TaskFileException>(() => TaskFileLoader.Select(s_file, ["OKX_MULTI_OHLCV"]))
            .Errors.ShouldHaveSingleItem().Message.ShouldContain("did you mean 'okx_multi_ohlcv'");
    }

    [Fact]
    public void Default_IsBinanceSpotMajorsHourlyForThirtyDaysIntoSqlite()
    {
        var baseDirectory = Path.Combine(Path.GetTempPath(), "coinlake-default");

        var file = TaskFileLoader.Default(baseDirectory, new FixedTimeProvider(Now));

        file.Path.ShouldBe(TaskFileLoader.DefaultPath);
        file.Version.ShouldBe(1);
        var task = file.Tasks.ShouldHaveSingleItem();
        task.Mode.ShouldBe(TaskMode.Rest);
        task.Exchange.ShouldBe("binance");
        task.MarketType.ShouldBe(MarketType.Spot);
        task.Symbols.Select(s => s.ToString()).ShouldBe(["BTC/USDT", "ETH/USDT", "SOL/USDT"]);
        task.Timeframes.ShouldBe([Timeframe.OneHour]);
        task.Start.ShouldBe(new DateTimeOffset(2025, 2, 8, 14, 0, 0, TimeSpan.Zero)); // 2025-03-10 14:37:12 - 30 days, floored to the hour
        task.End.ShouldBeNull();
        task.Price.ShouldBe(PriceType.Last);
        task.ExcludeCurrentCandle.ShouldBeTrue();
        task.Sinks.ShouldBe([new SinkDefinition(SinkFormat.Sqlite, Path.Combine(baseDirectory, "data", "coinlake.db"))]);
        TaskFileLoader.Select(file, [task.Name]).ShouldBe([task]);
    }
}
