using System.CommandLine;
using System.Globalization;
using Coinlake.Cli.Hosting;
using Coinlake.Pipeline.Tasks;

namespace Coinlake.Cli.Commands;

/// <summary><c>coinlake validate FILE</c>: reports every problem of a task file with file:line:column.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "The YAML task file to check." };
        var command = new Command("validate", "Check a task file and report every problem with its line and column.") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = context.Resolve(parse.GetValue(file)!);
            if (!File.Exists(path))
            {
                await context.Error.WriteLineAsync($"error: task file '{path}' does not exist.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            try
            {
                var tasks = TaskFileLoader.Load(path, TaskFiles.Options());
                foreach (var task in tasks.Tasks)
                {
                    var series = task.Symbols.Count * task.Timeframes.Count;
                    await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"ok {task.Name}: {task.Mode.ToString().ToLowerInvariant()} {task.Exchange} {string.Join(",", task.Symbols)} {string.Join(",", task.Timeframes)} ({series} series) -> {string.Join(", ", task.Sinks.Select(s => $"{s.Format.ToString().ToLowerInvariant()} {s.Output}"))}")).ConfigureAwait(false);
                }

                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{path}: {tasks.Tasks.Count} task(s), valid")).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (TaskFileException ex)
            {
                await TaskFiles.WriteErrorsAsync(context, ex).ConfigureAwait(false);
                return ExitCodes.Usage;
            }
        });
        return command;
    }
}
