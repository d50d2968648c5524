using Coinlake.Pipeline.Tasks;
using static Coinlake.Pipeline.Tests.Tasks.TaskFileTestSupport;

namespace Coinlake.Pipeline.Tests.Streaming;

public sealed class StreamTaskKeysTests
{
    private static string StreamTask(params string[] extra) =>
        Task(["mode: stream", "symbol: BTC/USDT", .. extra]);

    [Fact]
    public void Parse_StreamKeys_AreRead()
    {
        var task = ParseOne(StreamTask("timeframe: 1m", "stall_timeout: 45", "capture: captures/live.txt", "group: false", "grace: 5", "heal_lookback: 6h"));

        task.StallTimeout.ShouldBe(TimeSpan.FromSeconds(45));
        task.Capture.ShouldBe(Path.Combine(Folder, "captures", "live.txt"));
        task.Group.ShouldBeFalse();
        task.Grace.ShouldBe(TimeSpan.FromSeconds(5));
        task.HealLookback.ShouldBe(TimeSpan.FromHours(6));
    }

    [Fact]
    public void Parse_StreamWithoutStreamKeys_UsesDefaults()
    {
        var task = ParseOne(StreamTask("timeframe: 1m"));

        task.StallTimeout.ShouldBeNull();
        task.Capture.ShouldBeNull();
        task.Group.ShouldBeTrue();
        task.Grace.ShouldBe(TimeSpan.FromSeconds(2));
        task.HealLookback.ShouldBe(TimeSpan.FromDays(1));
    }

    [Fact]
    public void Parse_TradesStreamWithoutTimeframe_StoresTradesOnly()
    {
        var task = ParseOne(StreamTask("stream: trades"));

        task.Stream.ShouldBe("trades");
        task.Timeframes.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_StreamKeyOnARestTask_IsAnErrorSayingWhereItApplies()
    {
        var error = SingleError(RestTask("grace: 3"));

        error.Message.ShouldContain("'grace' applies to stream tasks");
        error.Location.Line.ShouldBe(8);
    }

    [Theory]
    [InlineData("stall_timeout: 0", "'stall_timeout'")]
    [InlineData("grace: soon", "'grace'")]
    [InlineData("group: maybe", "'group' takes true")]
    public void Parse_InvalidStreamValue_IsAnError(string line, string expected)
    {
        SingleError(StreamTask("timeframe: 1m", line)).Message.ShouldContain(expected);
    }

    [Fact]
    public void Parse_GraceZero_ClosesAtOnce()
    {
        ParseOne(StreamTask("stream: trades", "timeframe: 1m", "grace: 0")).Grace.ShouldBe(TimeSpan.Zero);
    }
}
