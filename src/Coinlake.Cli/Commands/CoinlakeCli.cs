using System.CommandLine;
using Coinlake.Cli.Hosting;

namespace Coinlake.Cli.Commands;

/// <summary>
/// The <c>coinlake</c> command line (System.CommandLine): <c>run</c>, <c>validate</c>, <c>audit</c>.
/// Exit codes: 0 success, 1 a task failed (or <c>audit --strict</c> found problems), 2 invalid usage or task file,
/// 130 interrupted.
/// </summary>
public static class CoinlakeCli
{
    /// <summary>Parses <paramref name="args"/> and runs the command in <paramref name="context"/>.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("Coinlake: collect exact, complete, duplicate-free crypto market data (OHLCV) from exchanges.")
        {
            RunCommand.Create(context),
            ValidateCommand.Create(context),
            AuditCommand.Create(context),
            TradesToOhlcvCommand.Create(context),
            ReplayCommand.Create(context),
            CompactCommand.Create(context),
            ServeCommand.Create(context),
            WorkerCommand.Create(context),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await context.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync("Run 'coinlake --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        // SIGINT/SIGTERM cancel the token; streams then flush and finish their heals, which may take longer than the default 2 s.
        var configuration = new InvocationConfiguration { Output = context.Out, Error = context.Error, ProcessTerminationTimeout = context.StopTimeout };
        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await context.Error.WriteLineAsync("interrupted: buffered data was flushed; run again to resume.").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
    }
}
