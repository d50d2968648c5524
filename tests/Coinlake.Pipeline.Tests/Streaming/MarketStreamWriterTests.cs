using Coinlake.Candles;
using Coinlake.Pipeline.Streaming;
using Coinlake.Pipeline.Tests.Backfill;
using Coinlake.Streaming;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Time.Testing;
using static Coinlake.Pipeline.Tests.Streaming.Streams;

namespace Coinlake.Pipeline.Tests.Streaming;

public sealed class MarketStreamWriterTests
{
    private readonly MemorySink _candles = new();
    private readonly MemoryTradeSink _trades = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(T0));

    private MarketStreamWriter Writer(bool excludeCurrent = true, params Timeframe[] tradeTimeframes) =>
        new(new StreamTargets("test") { CandleSinks = [_candles], TradeSinks = [_trades] },
            new StreamWriterOptions { ExcludeCurrentCandle = excludeCurrent, TradeTimeframes = tradeTimeframes },
            timeProvider: _clock);

    private static async Task WriteAllAsync(MarketStreamWriter writer, IEnumerable<MarketEvent> events)
    {
        foreach (var e in events)
        {
            writer.Accept(e);
        }

        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task WriteAllAsync_ClosedOnly_StoresEachClosedCandleOnceAndNothingInProgress()
    {
        var source = Enumerable.Range(0, 5).Select(i => Candle(i, 100 + i)).ToList();
        var inProgress = Update(Candle(5, 99), closed: false, T0 + (5 * Minute) + 1_000);
        var writer = Writer(excludeCurrent: true);

        var report = await writer.WriteAllAsync(BinanceLike(source).Append(inProgress).ToAsyncEnumerable());

        _candles.Rows.Values.ShouldBe(source);
        report.CandlesInserted.ShouldBe(5);
        report.CandlesUpdated.ShouldBe(0);
        report.Events.ShouldBe(16);
    }

    [Fact]
    public async Task WriteAllAsync_InProgress_UpsertsTheCurrentCandleAndEndsEqualToTheClosedOne()
    {
        var source = Enumerable.Range(0, 3).Select(i => Candle(i, 100 + i)).ToList();
        var writer = Writer(excludeCurrent: false);
        var events = BinanceLike(source).ToList();
        var inProgress = Update(Candle(3, 98), closed: false, T0 + (3 * Minute) + 1_000);

        // Batch by batch: the partial candle is written, then replaced by the closed one.
        writer.Accept(events[0]);
        await writer.FlushAsync(CancellationToken.None);
        _candles.Rows[T0].Close.ShouldBe(source[0].Open);
        await WriteAllAsync(writer, events.Skip(1).Append(inProgress));

        _candles.Rows.Values.ShouldBe([.. source, inProgress.Candle]);
        writer.Report.CandlesUpdated.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Accept_ExchangeDoesNotMarkClosing_ClosesACandleWhenTheNextOpenTimeArrives()
    {
        var writer = Writer();
        writer.Accept(Update(Candle(0, 101), closed: false, T0 + 30_000));
        writer.Accept(Update(Candle(0, 102), closed: false, T0 + 59_000));
        await writer.FlushAsync(CancellationToken.None);
        _candles.Rows.ShouldBeEmpty();

        writer.Accept(Update(Candle(1, 103), closed: false, T0 + Minute + 100));
        await writer.FlushAsync(CancellationToken.None);

        _candles.Rows.Values.ShouldBe([Candle(0, 102)]);
    }

    [Fact]
    public async Task Tick_ExchangeDoesNotMarkClosing_ClosesACandleWhenTheStreamClockPassesItsEndPlusGrace()
    {
        var writer = Writer();
        writer.Accept(Update(Candle(0, 101), closed: false, T0 + 10_000));

        _clock.Advance(TimeSpan.FromSeconds(51)); // stream clock T0+61 s: ended, but within the 2 s grace
        writer.Tick(final: false);
        await writer.FlushAsync(CancellationToken.None);
        _candles.Rows.ShouldBeEmpty();

        _clock.Advance(TimeSpan.FromSeconds(1)); // T0+62 s
        writer.Tick(final: false);
        await writer.FlushAsync(CancellationToken.None);
        _candles.Rows.Values.ShouldBe([Candle(0, 101)]);
    }

    [Fact]
    public async Task Tick_ExchangeMarksClosing_WaitsForItsClosedCandleInsteadOfTheClock()
    {
        var writer = Writer();
        writer.Accept(Update(Candle(0, 101), closed: true, T0 + Minute));
        writer.Accept(Update(Candle(1, 102), closed: false, T0 + Minute + 10_000));

        _clock.Advance(TimeSpan.FromMinutes(5)); // far past the candle's end
        writer.Tick(final: false);
        await writer.StopAsync(CancellationToken.None);

        _candles.Rows.Values.ShouldBe([Candle(0, 101)]);
    }

    [Fact]
    public async Task Accept_ExchangeMarksClosing_AStrayUpdateAfterTheClosedCandleDoesNotReplaceIt()
    {
        var writer = Writer();
        writer.Accept(Update(Candle(0, 101), closed: true, T0 + Minute));
        writer.Accept(Update(Candle(0, 99), closed: false, T0 + Minute + 1));
        await writer.StopAsync(CancellationToken.None);

        _candles.Rows.Values.ShouldBe([Candle(0, 101)]);
    }

    [Fact]
    public async Task RunAsync_StreamPauses_WritesAtOnceWithoutWaitingForTheFlushInterval()
    {
        var writer = Writer(excludeCurrent: true); // the fake clock never moves: no flush interval ever elapses
        var channel = MarketStreamWriter.CreateChannel(100);
        var run = writer.RunAsync(channel.Reader);

        await channel.Writer.WriteAsync(Update(Candle(0, 101), closed: true, T0 + Minute));
        for (var i = 0; i < 250 && _candles.Rows.Count == 0; i++)
        {
            await Task.Delay(20);
        }

        _candles.Rows.Values.ShouldBe([Candle(0, 101)]);
        channel.Writer.Complete();
        await run;
    }

    [Fact]
    public async Task Accept_UpdateAfterClockClose_UpsertsTheLaterValues()
    {
        var writer = Writer();
        writer.Accept(Update(Candle(0, 101), closed: false, T0 + 10_000));
        _clock.Advance(TimeSpan.FromSeconds(55));
        writer.Tick(final: false);

        writer.Accept(Update(Candle(0, 104), closed: false, T0 + Minute + 5_000));
        await writer.StopAsync(CancellationToken.None);

        _candles.Rows.Values.ShouldBe([Candle(0, 104)]);
    }

    [Fact]
    public async Task FlushAsync_SeveralUpdatesOfACandleInOneBatch_WritesTheLastOnceAndTradesOncePerId()
    {
        var sink = new RecordingSink();
        var writer = new MarketStreamWriter(new StreamTargets("test") { CandleSinks = [sink], TradeSinks = [_trades] }, new StreamWriterOptions { ExcludeCurrentCandle = false }, timeProvider: _clock);
        writer.Accept(Update(Candle(0, 101), closed: false));
        writer.Accept(Update(Candle(0, 102), closed: false));
        writer.Accept(Update(Candle(0, 103), closed: false));
        writer.Accept(Trade("7", T0 + 1_000, 100));
        writer.Accept(Trade("7", T0 + 1_000, 100));
        writer.Accept(Trade("8", T0 + 2_000, 101));

        await writer.FlushAsync(CancellationToken.None);

        sink.Batches.ShouldHaveSingleItem().ShouldBe([Candle(0, 103)]);
        _trades.Batches.ShouldBe([2]);
    }

    [Fact]
    public async Task Accept_InvalidCandle_IsCountedAndNotStored()
    {
        var writer = Writer();
        var bad = Candle(0, 101) with { Low = 105 };

        await WriteAllAsync(writer, [Update(bad, closed: true)]);

        _candles.Rows.ShouldBeEmpty();
        writer.Report.InvalidCandles.ShouldBe(1);
    }

    [Fact]
    public async Task Accept_TradesWithTimeframe_BuildCandlesLikeTradeAggregatorCountingLateTradesWithinGraceOnly()
    {
        var writer = Writer(excludeCurrent: true, Timeframe.OneMinute);
        Trade[] minute0 = [new("1", T0 + 10_000, 100, 1, TradeSide.Buy), new("2", T0 + 50_000, 105, 2, TradeSide.Sell)];
        var inGrace = new Trade("4", T0 + 59_500, 99, 1, TradeSide.Sell);
        var tooLate = new Trade("6", T0 + 58_000, 1, 1, TradeSide.Sell);
        TradeEvent E(Trade t) => new(TradeSub, t.Timestamp, t);

        writer.Accept(E(minute0[0]));
        writer.Accept(E(minute0[1]));
        writer.Accept(E(new Trade("3", T0 + 61_000, 106, 1, TradeSide.Buy)));
        writer.Accept(E(inGrace)); // stream clock T0+61 s < end + grace (62 s): still counts
        writer.Tick(final: false);
        await writer.FlushAsync(CancellationToken.None);
        _candles.Rows.ShouldBeEmpty();

        writer.Accept(E(new Trade("5", T0 + 63_000, 107, 1, TradeSide.Buy)));
        writer.Accept(E(tooLate)); // clock T0+63 s: minute 0 closed
        writer.Tick(final: false);
        await writer.FlushAsync(CancellationToken.None);

        _candles.Rows.Values.ShouldBe(TradeAggregator.ToCandles([.. minute0, inGrace], Timeframe.OneMinute));
        _candles.Rows[T0].Open.ShouldBe(100);
        _candles.Rows[T0].Close.ShouldBe(99);
        writer.Report.LateTrades.ShouldBe(1);
        _trades.Rows.Keys.ShouldBe(["1", "2", "3", "4", "5", "6"]);
    }

    [Fact]
    public async Task StopAsync_TradeCandles_WritesEndedIntervalsAndLeavesTheOneInProgress()
    {
        var writer = Writer(excludeCurrent: true, Timeframe.OneMinute);
        writer.Accept(Trade("1", T0 + 10_000, 100));
        writer.Accept(Trade("2", T0 + 60_500, 101));

        await writer.StopAsync(CancellationToken.None);

        _candles.Rows.Keys.ShouldBe([T0]);
    }

    [Fact]
    public async Task Accept_RepeatedTrade_IsCountedOnceInTheCandle()
    {
        var writer = Writer(excludeCurrent: false, Timeframe.OneMinute);

        await WriteAllAsync(writer, [Trade("1", T0 + 1_000, 100, 2), Trade("1", T0 + 1_000, 100, 2), Trade("2", T0 + 2_000, 101, 1)]);

        _candles.Rows[T0].Volume.ShouldBe(3);
        _candles.Rows[T0].TradeCount.ShouldBe(2);
    }

    [Fact]
    public async Task Accept_Gap_HandsTheWindowFromTheLastCandleToTheFirstAfterTheReconnectToTheHealer()
    {
        var heals = new RecordingHeals();
        var writer = Writer();
        writer.Heals = heals;
        writer.Accept(Update(Candle(0, 101), closed: true));
        writer.Accept(Update(Candle(1, 102), closed: false, T0 + Minute + 20_000));
        writer.Accept(new StreamGapEvent(Candles1m, T0 + (5 * Minute), new TimeRange(T0 + Minute + 20_000, T0 + (5 * Minute)), "connection closed by the server"));
        writer.Accept(Update(Candle(5, 105), closed: false, T0 + (5 * Minute) + 1_000));
        writer.Accept(Update(Candle(6, 106), closed: false, T0 + (6 * Minute) + 1_000));

        await writer.StopAsync(CancellationToken.None);

        heals.Candles.ShouldBe([(Series1m, new TimeRange(T0 + Minute, T0 + (5 * Minute)))]);
        writer.Report.Reconnects.ShouldBe(1);

        // The partial candle of minute 1 is left to the heal; minute 5 closed by the next open time; minute 6 is in progress.
        _candles.Rows.Keys.ShouldBe([T0, T0 + (5 * Minute)]);
    }

    [Fact]
    public async Task Accept_GapInTrades_HealsTradesFromTheLastTradeAndLeavesTouchedCandlesToTheHeal()
    {
        var heals = new RecordingHeals();
        var writer = Writer(excludeCurrent: true, Timeframe.OneMinute);
        writer.Heals = heals;
        writer.Accept(Trade("1", T0 + 10_000, 100));
        writer.Accept(Trade("2", T0 + 70_000, 101));
        writer.Accept(new StreamGapEvent(TradeSub, T0 + 200_000, new TimeRange(T0 + 70_000, T0 + 200_000), "no data for 30 s"));
        writer.Accept(Trade("9", T0 + 190_000, 103));
        writer.Accept(Trade("10", T0 + 250_000, 104));
        writer.Tick(final: false);

        await writer.StopAsync(CancellationToken.None);

        heals.Trades.ShouldBe([new TimeRange(T0 + 70_000, T0 + 190_000)]);
        heals.Candles.ShouldBe([(Series1m, new TimeRange(T0 + Minute, T0 + (4 * Minute)))]);
        _candles.Rows.Keys.ShouldBe([T0]); // minutes 1-3 are the heal's; minute 4 is in progress
    }

    [Fact]
    public async Task StopAsync_GapWithoutDataAfterIt_HealsUpToTheEndOfTheMissedWindow()
    {
        var heals = new RecordingHeals();
        var writer = Writer();
        writer.Heals = heals;
        writer.Accept(new StreamGapEvent(Candles1m, T0 + (3 * Minute), new TimeRange(T0 + 30_000, T0 + (3 * Minute) + 5_000), "connection refused"));

        await writer.StopAsync(CancellationToken.None);

        heals.Candles.ShouldBe([(Series1m, new TimeRange(T0, T0 + (4 * Minute)))]);
    }

    [Fact]
    public async Task StopAsync_NoHealer_ReportsTheWindowUnhealed()
    {
        var writer = Writer();
        writer.Accept(Update(Candle(0, 101), closed: true));
        writer.Accept(new StreamGapEvent(Candles1m, T0 + (3 * Minute), new TimeRange(T0 + Minute, T0 + (3 * Minute)), "stall"));
        writer.Accept(Update(Candle(3, 101), closed: true));

        await writer.StopAsync(CancellationToken.None);

        writer.Report.UnhealedWindows.ShouldHaveSingleItem().Window.ShouldBe(new TimeRange(T0, T0 + (3 * Minute)));
    }

    [Fact]
    public async Task RunAsync_SinkIsSlow_TheBoundedChannelPushesBackOnTheStream()
    {
        var sink = new GatedSink();
        var writer = new MarketStreamWriter(new StreamTargets("test") { CandleSinks = [sink] }, new StreamWriterOptions { ExcludeCurrentCandle = false, BatchSize = 1 });
        var channel = MarketStreamWriter.CreateChannel(capacity: 2);
        var run = writer.RunAsync(channel.Reader);

        channel.Writer.TryWrite(Update(Candle(0, 101), closed: false)).ShouldBeTrue();
        await sink.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var accepted = Enumerable.Range(1, 5).Count(i => channel.Writer.TryWrite(Update(Candle(i, 101), closed: true)));
        accepted.ShouldBe(2);

        sink.Release.SetResult();
        channel.Writer.Complete();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        sink.Inner.Rows.Keys.ShouldBe([T0, T0 + Minute, T0 + (2 * Minute)]);
    }

    /// <summary>Blocks every upsert until <see cref="Release"/> is completed.</summary>
    private sealed class GatedSink : Coinlake.Storage.ICandleSink
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public MemorySink Inner { get; } = new();

        public Task Entered => _entered.Task;

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Description => "gated";

        public ValueTask<Coinlake.Storage.SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken = default) =>
            Inner.GetCoverageAsync(series, range, cancellationToken);

        public async ValueTask<Coinlake.Storage.UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken = default)
        {
            _entered.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return await Inner.UpsertAsync(series, candles, cancellationToken);
        }

        public ValueTask MarkEmptyAsync(SeriesKey series, IReadOnlyList<TimeRange> ranges, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class RecordingHeals : IStreamHealQueue
    {
        public List<(SeriesKey, TimeRange)> Candles { get; } = [];

        public List<TimeRange> Trades { get; } = [];

        public void HealCandles(SeriesKey series, TimeRange window, string reason) => Candles.Add((series, window));

        public void HealTrades(Coinlake.Storage.TradeSeriesKey series, TimeRange window, string reason) => Trades.Add(window);
    }
}
