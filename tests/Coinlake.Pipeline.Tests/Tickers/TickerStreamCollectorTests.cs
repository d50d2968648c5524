using Coinlake.Markets;
using Coinlake.Pipeline.Tickers;
using Coinlake.Storage.Alerts;
using Coinlake.Storage.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Pipeline.Tests.Tickers;

public sealed class TickerStreamCollectorTests
{
    private const long T0 = 1_700_000_000_000;

    private static TickerStreamCollector Alerting(RecordingAlertSink alerts, decimal percent = 1.0m, int windowSeconds = 60, TimeSpan? cooldown = null) =>
        new("binance", [], [alerts], new TickerStreamOptions { AlertPercent = percent, AlertWindow = TimeSpan.FromSeconds(windowSeconds), AlertCooldown = cooldown });

    [Fact]
    public async Task OnTickerAsync_MoreSymbolsThanBound_KeepsTheMostRecentlyUpdated()
    {
        var collector = new TickerStreamCollector("binance", [], options: new TickerStreamOptions { MaxSymbols = 2 });
        var a = Symbol.Parse("A/USDT");
        var b = Symbol.Parse("B/USDT");
        var c = Symbol.Parse("C/USDT");

        await collector.OnTickerAsync(Tick.Event(a, T0, 1m));
        await collector.OnTickerAsync(Tick.Event(b, T0 + 1, 2m));
        await collector.OnTickerAsync(Tick.Event(a, T0 + 2, 1.1m));
        await collector.OnTickerAsync(Tick.Event(c, T0 + 3, 3m));

        collector.Latest.Select(t => t.Symbol).ShouldBe([c, a], ignoreOrder: true);
        collector.Evicted.ShouldBe(1);
        collector.Updates.ShouldBe(4);
    }

