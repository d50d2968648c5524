using System.Globalization;
using Coinlake.Cli.Hosting;
using Coinlake.Pipeline.Tickers;
using Coinlake.Storage.Alerts;
using Coinlake.Tickers;
using Coinlake.Time;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Coinlake.Cli.Rendering;

/// <summary>
/// The live view of a <c>stream: tickers</c> task. On a terminal: a Spectre.Console live table of the most recently
/// updated symbols (last, bid, ask, 24 h change, update time) and the latest price alerts, redrawn at most
/// <see cref="TerminalRefresh"/> apart (4 times a second). Elsewhere (logs, CI): one plain summary line every
/// <see cref="CliContext.ProgressInterval"/>, plus one line per new alert. Reads the collector's snapshots
/// (<see cref="TickerStreamCollector.Latest"/>, <see cref="TickerStreamCollector.RecentAlerts"/>) at its own pace, so a
/// fast stream never waits for the screen.
/// </summary>
internal static class TickerTable
{
    /// <summary>Time between redraws of the terminal table.</summary>
    public static readonly TimeSpan TerminalRefresh = TimeSpan.FromMilliseconds(250);

    /// <summary>Symbols shown in the terminal table.</summary>
    public const int MaxRows = 25;

    /// <summary>Shows <paramref name="collector"/> until <paramref name="cancellationToken"/> fires, then draws once more and returns.</summary>
    public static async Task RunAsync(CliContext context, IAnsiConsole console, TickerStreamCollector collector, CancellationToken cancellationToken)
    {
        if (context.IsTerminal)
        {
            await console.Live(Build(collector, context.Time)).AutoClear(false).StartAsync(async live =>
            {
                await TickAsync(context.Time, TerminalRefresh, () =>
                {
                    live.UpdateTarget(Build(collector, context.Time));
                    live.Refresh();
                }, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return;
        }

        var printed = 0L;
        void Print()
        {
            var lines = PlainLines(collector, ref printed);
            lock (context.Error)
            {
                foreach (var line in lines)
                {
                    context.Error.WriteLine(line);
                }

                context.Error.Flush();
            }
        }

        await TickAsync(context.Time, context.ProgressInterval, Print, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The table: up to <see cref="MaxRows"/> most recently updated symbols, then the recent alerts, newest first.</summary>
    public static IRenderable Build(TickerStreamCollector collector, TimeProvider time)
    {
        var latest = collector.Latest;
        var table = new Table().Border(TableBorder.Simple)
            .Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{collector.Exchange} tickers: {latest.Count:N0} symbol(s), {collector.Updates:N0} update(s), {collector.Alerts:N0} alert(s) - {TimeRange.FormatTime(time.GetUtcNow().ToUnixTimeMilliseconds())}")));
        foreach (var column in new[] { "symbol", "last", "bid", "ask", "24h %", "updated" })
        {
            table.AddColumn(new TableColumn(column) { Alignment = column == "symbol" ? Justify.Left : Justify.Right });
        }

        foreach (var t in latest.Take(MaxRows))
        {
            table.AddRow(Markup.Escape(t.Symbol.ToString()), D(t.Last), D(t.Bid), D(t.Ask), Change(t.ChangePercent), Markup.Escape(TimeRange.FormatTime(t.Timestamp)));
        }

        var alerts = collector.RecentAlerts;
        if (alerts.Count == 0)
        {
            return table;
        }

        var alertTable = new Table().Border(TableBorder.Simple).Title("price alerts");
        foreach (var column in new[] { "symbol", "move", "from", "to", "window" })
        {
            alertTable.AddColumn(new TableColumn(column));
        }

        foreach (var a in alerts.Reverse())
        {
            alertTable.AddRow(
                Markup.Escape(a.Symbol.ToString()),
                Change(a.ChangePercent),
                D(a.FromPrice),
                D(a.ToPrice),
                Markup.Escape($"{TimeRange.FormatTime(a.WindowStart)} .. {TimeRange.FormatTime(a.WindowEnd)}"));
        }

        return new Rows(table, alertTable);
    }

    /// <summary>The plain lines for a non-terminal: a summary, then every alert raised since <paramref name="alertsPrinted"/> (updated).</summary>
    public static IReadOnlyList<string> PlainLines(TickerStreamCollector collector, ref long alertsPrinted)
    {
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"tickers {collector.Exchange}: {collector.Latest.Count:N0} symbol(s), {collector.Updates:N0} update(s), {collector.Snapshots:N0} snapshot(s) of {collector.Rows:N0} row(s), {collector.Alerts:N0} alert(s)"),
        };
        var total = collector.Alerts;
        var recent = collector.RecentAlerts;
        var fresh = (int)Math.Min(recent.Count, total - alertsPrinted);
        foreach (var a in recent.Skip(recent.Count - fresh))
        {
            lines.Add(AlertLine(a));
        }

        alertsPrinted = total;
        return lines;
    }

    /// <summary>One alert as a plain line.</summary>
    public static string AlertLine(PriceAlert a) =>
        string.Create(CultureInfo.InvariantCulture,
            $"alert {a.Exchange} {a.Symbol} {a.Direction.ToName()} {a.ChangePercent:+0.########;-0.########}% {a.FromPrice} -> {a.ToPrice} ({TimeRange.FormatTime(a.WindowStart)} .. {TimeRange.FormatTime(a.WindowEnd)})");

    private static async Task TickAsync(TimeProvider time, TimeSpan period, Action draw, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                draw();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: draw the final state below.
        }

        draw();
    }

    private static string D(decimal? value) => value is { } v ? Markup.Escape(v.ToString(CultureInfo.InvariantCulture)) : "-";

    private static string Change(decimal? percent) => percent switch
    {
        null => "-",
        > 0 => $"[green]+{percent.Value.ToString("0.##", CultureInfo.InvariantCulture)}[/]",
        < 0 => $"[red]{percent.Value.ToString("0.##", CultureInfo.InvariantCulture)}[/]",
        _ => "0",
    };
}
