using System.Globalization;
using Coinlake.Pipeline.Reports;
using Coinlake.Time;
using Spectre.Console;

namespace Coinlake.Cli.Rendering;

/// <summary>Prints the run report: per task and series rows fetched, inserted, updated, requests, retries, gaps left, duration.</summary>
internal static class ReportRenderer
{
    public static void Write(IAnsiConsole console, RunReport report)
    {
        var table = new Table().Title("Run report").Border(TableBorder.Simple);
        foreach (var column in new[] { "task", "series", "fetched", "inserted", "updated", "requests", "retries", "rate limited", "missing", "exchange empty", "duration", "status" })
        {
            table.AddColumn(new TableColumn(column));
        }

        foreach (var task in report.Tasks)
        {
            var status = task.Succeeded ? "[green]ok[/]" : "[red]failed[/]";
            var duration = task.Duration.ToString(@"hh\:mm\:ss\.f", CultureInfo.InvariantCulture);
            table.AddRow(
                Markup.Escape(task.Name), "(all)", N(task.Fetched), N(task.Inserted), N(task.Updated), N(task.Requests),
                N(task.Retries), N(task.RateLimited), Gaps(task.RemainingMissing, task.RemainingGapRuns), "", duration, status);
            foreach (var trades in task.TradeSeries)
            {
                table.AddRow(
                    "", Markup.Escape($"{trades.Series} trades"), N(trades.Fetched), N(trades.Inserted), N(trades.Updated), "", "", "", "", "", "", "");
            }

            if (task.TickerSnapshots > 0)
            {
                table.AddRow("", Markup.Escape($"{task.TickerSnapshots} ticker snapshot(s)"), N(task.TickerRows), "", "", "", "", "", "", "", "", "");
            }

            if (task.Stream is { } stream)
            {
                table.AddRow(
                    "", Markup.Escape($"stream: {stream.Reconnects:N0} reconnect(s), {stream.HealedWindows:N0} healed"), N(stream.Events),
                    N(stream.CandlesInserted + stream.TradesInserted), N(stream.CandlesUpdated + stream.TradesUpdated), "", "", "",
                    stream.UnhealedWindows.Count == 0 ? "0" : string.Create(CultureInfo.InvariantCulture, $"{stream.UnhealedWindows.Count:N0} window(s)"), "", "", "");
            }

            foreach (var series in task.Series)
            {
                table.AddRow(
                    "", Markup.Escape(series.Series.ToString()), N(series.Fetched), N(series.Inserted), N(series.Updated), "", "", "",
                    Gaps(series.RemainingGaps.Sum(g => g.MissingCandles), series.RemainingGaps.Count), N(series.KnownEmpty), "", "");
            }
        }

        console.Write(table);
        foreach (var task in report.Tasks)
        {
            foreach (var note in task.Notes)
            {
                console.MarkupLine($"[yellow]note[/] {Markup.Escape(task.Name)}: {Markup.Escape(note)}");
            }

            if (task.Stream is { } summary)
            {
                console.MarkupLine(Markup.Escape(StreamSummary(task.Name, summary)));
                foreach (var window in summary.UnhealedWindows.Take(10))
                {
                    console.MarkupLine($"[yellow]unhealed[/] {Markup.Escape(window.Series)}: {Markup.Escape(window.Window.ToString())}: {Markup.Escape(window.Reason)}");
                }
            }

            if (task.Error is not null)
            {
                console.MarkupLine($"[red]error[/] {Markup.Escape(task.Name)}: {Markup.Escape(task.Error)}");
            }

            foreach (var series in task.Series.Where(s => s.RemainingGaps.Count > 0))
            {
                foreach (var gap in series.RemainingGaps.Take(5))
                {
                    console.MarkupLine($"[yellow]gap[/] {Markup.Escape(series.Series.ToString())}: {gap.MissingCandles:N0} candle(s) {Markup.Escape(gap.Range.ToString())}");
                }
            }
        }

        var failed = report.Tasks.Count(t => !t.Succeeded);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Tasks.Count - failed} task(s) succeeded, {failed} failed"));
    }

    /// <summary>One line with every counter of a stream task.</summary>
    public static string StreamSummary(string task, StreamReport s) => string.Create(
        CultureInfo.InvariantCulture,
        $"stream {task}: {s.Events:N0} events; candles {s.CandlesInserted:N0} new, {s.CandlesUpdated:N0} updated; trades {s.TradesInserted:N0} new, {s.TradesUpdated:N0} updated; tickers {s.Tickers:N0}; {s.Reconnects:N0} reconnect(s); healed {s.HealedWindows:N0} window(s) ({s.HealedCandles:N0} candles, {s.HealedTrades:N0} trades), {s.HealFailures:N0} failed attempt(s), {s.UnhealedWindows.Count:N0} unhealed; late trades {s.LateTrades:N0}; invalid candles {s.InvalidCandles:N0}; malformed frames {(s.MalformedFrames is { } m ? m.ToString("N0", CultureInfo.InvariantCulture) : "unknown")}");

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Gaps(long candles, long runs) =>
        candles == 0 ? "0" : string.Create(CultureInfo.InvariantCulture, $"{candles:N0} in {runs:N0} gap(s)");

    /// <summary>Formats an open time for tables.</summary>
    public static string Time(long? ms) => ms is null ? "-" : TimeRange.FormatTime(ms.Value);
}
