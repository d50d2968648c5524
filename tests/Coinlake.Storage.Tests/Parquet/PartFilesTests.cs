using Coinlake.Storage.Parquet;

namespace Coinlake.Storage.Tests.Parquet;

public sealed class PartFilesTests
{
    private static readonly DateTimeOffset Opened = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Theory]
    [InlineData(PartKind.Candles, 0, "btc_1m.part-20240102_030405.parquet")]
    [InlineData(PartKind.Candles, 2, "btc_1m.part-20240102_030405-2.parquet")]
    [InlineData(PartKind.Trades, 0, "btc_1m.trades.part-20240102_030405.parquet")]
    public void NameOf_KindAndSequence_FollowsTheLayout(PartKind kind, int sequence, string expected)
    {
        var name = PartFiles.NameOf("btc_1m", kind, Opened.AddMilliseconds(999), sequence);

        name.ShouldBe(expected);
        var parsed = PartFiles.TryParse(name).ShouldNotBeNull();
        parsed.Task.ShouldBe("btc_1m");
        parsed.Kind.ShouldBe(kind);
        parsed.Opened.ShouldBe(Opened);
        parsed.Sequence.ShouldBe(sequence);
    }

    [Fact]
    public void TryParse_TaskNameWithDots_KeepsThem()
    {
        PartFiles.TryParse("bin.btc.v2.part-20240102_030405.parquet")!.Task.ShouldBe("bin.btc.v2");
    }

    [Theory]
    [InlineData("2024-01.parquet")]
    [InlineData(".t.part-20240102_030405.parquet.tmp")]
    [InlineData("t.part-2024_030405.parquet")]
    public void TryParse_NotAPart_IsNull(string name)
    {
        PartFiles.TryParse(name).ShouldBeNull();
    }

    [Fact]
    public void List_PartsOfSeveralTimes_AreOrderedOldestFirst()
    {
        using var temp = new TempFolder();
        foreach (var name in new[] { "b.part-20240102_030406.parquet", "a.part-20240102_030405-1.parquet", "a.part-20240102_030405.parquet", "2024-01.parquet", ".a.part-20240102_030407.parquet.tmp" })
        {
            File.WriteAllText(temp.File(name), "");
        }

        PartFiles.List(temp.Path).Select(p => Path.GetFileName(p.Path))
            .ShouldBe(["a.part-20240102_030405.parquet", "a.part-20240102_030405-1.parquet", "b.part-20240102_030406.parquet"]);
        PartFiles.ListTemporary(temp.Path).ShouldHaveSingleItem().FinalPath.ShouldBe(temp.File("a.part-20240102_030407.parquet"));
    }
}
