using System.Diagnostics;

namespace Coinlake.Cli.Tests;

/// <summary>Runs the real <c>coinlake</c> executable as a child process.</summary>
internal static class CliProcess
{
    /// <summary>
    /// The CLI's own build output (tests/…/bin/CONFIG/net10.0 -> src/Coinlake.Cli/bin/CONFIG/net10.0): the copy in the
    /// test folder lacks the CLI's own dependency layout (this test project also pulls in ASP.NET Core's framework).
    /// </summary>
    public static string Executable()
    {
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = baseDirectory.Name;
        var configuration = baseDirectory.Parent!.Name;
        var root = baseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Coinlake.slnx")))
        {
            root = root.Parent;
        }

        root.ShouldNotBeNull("the repository root (Coinlake.slnx) was not found above the test binaries");
        var dll = Path.Combine(root.FullName, "src", "Coinlake.Cli", "bin", configuration, framework, "coinlake.dll");
        File.Exists(dll).ShouldBeTrue($"{dll} is missing: build src/Coinlake.Cli first");
        return dll;
    }

    /// <summary>Starts <c>dotnet coinlake.dll ARGS</c> in <paramref name="workingDirectory"/> with output captured.</summary>
    public static Process Start(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Executable());
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }
}
