using Coinlake.Candles;
using Coinlake.Exchanges;
using Coinlake.Markets;
using Coinlake.Pipeline.Backfill;
using Coinlake.Pipeline.Reports;
using Coinlake.Pipeline.Streaming;
using Coinlake.Pipeline.Tasks;
using Coinlake.Pipeline.Tests.Backfill;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Time.Testing;
using static Coinlake.Pipeline.Tests.Streaming.Streams;

namespace Coinlake.Pipeline.Tests.Streaming;

public sealed class StreamTaskRunnerTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    private static List<Candle> Source(int count) => [.. Enumerable.Range(0, count).Select(i => Candle(i, 100 + (i % 7)))];

    private static (DateTimeOffset, decimal, decimal, decimal, decimal, decimal) Ohlcv(Candle c) =>
        (DateTimeOffset.FromUnixTimeMilliseconds(c.OpenTime), c.Open, c.High, c.Low, c.Close, c.Volume);

    [Fact]
    public async Task RunAsync_ExchangeWithoutStream_FailsNamingTheTaskAndWhere()
    {
        var runner = new StreamTaskRunner(new TestComponents(new RestOnlyClient()));

        var error = await Should.ThrowAsync<NotSupportedException>(() => runner.RunAsync(StreamTask()));

        error.Message.ShouldContain("Task 'live' (tasks.yaml:7:5)");
        error.Message.ShouldContain("offers no live WebSocket stream");
    }

    [Fact]
    public async Task RunAsync_UnsupportedSubscription_FailsUpFrontNamingTheSubscriptionAndWhy()
    {
        var client = new ScriptedStreamClient([]) { Unsupported = s => s.Price == PriceType.Mark ? "mark-price candles are not streamed; use price: last" : null };
        var task = StreamTask() with { MarketType = MarketType.Swap, Symbols = [Symbol.Parse("BTC/USDT:USDT")], Price = PriceType.Mark };

        var error = await Should.ThrowAsync<NotSupportedException>(() => new StreamTaskRunner(new TestComponents(client)).RunAsync(task));

        error.Message.ShouldBe("Task 'live' (tasks.yaml:7:5): test cannot stream BTC/USDT:USDT swap candles 1m mark: mark-price candles are not streamed; use price: last");
        client.Subscribed.ShouldBeNull();
    }

    [Fact]
    public async Task RunAsync_TaskKeys_BecomeTheStreamOptionsAndSubscriptions()
    {
        var client = new ScriptedStreamClient([]);
        var task = StreamTask("ohlcv", Timeframe.OneMinute, Timeframe.OneHour) with { StallTimeout = TimeSpan.FromSeconds(7), Group = false };

        await new StreamTaskRunner(new TestComponents(client)).RunAsync(task);

        client.Options!.StallTimeout.ShouldBe(TimeSpan.FromSeconds(7));
        client.Options.Group.ShouldBeFalse();
        client.Options.Capture.ShouldBeNull();
        client.Subscribed.ShouldBe([Candles1m, StreamSubscription.Candles(Btc, MarketType.Spot, Timeframe.OneHour)]);
    }

    [Fact]
    public async Task RunAsync_CaptureOnAHostWithoutCapture_FailsWithAClearError()
    {
        var task = StreamTask() with { Capture = "/tmp/live.capture" };

        var error = await Should.ThrowAsync<NotSupportedException>(() => new StreamTaskRunner(new TestComponents(new ScriptedStreamClient([]))).RunAsync(task));

        error.Message.ShouldContain("cannot record captures; remove 'capture: /tmp/live.capture'");
    }

    [Fact]
    public async Task RunAsync_DurationEnds_StopsAndWritesEverythingAccepted()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0 + (10 * Minute)));
        var source = Source(10);
        var client = new ScriptedStreamClient([.. BinanceLike(source)]) { HoldOpen = true };
        var components = new TestComponents(client);
        var task = StreamTask() with { Duration = TimeSpan.FromSeconds(5) };
        var run = new StreamTaskRunner(components, time).RunAsync(task);

        await client.Drained.WaitAsync(TestTimeout);
        run.IsCompleted.ShouldBeFalse();
        time.Advance(TimeSpan.FromSeconds(5));
        var report = await run.WaitAsync(TestTimeout);

        components.Candles.Rows.Values.ShouldBe(source);
        report.Events.ShouldBe(30);
        report.CandlesInserted.ShouldBe(10);
    }

    [Fact]
    public async Task RunAsync_Cancelled_ReturnsNormallyAfterWritingEverythingAccepted()
    {
        var source = Source(50);
        var client = new ScriptedStreamClient([.. BinanceLike(source)]) { HoldOpen = true };
        var components = new TestComponents(client);
        using var stop = new CancellationTokenSource();
        var taskReport = new TaskReport("live");
        var run = new StreamTaskRunner(components, new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0))).RunAsync(StreamTask(), taskReport, stop.Token);

        await client.Drained.WaitAsync(TestTimeout);
        await stop.CancelAsync();
        await run.WaitAsync(TestTimeout);

        components.Candles.Rows.Values.ShouldBe(source);
        taskReport.Stream.ShouldNotBeNull().CandlesInserted.ShouldBe(50);
        components.Candles.Flushes.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task RunAsync_GapHealedAgainstFakeBinance_StoredCandlesEqualTheUndisturbedSeries()
    {
        await using var server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0 });
        var all = TestData.BinanceUsBtcUsdt1m();
        server.AddSeries("BTCUSDT", FakeMarket.Spot, [.. all.Take(200)]);
        using var registry = new ExchangeRegistry();
        var rest = registry.Create("binance", server.BaseUrl, TimeProvider.System);
        var source = all.Take(120).ToList();
        var subscription = StreamSubscription.Candles(Btc, MarketType.Spot, Timeframe.OneMinute);
        List<MarketEvent> events =
        [
            .. BinanceLike(source.Take(40)),
            Update(source[40] with { Close = source[40].Open, High = Math.Max(source[40].Open, source[40].Low) }, closed: false, source[40].OpenTime + 1_000),
            new StreamGapEvent(subscription, source[60].OpenTime + 500, new TimeRange(source[40].OpenTime + 1_000, source[60].OpenTime + 500), "connection closed by the server"),
            .. BinanceLike(source.Skip(60)),
        ];
        var client = new ScriptedStreamClient([.. events.Select(e => e with { Subscription = subscription })]) { Candles = rest };
        var components = new TestComponents(client);
        var task = StreamTask() with { Exchange = "binance" };

        var report = await new StreamTaskRunner(components).RunAsync(task).WaitAsync(TestTimeout);

        components.Candles.Rows.Values.Select(Ohlcv).ShouldBe(source.Select(Ohlcv));
        report.Reconnects.ShouldBe(1);
        report.HealedWindows.ShouldBe(1);
        report.HealedCandles.ShouldBe(20);
        report.UnhealedWindows.ShouldBeEmpty();
        server.Requests.ShouldContain(r => r.Path == "/api/v3/klines");
        (rest as IDisposable)?.Dispose();
    }

    [Fact]
    public async Task RunAsync_SinkAlreadyHoldsTheSeries_HealsFromItsLastStoredCandleAtStart()
    {
        var source = Source(130);
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0 + (100 * Minute) + 30_000));
        var rest = new ListCandleClient(source);
        var client = new ScriptedStreamClient([.. BinanceLike(source.Skip(100).Take(1))]) { Candles = rest };
        var components = new TestComponents(client);
        foreach (var c in source.Take(51))
        {
            components.Candles.Rows[c.OpenTime] = c;
        }

        var report = await new StreamTaskRunner(components, time).RunAsync(StreamTask() with { HealLookback = TimeSpan.FromDays(1) }).WaitAsync(TestTimeout);

        components.Candles.Rows.Values.ShouldBe(source.Take(101));
        rest.PageRequests[0].Start.ShouldBe(T0 + (51 * Minute));
        report.HealedCandles.ShouldBe(49);
    }

    [Fact]
    public async Task RunAsync_HealFails_RetriesItLaterAndReportsTheFailure()
    {
        var source = Source(30);
        var rest = new FlakyCandleClient(new ListCandleClient(source), failures: 1);
        List<MarketEvent> events =
        [
            .. BinanceLike(source.Take(5)),
            new StreamGapEvent(Candles1m, T0 + (20 * Minute), new TimeRange(T0 + (5 * Minute), T0 + (20 * Minute)), "stall"),
            .. BinanceLike(source.Skip(20)),
        ];
        var client = new ScriptedStreamClient(events) { Candles = rest };
        var components = new TestComponents(client);
        var runner = new StreamTaskRunner(components) { Heal = new StreamHealOptions { RetryDelay = TimeSpan.FromMilliseconds(10) } };

        var report = await runner.RunAsync(StreamTask()).WaitAsync(TestTimeout);

        components.Candles.Rows.Values.ShouldBe(source);
        report.HealFailures.ShouldBe(1);
        report.HealedWindows.ShouldBe(1);
    }

    [Fact]
    public async Task RunAsync_TradeGapOnAnExchangeWithRecentTradesOnly_ReportsTheWindowUnhealed()
    {
        var client = new ScriptedStreamClient(
        [
            Trade("1", T0 + 1_000, 100),
            new StreamGapEvent(TradeSub, T0 + 90_000, new TimeRange(T0 + 1_000, T0 + 90_000), "stall"),
            Trade("5", T0 + 95_000, 101),
        ]) { Depth = Coinlake.Exchanges.TradeHistoryDepth.RecentOnly };
        var components = new TestComponents(client);

        var report = await new StreamTaskRunner(components).RunAsync(StreamTask("trades")).WaitAsync(TestTimeout);

        var unhealed = report.UnhealedWindows.ShouldHaveSingleItem();
        unhealed.Window.ShouldBe(new TimeRange(T0 + 1_000, T0 + 95_000));
        unhealed.Reason.ShouldContain("only its most recent trades");
        components.Trades.Rows.Keys.ShouldBe(["1", "5"]);
    }

    [Fact]
    public async Task RunAsync_TradeGap_HealsTradesAndTheirCandlesThroughRest()
    {
        Trade T(string id, int second, decimal price) => new(id, T0 + (second * 1000L), price, 1, TradeSide.Buy);
        Trade[] all = [T("1", 5, 100), T("2", 50, 101), T("3", 70, 102), T("4", 130, 103), T("5", 200, 104), T("6", 250, 105)];
        var candles = TradeAggregator.ToCandles(all, Timeframe.OneMinute);
        var rest = new ListTradeClient(all);
        var client = new ScriptedStreamClient(
        [
            new TradeEvent(TradeSub, all[0].Timestamp, all[0]),
            new TradeEvent(TradeSub, all[1].Timestamp, all[1]),
            new StreamGapEvent(TradeSub, T0 + 195_000, new TimeRange(T0 + 50_000, T0 + 195_000), "connection closed"),
            new TradeEvent(TradeSub, all[4].Timestamp, all[4]),
            new TradeEvent(TradeSub, all[5].Timestamp, all[5]),
        ]) { TradeHistory = rest, Candles = new ListCandleClient(candles) };
        var components = new TestComponents(client);
        var task = StreamTask("trades", Timeframe.OneMinute) with { Sinks = [new SinkDefinition(SinkFormat.Sqlite, "/tmp/x.db", "btc")] };

        var report = await new StreamTaskRunner(components).RunAsync(task).WaitAsync(TestTimeout);

        components.Trades.Rows.Keys.ShouldBe(["1", "2", "3", "4", "5", "6"]);
        rest.Requests.ShouldBe([new TimeRange(T0 + 50_000, T0 + 200_000)]);
        components.Candles.Rows.Values.ShouldBe(candles.Take(4));
        report.UnhealedWindows.ShouldBeEmpty();
        components.TradeSinkDefinitions.ShouldHaveSingleItem().Table.ShouldBe("btc_trades");
    }

    [Fact]
    public async Task RunAsync_ThroughTaskRunner_StreamTaskIsDispatchedAndReported()
    {
        var source = Source(3);
        var components = new TestComponents(new ScriptedStreamClient([.. BinanceLike(source)]));

        var run = await new TaskRunner(components).RunAsync([StreamTask()], new BackfillOptions()).WaitAsync(TestTimeout);

        var task = run.Tasks.ShouldHaveSingleItem();
        task.Succeeded.ShouldBeTrue(task.Error);
        task.Stream.ShouldNotBeNull().CandlesInserted.ShouldBe(3);
        components.Candles.Rows.Values.ShouldBe(source);
    }

    /// <summary>Fails the first <c>failures</c> requests, then serves from the inner client.</summary>
    private sealed class FlakyCandleClient(ICandleHistoryClient inner, int failures) : ICandleHistoryClient
    {
        private int _failures = failures;

        public string Exchange => inner.Exchange;

        public RequestStats Stats => inner.Stats;

        public bool Supports(MarketType type, PriceType price) => true;

        public IAsyncEnumerable<CandlePage> GetCandlesAsync(CandleRequest request, CancellationToken cancellationToken = default) =>
            Interlocked.Decrement(ref _failures) >= 0
                ? throw new ExchangeException("test", "temporarily unavailable", code: "503", httpStatus: 503)
                : inner.GetCandlesAsync(request, cancellationToken);
    }
}
