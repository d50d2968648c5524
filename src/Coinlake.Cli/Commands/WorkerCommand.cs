using System.CommandLine;
using Coinlake.Cli.Hosting;
using Coinlake.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coinlake.Cli.Commands;

/// <summary>
/// <c>coinlake worker [--config FILE] [--tasks FILE]</c>: runs queued jobs and the task file's cron schedules, no HTTP.
/// Any number of workers share one PostgreSQL job store (Quartz clustered): each job runs once, and a job of a worker
/// that dies is recovered by another. Prints <c>worker NODE started</c> once running; stops on Ctrl+C.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create(CliContext context)
    {
        var config = new Option<string?>("--config") { Description = "JSON settings file ({\"Coinlake\": {\"JobStore\": \"Postgres\", \"JobStoreConnectionString\": ...}})." };
        var tasks = new Option<string?>("--tasks") { Description = "YAML task file whose tasks with a 'schedule' run on it." };
        var command = new Command("worker", "Run queued jobs and scheduled tasks (no HTTP API); many workers can share a PostgreSQL job store.") { config, tasks };
        command.SetAction((parse, cancellationToken) => ExecuteAsync(context, parse.GetValue(config), parse.GetValue(tasks), cancellationToken));
        return command;
    }

    private static async Task<int> ExecuteAsync(CliContext context, string? config, string? tasks, CancellationToken cancellationToken)
    {
        if (ServerHosting.LoadOptions(context, config, tasks) is not { } options)
        {
            return ExitCodes.Usage;
        }

        IHost host;
        try
        {
            host = CoinlakeServer.BuildWorker(options, context.Time);
        }
        catch (InvalidOperationException ex)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using (host)
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            var scheduler = await host.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler(cancellationToken).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"worker {scheduler.SchedulerInstanceId} started (job store {options.JobStore.ToString().ToLowerInvariant()})").ConfigureAwait(false);
            await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            await ServerHosting.WaitAsync(host.Services.GetRequiredService<IHostApplicationLifetime>(), cancellationToken).ConfigureAwait(false);
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }
}
