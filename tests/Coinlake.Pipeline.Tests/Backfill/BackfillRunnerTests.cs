using Coinlake.Candles;
using Coinlake.Exchanges;
using Coinlake.Markets;
using Coinlake.Pipeline.Backfill;
using Coinlake.Time;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Pipeline.Tests.Backfill;

public sealed class BackfillRunnerTests
{
    private const long Minute = 60_000;
    private static readonly long T0 = DateTimeOffset.Parse("2023-03-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
    private static readonly SeriesKey Series = new("test", Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last);

    private static List<Candle> Make(int count, Func<int, bool>? keep = null) =>
        Enumerable.Range(0, count)
            .Where(i => keep?.Invoke(i) ?? true)
            .Select(i => new Candle(T0 + (i * Minute), 100 + i, 101 + i, 99 + i, 100.5m + i, i))
            .ToList();

    private static FakeTimeProvider Clock(int minutesAfterT0) => new(DateTimeOffset.FromUnixTimeMilliseconds(T0 + (minutesAfterT0 * Minute)));

    private static TimeRange Minutes(int from, int to) => new(T0 + (from * Minute), T0 + (to * Minute));

    [Fact]
    public async Task RunAsync_EmptySink_StoresEveryCandleOnce()
    {
        var source = Make(1000);
        var client = new ListCandleClient(source, pageSize: 97);
        var sink = new MemorySink();
        var report = await new BackfillRunner(client, [sink], Clock(5000)).RunAsync("t", Series, Minutes(0, 1000), new BackfillOptions());

        sink.Rows.Values.ShouldBe(source);
        report.Inserted.ShouldBe(1000);
        report.Updated.ShouldBe(0);
        report.RemainingGaps.ShouldBeEmpty();
        sink.Flushes.ShouldBe(1);
    }

    [Fact]
    public async Task RunAsync_SecondRun_SendsNoRequest()
    {
        var client = new ListCandleClient(Make(500), pageSize: 100);
        var sink = new MemorySink();
        var runner = new BackfillRunner(client, [sink], Clock(5000));
        await runner.RunAsync("t", Series, Minutes(0, 500), new BackfillOptions());
        client.PageRequests.Clear();

        var report = await runner.RunAsync("t", Series, Minutes(0, 500), new BackfillOptions());

        client.PageRequests.ShouldBeEmpty();
        report.MissingBefore.ShouldBe(0);
    }

    [Fact]
    public async Task RunAsync_DeletedMiddleRange_FetchesOnlyThatRange()
    {
        var source = Make(600);
        var client = new ListCandleClient(source, pageSize: 1000);
        var sink = new MemorySink();
        var runner = new BackfillRunner(client, [sink], Clock(5000));
        await runner.RunAsync("t", Series, Minutes(0, 600), new BackfillOptions());
        for (var i = 200; i < 260; i++)
        {
            sink.Rows.Remove(T0 + (i * Minute));
        }

        client.PageRequests.Clear();
        var report = await runner.RunAsync("t", Series, Minutes(0, 600), new BackfillOptions());

        client.PageRequests.ShouldBe([Minutes(200, 260)]);
        report.Inserted.ShouldBe(60);
        sink.Rows.Values.ShouldBe(source);
    }

    [Fact]
    public async Task RunAsync_ExchangeHasHoles_RecordsThemEmptyAndDoesNotRefetch()
    {
        var source = Make(300, i => i is not (>= 10 and < 15) and not 100);
        var client = new ListCandleClient(source, pageSize: 50);
        var sink = new MemorySink();
        var runner = new BackfillRunner(client, [sink], Clock(5000));

        var first = await runner.RunAsync("t", Series, Minutes(0, 300), new BackfillOptions());
        first.EmptyCandles.ShouldBe(6);
        first.RemainingGaps.ShouldBeEmpty();
        first.KnownEmpty.ShouldBe(6);
        sink.Empty.Ranges.ShouldBe([Minutes(10, 15), Minutes(100, 101)]);

        client.PageRequests.Clear();
        await runner.RunAsync("t", Series, Minutes(0, 300), new BackfillOptions());
        client.PageRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_Refresh_FetchesEverythingAgainAsUpdates()
    {
        var client = new ListCandleClient(Make(200), pageSize: 1000);
        var sink = new MemorySink();
        var runner = new BackfillRunner(client, [sink], Clock(5000));
        await runner.RunAsync("t", Series, Minutes(0, 200), new BackfillOptions());

        var report = await runner.RunAsync("t", Series, Minutes(0, 200), new BackfillOptions { Refresh = true });

        report.Fetched.ShouldBe(200);
        report.Updated.ShouldBe(200);
        report.Inserted.ShouldBe(0);
        sink.Rows.Count.ShouldBe(200);
    }

    [Fact]
    public async Task RunAsync_RangeEndsInTheFuture_FetchesOnlyClosedCandles()
    {
        var client = new ListCandleClient(Make(1000), pageSize: 1000);
        var sink = new MemorySink();

        // Now is 30.5 minutes after T0: candles 0..29 are closed, candle 30 is in progress.
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0 + (30 * Minute) + 30_000));
        var report = await new BackfillRunner(client, [sink], clock).RunAsync("t", Series, Minutes(0, 1000), new BackfillOptions());

        report.Range.ShouldBe(Minutes(0, 30));
        sink.Rows.Count.ShouldBe(30);
        sink.Rows.Keys.Max().ShouldBe(T0 + (29 * Minute));
    }

