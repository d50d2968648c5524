using Coinlake.Pipeline.Tickers;
using System.CommandLine;
using Coinlake.Cli.Hosting;
using Coinlake.Server.Hosting;
using Coinlake.Cli.Rendering;
using Coinlake.Pipeline.Backfill;
using Coinlake.Pipeline.Reports;
using Coinlake.Pipeline.Tasks;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Coinlake.Cli.Commands;

/// <summary>
/// <c>coinlake run [FILE] [--tasks a,b] [--refresh]</c>: runs the tasks of a YAML file (default <c>coinlake.yaml</c> in
/// the current folder, else a built-in default: a few major Binance pairs, 1h, last 30 days, into
/// <c>data/coinlake.db</c>). A re-run fetches only what is missing. Stream tasks (<c>mode: stream</c>) run until their
/// <c>duration</c> or SIGINT/SIGTERM, which stops them cleanly (everything received is written, the report is printed).
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string?>("file")
        {
            Description = $"YAML task file (default: {TaskFiles.DefaultFileName} in the current folder, else the built-in default tasks).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var tasks = new Option<string?>("--tasks") { Description = $"Run only these tasks (comma separated names); also from ${TaskFiles.TasksVariable}." };
        var refresh = new Option<bool>("--refresh") { Description = "Fetch every range again, ignoring what is stored and ranges known to be empty." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log every page plan and series result." };
        var command = new Command("run", "Run a task file: REST backfills (re-runs fetch only what is missing), live streams and ticker snapshots.") { file, tasks, refresh, verbose };
        command.SetAction((parse, cancellationToken) => ExecuteAsync(
            context, parse.GetValue(file), parse.GetValue(tasks), parse.GetValue(refresh), parse.GetValue(verbose), cancellationToken));
        return command;
    }

    private static async Task<int> ExecuteAsync(CliContext context, string? file, string? taskNames, bool refresh, bool verbose, CancellationToken cancellationToken)
    {
        TaskFile taskFile;
        IReadOnlyList<TaskDefinition> selected;
        try
        {
            taskFile = Load(context, file);
            var names = taskNames ?? context.GetEnvironmentVariable(TaskFiles.TasksVariable);
            var list = string.IsNullOrWhiteSpace(names)
                ? null
                : names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            selected = TaskFileLoader.Select(taskFile, list);
        }
        catch (TaskFileException ex)
        {
            await TaskFiles.WriteErrorsAsync(context, ex).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (FileNotFoundException ex)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var minimum = verbose || !context.IsTerminal ? LogLevel.Information : LogLevel.Warning;
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(minimum).AddProvider(new TextWriterLoggerProvider(context.Error, minimum, context.Time)));
        var collectors = new TaskCompletionSource<TickerStreamCollector>(TaskCreationOptions.RunContinuationsAsynchronously);
        var components = new DefaultTaskComponents(context.Time, loggers, context.GetEnvironmentVariable, context.CreateClient)
        {
            OnTickerCollector = collector => collectors.TrySetResult(collector),
        };
        var runner = new TaskRunner(components, context.Time, loggers);
        var options = new BackfillOptions { Refresh = refresh };
        var console = Consoles.For(context);

        RunReport report;
        if (selected.All(t => t.Mode == TaskMode.Stream && t.Stream == "tickers"))
        {
            // A ticker collector: its live table (plain summary and alert lines when not on a terminal) instead of progress bars.
            using var stopTable = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var table = ShowTickersAsync(context, console, collectors.Task, stopTable.Token);
            report = await runner.RunAsync(selected, options, null, cancellationToken).ConfigureAwait(false);
            await stopTable.CancelAsync().ConfigureAwait(false);
            await table.ConfigureAwait(false);
        }
        else if (context.IsTerminal)
        {
            report = await TerminalProgress.RunAsync(console, context.Time, progress => runner.RunAsync(selected, options, progress, cancellationToken)).ConfigureAwait(false);
        }
        else
        {
            var progress = new PlainProgress(context.Error, context.Time, context.ProgressInterval);
            await using (progress.ConfigureAwait(false))
            {
                report = await runner.RunAsync(selected, options, progress, cancellationToken).ConfigureAwait(false);
            }
        }

        ReportRenderer.Write(console, report);
        return report.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static TaskFile Load(CliContext context, string? file)
    {
        if (file is not null)
        {
            var path = context.Resolve(file);
            return File.Exists(path)
                ? TaskFileLoader.Load(path, TaskFiles.Options())
                : throw new FileNotFoundException($"task file '{path}' does not exist; give an existing YAML file, or none to use {TaskFiles.DefaultFileName} or the built-in default.", path);
        }

        var local = Path.Combine(context.WorkingDirectory, TaskFiles.DefaultFileName);
        return File.Exists(local)
            ? TaskFileLoader.Load(local, TaskFiles.Options())
            : TaskFileLoader.Default(context.WorkingDirectory, context.Time);
    }

    private static async Task ShowTickersAsync(CliContext context, IAnsiConsole console, Task<TickerStreamCollector> collector, CancellationToken cancellationToken)
    {
        try
        {
            var shown = await collector.WaitAsync(cancellationToken).ConfigureAwait(false);
            await TickerTable.RunAsync(context, console, shown, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The run ended (or never created a collector: the task failed first).
        }
    }
}
