using System.CommandLine;
using System.Globalization;
using Coinlake.Cli.Hosting;
using Coinlake.Cli.Rendering;
using Coinlake.Pipeline.Tasks;
using Coinlake.Storage.Parquet;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Coinlake.Cli.Commands;

/// <summary>
/// <c>coinlake compact [PATH] [--output DIR] [--delete-parts] [--recover] [--task NAME]</c>: merges the Parquet part files
/// streams write (<c>{task}.part-{yyyyMMdd_HHmmss}.parquet</c>, see <see cref="PartFiles"/>) into the monthly files of the
/// backfill layout (per series and month) with <see cref="ParquetPartCompactor"/>. PATH is the folder holding the parts,
/// or a task file: then every parquet sink of its stream tasks is compacted (its output folder and path template, that
/// task's parts only). Default PATH: <c>coinlake.yaml</c> when the current folder has one, else the current folder.
/// Idempotent; parts are deleted only with <c>--delete-parts</c>, after their rows are written. Exit codes: 0 done,
/// 1 a compaction failed, 2 invalid usage.
/// </summary>
internal static class CompactCommand
{
    public static Command Create(CliContext context)
    {
        var path = new Argument<string?>("path")
        {
            Description = $"Folder holding the part files, or a task file whose stream tasks' parquet sinks to compact (default: {TaskFiles.DefaultFileName} if present, else the current folder).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var output = new Option<string?>("--output", "-o") { Description = "Folder of the monthly files (default: the parts' folder)." };
        var deleteParts = new Option<bool>("--delete-parts") { Description = "Delete each part once its rows are written to the monthly files." };
        var recover = new Option<bool>("--recover") { Description = "Also compact the readable temporary parts a crash left (.NAME.tmp); only when no stream is writing to the folder." };
        var task = new Option<string?>("--task") { Description = "Only the parts of this task." };
        var command = new Command("compact", "Merge stream part files into the monthly Parquet files (de-duplicated, idempotent).") { path, output, deleteParts, recover, task };
        command.SetAction((parse, cancellationToken) => ExecuteAsync(
            context, parse.GetValue(path), parse.GetValue(output), parse.GetValue(deleteParts), parse.GetValue(recover), parse.GetValue(task), cancellationToken));
        return command;
    }

    private sealed record Job(string Label, string Folder, string? Output, string? Task, string? CandleTemplate);

    private static async Task<int> ExecuteAsync(CliContext context, string? path, string? output, bool deleteParts, bool recover, string? taskName, CancellationToken cancellationToken)
    {
        List<Job> jobs;
        try
        {
            jobs = Plan(context, path, output, taskName);
        }
        catch (TaskFileException ex)
        {
            await TaskFiles.WriteErrorsAsync(context, ex).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or ArgumentException)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(new TextWriterLoggerProvider(context.Error, LogLevel.Information, context.Time)));
        var console = Consoles.For(context);
        var table = new Table().Title("Compaction").Border(TableBorder.Simple);
        foreach (var column in new[] { "parts", "output", "part files", "candle rows", "candles new", "candles updated", "trade rows", "trades new", "trades updated", "deleted", "status" })
        {
            table.AddColumn(new TableColumn(column));
        }

        var failed = 0;
        var notes = new List<string>();
        foreach (var job in jobs)
        {
            var target = job.Output ?? job.Folder;
            try
            {
                var compactor = new ParquetPartCompactor(job.Folder, target, loggers.CreateLogger<ParquetPartCompactor>());
                var result = await compactor.CompactAsync(
                    new CompactionOptions { DeleteParts = deleteParts, RecoverLeftovers = recover, Task = job.Task, CandlePathTemplate = job.CandleTemplate },
                    cancellationToken).ConfigureAwait(false);
                table.AddRow(
                    Markup.Escape(job.Label), Markup.Escape(target), N(result.Parts), N(result.CandleRows), N(result.Candles.Inserted), N(result.Candles.Updated),
                    N(result.TradeRows), N(result.Trades.Inserted), N(result.Trades.Updated), N(result.DeletedParts.Count), "[green]ok[/]");
                notes.AddRange(result.RecoveredParts.Select(p => $"recovered {p} (left by an interrupted stream)"));
                notes.AddRange(result.SkippedTemporary.Select(p => $"skipped {p}: a part still open, or left by a crash (pass --recover when no stream is running)"));
                notes.AddRange(result.UnreadableLeftovers.Select(p => $"left {p}: unreadable (a crash during a write); delete it once you no longer need it"));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or global::Parquet.ParquetException)
            {
                failed++;
                table.AddRow(Markup.Escape(job.Label), Markup.Escape(target), "", "", "", "", "", "", "", "", "[red]failed[/]");
                notes.Add($"error {job.Label}: {ex.Message} (no part was deleted)");
            }
        }

        console.Write(table);
        foreach (var note in notes)
        {
            console.MarkupLine($"[yellow]note[/] {Markup.Escape(note)}");
        }

        return failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static List<Job> Plan(CliContext context, string? path, string? output, string? taskName)
    {
        var resolvedOutput = output is null ? null : context.Resolve(output);
        string target;
        if (path is null)
        {
            var local = Path.Combine(context.WorkingDirectory, TaskFiles.DefaultFileName);
            target = File.Exists(local) ? local : context.WorkingDirectory;
        }
        else
        {
            target = context.Resolve(path);
        }

        if (Directory.Exists(target))
        {
            return [new Job(target, target, resolvedOutput, taskName, null)];
        }

        if (!File.Exists(target))
        {
            throw new FileNotFoundException($"'{target}' is neither a folder of part files nor a task file; give the output folder of a stream task's parquet sink, or its task file.", target);
        }

        if (!target.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) && !target.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{target}' is a file; give the folder holding the part files (*.part-*.parquet), or a task file (.yaml).");
        }

        var file = TaskFileLoader.Load(target, TaskFiles.Options());
        var jobs = new List<Job>();
        foreach (var task in file.Tasks.Where(t => t.Mode == TaskMode.Stream && (taskName is null || string.Equals(t.Name, taskName, StringComparison.Ordinal))))
        {
            foreach (var sink in task.Sinks.Where(s => s.Format == SinkFormat.Parquet))
            {
                jobs.Add(new Job(string.Create(CultureInfo.InvariantCulture, $"{task.Name} ({sink.Output})"), sink.Output, resolvedOutput, task.Name, sink.PathTemplate));
            }
        }

        return jobs.Count > 0
            ? jobs
            : throw new ArgumentException(taskName is null
                ? $"{target} has no stream task with a parquet sink; nothing writes part files there."
                : $"{target} has no stream task '{taskName}' with a parquet sink.");
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
