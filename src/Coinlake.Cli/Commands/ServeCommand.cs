using System.CommandLine;
using Coinlake.Cli.Hosting;
using Coinlake.Server;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coinlake.Cli.Commands;

/// <summary>
/// <c>coinlake serve [--urls URL] [--config FILE] [--tasks FILE] [--no-worker]</c>: the HTTP API (see
/// <see cref="CoinlakeServer"/>), running queued jobs and the task file's cron schedules itself unless
/// <c>--no-worker</c>. Prints <c>listening on URL</c> once ready; stops on Ctrl+C.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var urls = new Option<string?>("--urls") { Description = "Where to listen, e.g. http://127.0.0.1:8080 (default; loopback only) or http://0.0.0.0:8080." };
        var config = new Option<string?>("--config") { Description = "JSON settings file ({\"Coinlake\": {\"ApiKey\": ..., \"JobStore\": \"Postgres\", ...}})." };
        var tasks = new Option<string?>("--tasks") { Description = "YAML task file whose tasks with a 'schedule' run on it." };
        var noWorker = new Option<bool>("--no-worker") { Description = "Serve the API and queue jobs, but run none here (workers run them)." };
        var command = new Command("serve", "Run the HTTP API (ingest, jobs, candles, coverage) and, unless --no-worker, the jobs.") { urls, config, tasks, noWorker };
        command.SetAction((parse, cancellationToken) => ExecuteAsync(context, parse.GetValue(urls), parse.GetValue(config), parse.GetValue(tasks), parse.GetValue(noWorker), cancellationToken));
        return command;
    }

    private static async Task<int> ExecuteAsync(CliContext context, string? urls, string? config, string? tasks, bool noWorker, CancellationToken cancellationToken)
    {
        if (ServerHosting.LoadOptions(context, config, tasks) is not { } options)
        {
            return ExitCodes.Usage;
        }

        options.Urls = urls ?? options.Urls;
        options.RunJobs = options.RunJobs && !noWorker;
        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = CoinlakeServer.BuildWebApp(options, context.Time);
        }
        catch (InvalidOperationException ex)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            await context.Out.WriteLineAsync($"listening on {string.Join(" ", addresses)} ({(options.RunJobs ? "running jobs" : "not running jobs")}; job store {options.JobStore.ToString().ToLowerInvariant()})").ConfigureAwait(false);
            await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            await ServerHosting.WaitAsync(app.Lifetime, cancellationToken).ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }
}

/// <summary>Shared by <c>serve</c> and <c>worker</c>.</summary>
internal static class ServerHosting
{
    public static ServerOptions? LoadOptions(CliContext context, string? config, string? tasks)
    {
        try
        {
            var options = ServerOptionsLoader.Load(config, context.WorkingDirectory, context.GetEnvironmentVariable);
            options.TasksFile = tasks is null ? options.TasksFile : context.Resolve(tasks);
            if (options.TasksFile is not null)
            {
                // Fail fast with file:line:column messages rather than when the host starts.
                Pipeline.Tasks.TaskFileLoader.Load(Path.GetFullPath(options.TasksFile, context.WorkingDirectory), TaskFiles.Options());
            }

            return options;
        }
        catch (Pipeline.Tasks.TaskFileException ex)
        {
            TaskFiles.WriteErrorsAsync(context, ex).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidOperationException)
        {
            context.Error.WriteLine($"error: {ex.Message}");
            return null;
        }
    }

    /// <summary>Waits until Ctrl+C/SIGTERM (the command's token) or the host stops by itself.</summary>
    public static async Task WaitAsync(IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        var stopped = new TaskCompletionSource();
        using var a = lifetime.ApplicationStopping.Register(() => stopped.TrySetResult());
        using var b = cancellationToken.Register(() => stopped.TrySetResult());
        await stopped.Task.ConfigureAwait(false);
    }
}
