using System.Collections.Concurrent;
using System.Globalization;
using Coinlake.Pipeline.Backfill;
using Spectre.Console;

namespace Coinlake.Cli.Rendering;

/// <summary>Progress bars on a terminal (Spectre.Console): one bar per series, candles done / expected, rate, ETA.</summary>
internal sealed class TerminalProgress(ProgressContext context, TimeProvider time) : IProgress<BackfillProgress>
{
    private readonly ConcurrentDictionary<string, (ProgressTask Bar, long Started)> _bars = new(StringComparer.Ordinal);

    public void Report(BackfillProgress value)
    {
        var key = $"{value.Task} {value.Series}";
        var (bar, started) = _bars.GetOrAdd(key, k => (context.AddTask(Markup.Escape(k), autoStart: true, maxValue: Math.Max(1, value.Expected)), time.GetTimestamp()));
        bar.MaxValue = Math.Max(1, value.Expected);
        bar.Value = value.Expected == 0 ? 1 : value.Done;
        var elapsed = time.GetElapsedTime(started).TotalSeconds;
        var rate = elapsed > 0 ? value.Done / elapsed : 0;
        bar.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{key}  {value.Done:N0}/{value.Expected:N0}  {rate:N0}/s"));
    }

    /// <summary>Runs <paramref name="body"/> under live progress bars written to <paramref name="console"/>.</summary>
    public static Task<T> RunAsync<T>(IAnsiConsole console, TimeProvider time, Func<IProgress<BackfillProgress>, Task<T>> body) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(ctx => body(new TerminalProgress(ctx, time)));
}