    [Fact]
    public async Task RunAsync_EachInterval_WritesTheTickersChangedSinceTheLastSnapshot()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0));
        var sink = new RecordingTickerSink();
        var collector = new TickerStreamCollector("binance", [sink], options: new TickerStreamOptions { SnapshotInterval = TimeSpan.FromSeconds(30) }, timeProvider: time);
        using var stop = new CancellationTokenSource();
        var run = collector.RunAsync(stop.Token);
        var eth = Symbol.Parse("ETH/USDT");

        await collector.OnTickerAsync(Tick.Event(Tick.Btc, T0, 100m));
        await collector.OnTickerAsync(Tick.Event(eth, T0, 10m));
        time.Advance(TimeSpan.FromSeconds(29));
        sink.HasPendingCall.ShouldBeFalse();
        time.Advance(TimeSpan.FromSeconds(1));
        var first = await sink.NextCallAsync();
        first.Tickers.Count.ShouldBe(2);

        await collector.OnTickerAsync(Tick.Event(Tick.Btc, T0 + 31_000, 101m));
        time.Advance(TimeSpan.FromSeconds(30));
        var second = await sink.NextCallAsync();
        second.Tickers.Single().Last.ShouldBe(101m);

        // Nothing changed: the third tick writes nothing.
        time.Advance(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run;
        sink.Calls.Count.ShouldBe(2);
        collector.Snapshots.ShouldBe(2);
        collector.Rows.ShouldBe(3);
    }

    [Fact]
    public async Task RunAsync_Cancelled_WritesWhatChangedSinceTheLastSnapshot()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0));
        var sink = new RecordingTickerSink();
        var collector = new TickerStreamCollector("binance", [sink], options: new TickerStreamOptions { SnapshotInterval = TimeSpan.FromMinutes(5) }, timeProvider: time);
        using var stop = new CancellationTokenSource();
        var run = collector.RunAsync(stop.Token);

        await collector.OnTickerAsync(Tick.Event(T0, 100m));
        await stop.CancelAsync();
        await run;

        sink.Calls.Single().Tickers.Single().Last.ShouldBe(100m);
    }

    [Theory]
    [InlineData("100.99", false)] // +0.99 %
    [InlineData("101", false)] // exactly +1 %: not "more than"
    [InlineData("101.01", true)] // +1.01 %
    public async Task OnTickerAsync_RiseAroundThreshold_AlertsOnlyAbove(string to, bool alerts)
    {
        var sink = new RecordingAlertSink();
        var collector = Alerting(sink);

        await collector.OnTickerAsync(Tick.Event(T0, 100m));
        await collector.OnTickerAsync(Tick.Event(T0 + 10_000, decimal.Parse(to, System.Globalization.CultureInfo.InvariantCulture)));

        sink.Alerts.Count.ShouldBe(alerts ? 1 : 0);
    }

    [Fact]
    public async Task OnTickerAsync_FallMoreThanThreshold_AlertsDownFromTheWindowMaximum()
    {
        var sink = new RecordingAlertSink();
        var collector = Alerting(sink);

        await collector.OnTickerAsync(Tick.Event(T0, 100m));
        await collector.OnTickerAsync(Tick.Event(T0 + 5_000, 100.5m));
        await collector.OnTickerAsync(Tick.Event(T0 + 20_000, 99.4m));

        var alert = sink.Alerts.Single();
        alert.Direction.ShouldBe(PriceDirection.Down);
        alert.FromPrice.ShouldBe(100.5m);
        alert.ToPrice.ShouldBe(99.4m);
        alert.WindowStart.ShouldBe(T0 + 5_000);
        alert.WindowEnd.ShouldBe(T0 + 20_000);
        alert.ChangePercent.ShouldBe(-1.09452736m);
        alert.Exchange.ShouldBe("binance");
        alert.Symbol.ShouldBe(Tick.Btc);
    }

    [Fact]
    public async Task OnTickerAsync_DipThenRise_MeasuresFromTheMinimumNotTheFirstPrice()
    {
        var sink = new RecordingAlertSink();
        var collector = Alerting(sink);

        await collector.OnTickerAsync(Tick.Event(T0, 100m));
        await collector.OnTickerAsync(Tick.Event(T0 + 10_000, 99.5m));
        await collector.OnTickerAsync(Tick.Event(T0 + 20_000, 100.6m)); // +0.6 % from the first, +1.11 % from the dip

        var alert = sink.Alerts.Single();
        alert.Direction.ShouldBe(PriceDirection.Up);
        alert.FromPrice.ShouldBe(99.5m);
        alert.WindowStart.ShouldBe(T0 + 10_000);
    }

    [Theory]
    [InlineData(60_000, true)] // the reference price is exactly one window old: still in the window
    [InlineData(60_001, false)] // one millisecond older: out of the window
    public async Task OnTickerAsync_MoveSpreadOverTheWindow_AlertsOnlyWithinIt(long elapsedMs, bool alerts)
    {
        var sink = new RecordingAlertSink();
        var collector = Alerting(sink);

        await collector.OnTickerAsync(Tick.Event(T0, 100m));
        await collector.OnTickerAsync(Tick.Event(T0 + elapsedMs, 102m));

        sink.Alerts.Count.ShouldBe(alerts ? 1 : 0);
    }

    [Fact]
    public async Task OnTickerAsync_SlowDriftBeyondThresholdOverManyWindows_DoesNotAlert()
    {
        var sink = new RecordingAlertSink();
        var collector = Alerting(sink);

        // +0.5 % a minute for ten minutes: +5 % in total, never more than 1 % within 60 s.
        var price = 100m;
        for (var i = 0; i <= 10; i++)
        {
            await collector.OnTickerAsync(Tick.Event(T0 + (i * 61_000), price));
            price *= 1.005m;
        }

        sink.Alerts.ShouldBeEmpty();
    }

    [Fact]
    public async Task OnTickerAsync_MoveContinuesDuringCooldown_AlertsOnceThenAgainAfterIt()
    {
        var sink = new RecordingAlertSink();
        var collector = Alerting(sink, cooldown: TimeSpan.FromSeconds(30));
        var raised = new List<PriceAlert>();
        collector.AlertRaised += raised.Add;

        await collector.OnTickerAsync(Tick.Event(T0, 100m));
        await collector.OnTickerAsync(Tick.Event(T0 + 1_000, 101.5m)); // alert
        await collector.OnTickerAsync(Tick.Event(T0 + 2_000, 102m)); // cool-down
        await collector.OnTickerAsync(Tick.Event(T0 + 29_999, 103m)); // cool-down
        sink.Alerts.Count.ShouldBe(1);

        await collector.OnTickerAsync(Tick.Event(T0 + 31_000, 103.1m)); // after the cool-down, +3.1 % from 100 within 60 s

        sink.Alerts.Count.ShouldBe(2);
        sink.Alerts[1].FromPrice.ShouldBe(100m);
        raised.ShouldBe(sink.Alerts);
        collector.Alerts.ShouldBe(2);
        collector.RecentAlerts.Count.ShouldBe(2);
    }

    [Fact]
    public async Task OnTickerAsync_DefaultCooldown_IsTheWindow()
    {
        var sink = new RecordingAlertSink();
        var collector = Alerting(sink, windowSeconds: 10);

        await collector.OnTickerAsync(Tick.Event(T0, 100m));
        await collector.OnTickerAsync(Tick.Event(T0 + 1_000, 102m)); // alert, quiet until T0 + 11 s
        await collector.OnTickerAsync(Tick.Event(T0 + 5_000, 99m)); // -2.9 % from 102: suppressed
        await collector.OnTickerAsync(Tick.Event(T0 + 11_000, 97m)); // -4.9 % from 102: alerts

        sink.Alerts.Select(a => a.Direction).ShouldBe([PriceDirection.Up, PriceDirection.Down]);
    }

    [Fact]
    public async Task OnTickerAsync_SymbolsAreIndependent()
    {
        var sink = new RecordingAlertSink();
        var collector = Alerting(sink);
        var eth = Symbol.Parse("ETH/USDT");

        await collector.OnTickerAsync(Tick.Event(Tick.Btc, T0, 100m));
        await collector.OnTickerAsync(Tick.Event(eth, T0 + 1, 102m));

        sink.Alerts.ShouldBeEmpty();
    }

    [Fact]
    public async Task OnTickerAsync_NoLastPriceOrAlertsOff_NeverAlerts()
    {
        var sink = new RecordingAlertSink();
        var collector = Alerting(sink);
        await collector.OnTickerAsync(Tick.Event(Tick.Btc, T0, null));
        await collector.OnTickerAsync(Tick.Event(Tick.Btc, T0 + 1, null));

        var off = new TickerStreamCollector("binance", [], [sink]);
        await off.OnTickerAsync(Tick.Event(T0, 100m));
        await off.OnTickerAsync(Tick.Event(T0 + 1, 150m));

        sink.Alerts.ShouldBeEmpty();
        collector.Latest.Count.ShouldBe(1);
    }

    [Fact]
    public void Constructor_NonPositiveAlertPercent_ThrowsNamingTheKey()
    {
        var ex = Should.Throw<ArgumentException>(() => new TickerStreamCollector("binance", [], options: new TickerStreamOptions { AlertPercent = 0m }));
        ex.Message.ShouldContain("alert_percent");
    }

    [Fact]
    public async Task OnTickerAsync_WithSqliteAlertSink_WritesOneRowPerAlert()
    {
        var folder = Path.Combine(Path.GetTempPath(), "coinlake-alerts-" + Guid.NewGuid().ToString("N")[..10]);
        var db = Path.Combine(folder, "alerts.db");
        try
        {
            await using (var alerts = new SqliteAlertSink(db, "price_alerts"))
            {
                var collector = new TickerStreamCollector("binance", [], [alerts], new TickerStreamOptions { AlertPercent = 1.0m });
                var swap = Symbol.Parse("ETH/USDT:USDT");
                await collector.OnTickerAsync(Tick.Event(T0, 100m));
                await collector.OnTickerAsync(Tick.Event(T0 + 10_000, 101.25m));
                await collector.OnTickerAsync(Tick.Event(swap, T0, 2000.123456789012345m, MarketType.Swap));
                await collector.OnTickerAsync(Tick.Event(swap, T0 + 20_000, 1970m, MarketType.Swap));
            }

            var reader = new SqliteAlertSink(db, "price_alerts");
            var rows = await reader.ReadAlertsAsync().ToListAsync();
            await reader.DisposeAsync();
            rows.Count.ShouldBe(2);
            rows[0].ShouldBe(new PriceAlert("binance", Tick.Btc, MarketType.Spot, T0, T0 + 10_000, 100m, 101.25m, 1.25m, PriceDirection.Up));
            rows[1].Symbol.ShouldBe(Symbol.Parse("ETH/USDT:USDT"));
            rows[1].MarketType.ShouldBe(MarketType.Swap);
            rows[1].FromPrice.ShouldBe(2000.123456789012345m); // exact beyond 15 digits
            rows[1].Direction.ShouldBe(PriceDirection.Down);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task WriteAlertsAsync_SameAlertTwice_KeepsOneRow()
    {
        var folder = Path.Combine(Path.GetTempPath(), "coinlake-alerts-" + Guid.NewGuid().ToString("N")[..10]);
        var db = Path.Combine(folder, "a.db");
        try
        {
            var alert = new PriceAlert("okx", Tick.Btc, MarketType.Spot, T0, T0 + 5, 100m, 98m, -2m, PriceDirection.Down);
            await using (var sink = new SqliteAlertSink(db))
            {
                (await sink.WriteAlertsAsync([alert])).ShouldBe(new Coinlake.Storage.UpsertResult(1, 0));
                (await sink.WriteAlertsAsync([alert])).ShouldBe(new Coinlake.Storage.UpsertResult(0, 1));
                (await sink.ReadAlertsAsync().ToListAsync()).ShouldBe([alert]);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task StartSnapshots_ThenBatchAndDispose_WritesOnTheTimerAndALastSnapshot()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0));
        var sink = new RecordingTickerSink();
        var collector = new TickerStreamCollector("binance", [sink], options: new TickerStreamOptions { SnapshotInterval = TimeSpan.FromSeconds(10) }, timeProvider: time);
        collector.StartSnapshots();

        await collector.OnTickersAsync([Tick.Event(T0, 100m), Tick.Event(T0 + 1, 100.5m)]);
        time.Advance(TimeSpan.FromSeconds(10));
        (await sink.NextCallAsync()).Tickers.Single().Last.ShouldBe(100.5m);
        await collector.OnTickersAsync([Tick.Event(T0 + 11_000, 101m)]);
        await collector.DisposeAsync();

        (await sink.NextCallAsync()).Tickers.Single().Last.ShouldBe(101m);
        Should.Throw<InvalidOperationException>(() =>
        {
            collector.StartSnapshots();
            collector.StartSnapshots();
        });
        await collector.DisposeAsync();
    }
}
