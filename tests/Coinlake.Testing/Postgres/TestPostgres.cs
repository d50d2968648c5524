using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Coinlake.Testing.Postgres;

/// <summary>
/// A real PostgreSQL server for tests, shared by every test of the process. Tests ask for a fresh database:
/// <code>var connectionString = await TestPostgres.CreateDatabaseAsync(nameof(MyTests));</code>
/// <para>
/// When <c>COINLAKE_TEST_PG</c> is set (a connection string of a user allowed to <c>CREATE DATABASE</c>), databases
/// are created on that server. Otherwise the first call starts a private throwaway cluster: <c>initdb</c> and
/// <c>pg_ctl</c> from <c>PATH</c> or <c>/usr/lib/postgresql/*/bin</c> (newest), run as the <c>postgres</c> user via
/// <c>runuser</c> when the tests run as root, a data folder in the temp folder, listening on 127.0.0.1 on a free port
/// with its unix socket in that folder, trust authentication, <c>fsync=off</c> (throwaway data). The cluster is
/// stopped and deleted when the process exits; clusters left by killed test processes are removed on the next start.
/// </para>
/// <para>
/// With neither, <see cref="SkipReason"/> says to run <c>./test.sh</c> (which installs Debian's <c>postgresql</c>);
/// tests use it as their skip message.
/// </para>
/// </summary>
public static partial class TestPostgres
{
    /// <summary>Environment variable with the connection string of an existing server to use instead of a private cluster.</summary>
    public const string EnvironmentVariable = "COINLAKE_TEST_PG";

    private const string FolderPrefix = "coinlake-pg-";
    private static readonly Lazy<string?> _binaries = new(FindBinaries);
    private static readonly Lazy<Task<string>> _admin = new(StartAsync);
    private static int _counter;

    /// <summary>
    /// Null when tests can get a database; otherwise why not and what to do (no <c>COINLAKE_TEST_PG</c> and no
    /// PostgreSQL server binaries: run <c>./test.sh</c>, which installs them, or set <c>COINLAKE_TEST_PG</c>).
    /// </summary>
    public static string? SkipReason =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable)) || _binaries.Value is not null
            ? null
            : $"PostgreSQL is not available: {EnvironmentVariable} is not set and no initdb/pg_ctl was found on PATH or in /usr/lib/postgresql/*/bin. " +
              "Run ./test.sh (it installs Debian's postgresql) or set COINLAKE_TEST_PG to a connection string of a server where the user may CREATE DATABASE.";

    /// <summary>
    /// Creates an empty database whose name starts with <paramref name="name"/> (lower-cased, non-alphanumerics as
    /// <c>_</c>, plus a unique suffix) and returns its connection string (keyword form, no password for the private
    /// cluster). Starts the private cluster on first use.
    /// </summary>
    /// <param name="name">A hint for the database name, e.g. the test class name.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <exception cref="InvalidOperationException">No PostgreSQL available (<see cref="SkipReason"/>), or the cluster failed to start (the message has its log).</exception>
    public static async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (SkipReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        var admin = await _admin.Value.WaitAsync(cancellationToken);
        var stem = NonIdentifier().Replace(name.ToLowerInvariant(), "_");
        var database = string.Create(
            CultureInfo.InvariantCulture,
            $"{stem[..Math.Min(stem.Length, 40)]}_{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}_{Guid.NewGuid().ToString("N")[..6]}");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
    }

    private static async Task<string> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return external;
        }

        var bin = _binaries.Value ?? throw new InvalidOperationException(SkipReason);
        var asRoot = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
        RemoveStaleClusters(bin, asRoot);
        var folder = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}"));
        var data = Path.Combine(folder, "data");
        var log = Path.Combine(folder, "server.log");
        if (asRoot)
        {
            await RunAsync(asRoot, "mkdir", ["-m", "700", folder]);
        }
        else
        {
            Directory.CreateDirectory(folder);
        }

        await RunAsync(asRoot, Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        string? failure = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePort();
            var options = string.Create(
                CultureInfo.InvariantCulture,
                $"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200");
            try
            {
                await RunAsync(asRoot, Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", log, "-w", "-t", "60", "-o", options, "start"]);
            }
            catch (InvalidOperationException e)
            {
                failure = e.Message + Environment.NewLine + ReadLog(log);
                continue;
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(bin, asRoot, folder);
            return new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = port,
                Username = "postgres",
                Database = "postgres",
                Pooling = true,
                IncludeErrorDetail = true,
            }.ConnectionString;
        }

        Stop(bin, asRoot, folder);
        throw new InvalidOperationException($"The test PostgreSQL cluster in {folder} did not start: {failure}");
    }

    /// <summary>The folder of initdb and pg_ctl: PATH first, then the newest /usr/lib/postgresql/N/bin.</summary>
    private static string? FindBinaries()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    /// <summary>Stops and deletes clusters of test processes that no longer run.</summary>
    private static void RemoveStaleClusters(string bin, bool asRoot)
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var parts = Path.GetFileName(folder)[FolderPrefix.Length..].Split('-');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
            {
                Stop(bin, asRoot, folder);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Stop(string bin, bool asRoot, string folder)
    {
        try
        {
            var data = Path.Combine(folder, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                RunAsync(asRoot, Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]).GetAwaiter().GetResult();
            }
        }
        catch (InvalidOperationException)
        {
            // Not running any more: only the folder is left.
        }

        // A separate rm: the test host may be killed while this process exit handler still runs, and rm then finishes the job
        // (a folder left behind anyway is removed by the next start).
        try
        {
            var rm = new ProcessStartInfo("rm") { UseShellExecute = false };
            rm.ArgumentList.Add("-rf");
            rm.ArgumentList.Add(folder);
            using var process = Process.Start(rm);
            process?.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string ReadLog(string log)
    {
        try
        {
            return File.Exists(log) ? File.ReadAllText(log) : "(no server log)";
        }
        catch (IOException)
        {
            return "(server log unreadable)";
        }
    }

    /// <summary>Runs a program (as the postgres user when <paramref name="asRoot"/>), failing with its output when it exits non-zero.</summary>
    private static async Task RunAsync(bool asRoot, string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(asRoot ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asRoot)
        {
            foreach (var a in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{program} {string.Join(' ', arguments)}'{(asRoot ? " (as user postgres)" : "")} failed with exit code {process.ExitCode}: {output}");
        }
    }

    [GeneratedRegex("[^a-z0-9_]", RegexOptions.CultureInvariant)]
    private static partial Regex NonIdentifier();
}
