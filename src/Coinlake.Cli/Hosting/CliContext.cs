namespace Coinlake.Cli.Hosting;

/// <summary>
/// What a command may touch outside itself: output streams, working folder, environment and clock. Tests run the
/// CLI in-process with their own context; <see cref="Program"/> uses the real console.
/// </summary>
public sealed class CliContext
{
    /// <summary>Standard output (reports, tables).</summary>
    public TextWriter Out { get; init; } = Console.Out;

    /// <summary>Standard error (logs, errors).</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>Folder relative paths are resolved against.</summary>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>Environment lookup (e.g. <c>COINLAKE_TASKS</c>).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>True when output goes to an interactive terminal: progress bars instead of periodic log lines.</summary>
    public bool IsTerminal { get; init; } = !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    /// <summary>Interval of the plain progress lines when output is not a terminal.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Creates the exchange client of a task instead of the built-in connectors (tests hand in scripted streams); null =
    /// the real connectors.
    /// </summary>
    public Func<Coinlake.Pipeline.Tasks.TaskDefinition, Coinlake.Exchanges.IExchangeClient>? CreateClient { get; init; }

    /// <summary>
    /// How long a run may take to stop after SIGINT/SIGTERM (streams flush and finish their heals) before the process
    /// exits anyway. Default 60 s.
    /// </summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Resolves <paramref name="path"/> against <see cref="WorkingDirectory"/>.</summary>
    public string Resolve(string path) => Path.GetFullPath(path, WorkingDirectory);
}

/// <summary>Process exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Every task succeeded (or the audit found no problem).</summary>
    public const int Ok = 0;

    /// <summary>A task failed (the others still ran), or <c>audit --strict</c> found problems.</summary>
    public const int Failed = 1;

    /// <summary>Invalid usage or an invalid task file.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by SIGINT/SIGTERM (128 + SIGINT).</summary>
    public const int Cancelled = 130;
}
