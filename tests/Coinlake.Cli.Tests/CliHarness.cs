using System.Globalization;
using Coinlake.Cli.Commands;
using Coinlake.Cli.Hosting;

namespace Coinlake.Cli.Tests;

/// <summary>Runs the CLI in-process in a temporary working folder and captures its output.</summary>
internal sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "coinlake-cli-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public string Path(string relative) => System.IO.Path.Combine(Directory, relative);

    public string WriteFile(string name, string content)
    {
        var path = Path(name);
        File.WriteAllText(path, content);
        return path;
    }

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>Runs the CLI in-process; <paramref name="cancellationToken"/> does what SIGINT/SIGTERM do.</summary>
    public async Task<CliResult> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var context = new CliContext
        {
            Out = output,
            Error = error,
            WorkingDirectory = Directory,
            GetEnvironmentVariable = name => Environment.GetValueOrDefault(name),
            IsTerminal = false,
            ProgressInterval = TimeSpan.FromMilliseconds(200),
        };
        var code = await CoinlakeCli.RunAsync(args, context, cancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public void Dispose()
    {
        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- out ---\n{Out}\n--- err ---\n{Error}";
}
