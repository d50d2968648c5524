using Coinlake.Pipeline.Tasks;
using static Coinlake.Pipeline.Tests.Tasks.TaskFileTestSupport;

namespace Coinlake.Pipeline.Tests.Tickers;

public sealed class StreamTaskKeysTests
{
    private static string TickerStream(params string[] extra) =>
        Task(["mode: stream", "stream: tickers", "symbols: [BTC/USDT, ETH/USDT]", .. extra]);

    private static string CandleStream(params string[] extra) =>
        Task(["mode: stream", "symbol: BTC/USDT", "timeframe: 1m", "format: parquet", "output: data", .. extra]);

    [Fact]
    public void Parse_AlertPercentOnly_DefaultsWindowAndTable()
    {
        var task = ParseOne(TickerStream("alert_percent: 1.5"));

        task.Alerts.ShouldBe(new TickerAlertSettings(1.5m, TimeSpan.FromSeconds(60), "alerts"));
    }

    [Fact]
    public void Parse_AllAlertKeys_ReadsThem()
    {
        var task = ParseOne(TickerStream("alert_percent: 0.5%", "alert_window: 5m", "alert_table: price_alerts"));

        task.Alerts.ShouldBe(new TickerAlertSettings(0.5m, TimeSpan.FromMinutes(5), "price_alerts"));
    }

    [Fact]
    public void Parse_NoAlertKeys_HasNoAlerts()
    {
        ParseOne(TickerStream()).Alerts.ShouldBeNull();
    }

    [Theory]
    [InlineData("alert_percent: 0", "positive percentage")]
    [InlineData("alert_percent: -1", "positive percentage")]
    [InlineData("alert_percent: lots", "positive percentage")]
    public void Parse_BadAlertPercent_SaysWhatToWrite(string line, string expected)
    {
        SingleError(TickerStream(line)).Message.ShouldContain(expected);
    }

    [Fact]
    public void Parse_BadWindowAndTable_ReportsBoth()
    {
        var errors = Errors(TickerStream("alert_percent: 1", "alert_window: soon", "alert_table: 1bad"));

        errors.Count.ShouldBe(2);
        errors[0].Message.ShouldContain("not an alert window");
        errors[1].Message.ShouldContain("not a SQLite table name");
    }

    [Fact]
    public void Parse_AlertWindowWithoutPercent_IsAnError()
    {
        SingleError(TickerStream("alert_window: 30")).Message.ShouldContain("no effect without 'alert_percent'");
    }

    [Fact]
    public void Parse_AlertKeysOnARestTickersTask_SayTheyNeedAStream()
    {
        var error = SingleError(Task("stream: tickers", "symbol: BTC/USDT", "alert_percent: 1"));

        error.Message.ShouldContain("mode: stream");
        error.Location.Line.ShouldBe(7);
    }

    [Fact]
    public void Parse_StreamTask_RotatesHourlyByDefault()
    {
        ParseOne(CandleStream()).Rotation.ShouldBe(new PartRotation(TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Parse_RotateKeys_ReadsTimeAndRows()
    {
        ParseOne(CandleStream("rotate: 15m", "rotate_rows: 100_000")).Rotation.ShouldBe(new PartRotation(TimeSpan.FromMinutes(15), 100_000));
    }

    [Theory]
    [InlineData("rotate: 0", "not a rotation period")]
    [InlineData("rotate: often", "not a rotation period")]
    [InlineData("rotate_rows: 0", "not a row count")]
    [InlineData("rotate_rows: 1.5", "not a row count")]
    public void Parse_BadRotation_SaysWhatToWrite(string line, string expected)
    {
        SingleError(CandleStream(line)).Message.ShouldContain(expected);
    }

    [Fact]
    public void Parse_RotateOnARestTask_IsAnError()
    {
        SingleError(RestTask("rotate: 1h")).Message.ShouldContain("applies to stream tasks");
    }

    [Fact]
    public void FromTask_TickerStreamWithAlerts_MapsIntervalAndAlertKeys()
    {
        var options = Coinlake.Pipeline.Tickers.TickerStreamOptions.FromTask(ParseOne(TickerStream("interval: 30s", "alert_percent: 2", "alert_window: 90s")));

        options.SnapshotInterval.ShouldBe(TimeSpan.FromSeconds(30));
        options.AlertPercent.ShouldBe(2m);
        options.AlertWindow.ShouldBe(TimeSpan.FromSeconds(90));
        Coinlake.Pipeline.Tickers.TickerStreamOptions.FromTask(ParseOne(TickerStream())).SnapshotInterval.ShouldBe(TimeSpan.FromMinutes(1));
    }
}
