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

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Gaps(long candles, long runs) =>
        candles == 0 ? "0" : string.Create(CultureInfo.InvariantCulture, $"{candles:N0} in {runs:N0} gap(s)");

    /// <summary>Formats an open time for tables.</summary>
    public static string Time(long? ms) => ms is null ? "-" : TimeRange.FormatTime(ms.Value);
}