    [Fact]
    public async Task RunAsync_OneSinkLacksData_FetchesAndWritesToAll()
    {
        var source = Make(100);
        var client = new ListCandleClient(source, pageSize: 1000);
        var full = new MemorySink();
        var empty = new MemorySink();
        await new BackfillRunner(client, [full], Clock(5000)).RunAsync("t", Series, Minutes(0, 100), new BackfillOptions());
        client.PageRequests.Clear();

        await new BackfillRunner(client, [full, empty], Clock(5000)).RunAsync("t", Series, Minutes(0, 100), new BackfillOptions());

        client.PageRequests.ShouldBe([Minutes(0, 100)]);
        empty.Rows.Values.ShouldBe(source);
        full.Rows.Values.ShouldBe(source);
    }

    [Fact]
    public async Task RunAsync_InvalidCandle_IsRejectedAndCounted()
    {
        var source = Make(10);
        source[4] = source[4] with { Low = 1000 };
        var sink = new MemorySink();

        var report = await new BackfillRunner(new ListCandleClient(source), [sink], Clock(5000)).RunAsync("t", Series, Minutes(0, 10), new BackfillOptions());

        report.Invalid.ShouldBe(1);
        sink.Rows.ContainsKey(source[4].OpenTime).ShouldBeFalse();
        report.RemainingGaps.Count.ShouldBe(1);
        report.RemainingGaps[0].Range.ShouldBe(Minutes(4, 5));
    }

    [Fact]
    public async Task RunAsync_ExchangeFailsMidway_KeepsWrittenPagesAndResumesWithTheRest()
    {
        var source = Make(1000);
        var client = new ListCandleClient(source, pageSize: 100) { FailAfterPages = 3 };
        var sink = new MemorySink();
        var runner = new BackfillRunner(client, [sink], Clock(5000));

        var error = await Should.ThrowAsync<ExchangeException>(() => runner.RunAsync("t", Series, Minutes(0, 1000), new BackfillOptions()));
        error.Message.ShouldContain("boom");
        sink.Rows.Count.ShouldBe(300);

        client.FailAfterPages = null;
        client.PageRequests.Clear();
        await runner.RunAsync("t", Series, Minutes(0, 1000), new BackfillOptions());

        client.PageRequests[0].ShouldBe(Minutes(300, 1000));
        sink.Rows.Values.ShouldBe(source);
    }

    [Fact]
    public async Task RunAsync_ReportsProgressUpToExpected()
    {
        var progress = new List<BackfillProgress>();
        var sink = new MemorySink();
        await new BackfillRunner(new ListCandleClient(Make(250), 100), [sink], Clock(5000))
            .RunAsync("t", Series, Minutes(0, 250), new BackfillOptions(), new SyncProgress(progress.Add));

        progress[^1].Done.ShouldBe(250);
        progress[^1].Expected.ShouldBe(250);
        progress.Select(p => p.Done).ShouldBeInOrder();
    }

    private sealed class SyncProgress(Action<BackfillProgress> action) : IProgress<BackfillProgress>
    {
        public void Report(BackfillProgress value) => action(value);
    }
}
