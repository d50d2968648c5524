using Coinlake.Exchanges;
using Coinlake.Pipeline.Tasks;

namespace Coinlake.Cli.Hosting;

/// <summary>Finding, loading and reporting task files for the commands.</summary>
internal static class TaskFiles
{
    /// <summary>The file <c>coinlake run</c> uses when none is given.</summary>
    public const string DefaultFileName = "coinlake.yaml";

    /// <summary>Environment variable selecting tasks by name (comma separated), like the seed's <c>TASKS</c>.</summary>
    public const string TasksVariable = "COINLAKE_TASKS";

    public static TaskFileOptions Options() => new() { KnownExchanges = ExchangeRegistry.KnownExchanges.ToHashSet(StringComparer.Ordinal) };

    public static async Task WriteErrorsAsync(CliContext context, TaskFileException exception)
    {
        foreach (var error in exception.Errors)
        {
            await context.Error.WriteLineAsync($"{error.Location}: error: {error.Message}").ConfigureAwait(false);
        }

        await context.Error.WriteLineAsync($"{exception.Errors.Count} error(s); fix them and run again (coinlake validate FILE checks a file).").ConfigureAwait(false);
    }
}
