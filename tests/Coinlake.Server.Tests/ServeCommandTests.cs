using System.Text;
using System.Text.RegularExpressions;
using Coinlake.Cli.Commands;
using Coinlake.Cli.Hosting;

namespace Coinlake.Server.Tests;

/// <summary><c>coinlake serve</c> and <c>coinlake worker</c> through the command line, in-process.</summary>
public sealed partial class ServeCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "coinlake-serve-tests", Guid.NewGuid().ToString("N"));
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    public ServeCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private CliContext Context(params (string Name, string Value)[] environment) => new()
    {
        Out = TextWriter.Synchronized(_out),
        Error = TextWriter.Synchronized(_error),
        WorkingDirectory = _folder,
        IsTerminal = false,
        GetEnvironmentVariable = name => environment.FirstOrDefault(e => e.Name == name).Value,
    };

    [Fact]
    public async Task Serve_StartsListensAndStopsOnCancel()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var run = CoinlakeCli.RunAsync(["serve", "--urls", "http://127.0.0.1:0", "--no-worker"], Context(("COINLAKE_API_KEY", "k")), stop.Token);
        var deadline = Environment.TickCount64 + 60_000;
        Match match;
        while (!(match = Listening().Match(_out.ToString())).Success)
        {
            Environment.TickCount64.ShouldBeLessThan(deadline, _error.ToString());
            run.IsCompleted.ShouldBeFalse(_error.ToString());
            await Task.Delay(50);
        }

        using var client = new HttpClient { BaseAddress = new Uri(match.Groups[1].Value) };
        using var live = await client.GetAsync("/health/live");
        using var unauthorized = await client.PostAsync("/api/ingest", new StringContent("{}", Encoding.UTF8, "application/json"));
        await stop.CancelAsync();
        var exit = await run;

        live.IsSuccessStatusCode.ShouldBeTrue();
        ((int)unauthorized.StatusCode).ShouldBe(401, "COINLAKE_API_KEY from the environment protects writes");
        _out.ToString().ShouldContain("not running jobs");
        exit.ShouldBe(ExitCodes.Ok);
    }

    [Fact]
    public async Task Serve_MissingConfigFile_ExitsWithUsageError()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var exit = await CoinlakeCli.RunAsync(["serve", "--urls", "http://127.0.0.1:0", "--config", "nope.json"], Context(), timeout.Token);

        exit.ShouldBe(ExitCodes.Usage);
        _error.ToString().ShouldContain("nope.json' does not exist");
    }

    [Fact]
    public async Task Worker_InvalidTaskFile_ReportsFileLineColumnAndExitsWithUsageError()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "tasks.yaml"), """
            version: 1
            tasks:
              - name: t
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1h
                start: 2024-01-01
                schedule: "0 9 * *"
            """);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var exit = await CoinlakeCli.RunAsync(["worker", "--tasks", "tasks.yaml"], Context(), timeout.Token);

        exit.ShouldBe(ExitCodes.Usage);
        _error.ToString().ShouldContain("tasks.yaml:8:");
        _error.ToString().ShouldContain("has 4 field(s)");
    }

    [Fact]
    public async Task Serve_PostgresWithoutConnectionString_ExitsWithUsageError()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "server.json"), """{"Coinlake": {"JobStore": "Postgres"}}""");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var exit = await CoinlakeCli.RunAsync(["serve", "--urls", "http://127.0.0.1:0", "--config", "server.json"], Context(), timeout.Token);

        exit.ShouldBe(ExitCodes.Usage);
        _error.ToString().ShouldContain("JobStoreConnectionString is required");
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex Listening();
}
