using System.Globalization;
using Coinlake.Cli.Hosting;
using Coinlake.Cli.Rendering;
using Coinlake.Markets;
using Coinlake.Pipeline.Tickers;
using Coinlake.Streaming;
using Coinlake.Tickers;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Cli.Tests;

public sealed class TickerTableTests
{
    private const long T0 = 1_700_000_000_000;

    private static TickerEvent Event(string symbol, long at, decimal last, decimal? change = null) =>
        new(StreamSubscription.Tickers(Symbol.Parse(symbol), MarketType.Spot), at, new Ticker(Symbol.Parse(symbol), at, last, last - 0.01m, last + 0.01m, null, null, null, null, null, null, change));

    private static async Task<TickerStreamCollector> CollectorWithAlertAsync()
    {
        var collector = new TickerStreamCollector("binance", [], options: new TickerStreamOptions { AlertPercent = 1m });
        await collector.OnTickerAsync(Event("BTC/USDT", T0, 100m, 2.5m));
        await collector.OnTickerAsync(Event("ETH/USDT", T0 + 1, 2000m, -1.25m));
        await collector.OnTickerAsync(Event("BTC/USDT", T0 + 2_000, 98.5m, 1m));
        return collector;
    }

    [Fact]
    public async Task Build_TerminalTable_ShowsEachSymbolAndTheAlert()
    {
        var collector = await CollectorWithAlertAsync();
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var console = Consoles.For(new CliContext { Out = output, IsTerminal = false });

        console.Write(TickerTable.Build(collector, new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0))));

        var text = output.ToString();
        text.ShouldContain("binance tickers: 2 symbol(s), 3 update(s), 1 alert(s)");
        text.ShouldContain("BTC/USDT");
        text.ShouldContain("98.5");
        text.ShouldContain("ETH/USDT");
        text.ShouldContain("-1.25");
        text.ShouldContain("price alerts");
        text.ShouldContain("-1.5");
    }

    [Fact]
    public async Task PlainLines_PrintsEachAlertOnce()
    {
        var collector = await CollectorWithAlertAsync();
        long printed = 0;

        var first = TickerTable.PlainLines(collector, ref printed);
        var second = TickerTable.PlainLines(collector, ref printed);

        first.Count.ShouldBe(2);
        first[0].ShouldStartWith("tickers binance: 2 symbol(s), 3 update(s)");
        first[1].ShouldBe("alert binance BTC/USDT down -1.5% 100 -> 98.5 (2023-11-14T22:13:20Z .. 2023-11-14T22:13:22Z)");
        second.Count.ShouldBe(1);
    }

    [Fact]
    public async Task RunAsync_NotATerminal_WritesPlainLinesEveryIntervalAndOnStop()
    {
        var collector = await CollectorWithAlertAsync();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0));
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var context = new CliContext { Out = TextWriter.Null, Error = error, IsTerminal = false, Time = time, ProgressInterval = TimeSpan.FromSeconds(5) };
        using var stop = new CancellationTokenSource();

        var run = TickerTable.RunAsync(context, Consoles.For(context), collector, stop.Token);
        time.Advance(TimeSpan.FromSeconds(5));
        await stop.CancelAsync();
        await run;

        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Count(l => l.StartsWith("tickers binance", StringComparison.Ordinal)).ShouldBeInRange(1, 2);
        lines.Count(l => l.StartsWith("alert binance", StringComparison.Ordinal)).ShouldBe(1);
    }
}
