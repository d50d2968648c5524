using Coinlake.Pipeline.Tasks;

namespace Coinlake.Pipeline.Tests.Tasks;

/// <summary>Shared helpers: a fixed clock, a fixed task-file path, parse and error shortcuts.</summary>
internal static class TaskFileTestSupport
{
    public static readonly DateTimeOffset Now = new(2025, 3, 10, 14, 37, 12, TimeSpan.Zero);

    public static readonly string Folder = Path.Combine(Path.GetTempPath(), "coinlake-task-tests");

    public static readonly string FilePath = Path.Combine(Folder, "tasks.yaml");

    public static TaskFileOptions Options() => new()
    {
        Time = new FixedTimeProvider(Now),
        HomeDirectory = Path.Combine(Path.GetTempPath(), "coinlake-home"),
    };

    public static TaskFile Parse(string yaml) => TaskFileLoader.Parse(yaml, FilePath, Options());

    public static TaskDefinition ParseOne(string yaml) => Parse(yaml).Tasks.ShouldHaveSingleItem();

    public static IReadOnlyList<TaskFileError> Errors(string yaml) =>
        Should.Throw<TaskFileException>(() => Parse(yaml)).Errors;

    public static TaskFileError SingleError(string yaml) => Errors(yaml).ShouldHaveSingleItem();

    /// <summary>A valid rest task with <paramref name="extra"/> lines appended (each indented by 4 spaces).</summary>
    public static string Task(params string[] extra) =>
        "version: 1\ntasks:\n  - name: t1\n    exchange: binance\n" + string.Concat(extra.Select(l => "    " + l + "\n"));

    /// <summary>A valid rest task (symbol, timeframe, start) with <paramref name="extra"/> lines appended.</summary>
    public static string RestTask(params string[] extra) =>
        Task(["symbol: BTC/USDT", "timeframe: 1m", "start: 2024-01-01", .. extra]);

    /// <summary>The repository root (the folder holding Coinlake.slnx), found by walking up from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Coinlake.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Coinlake.slnx above {AppContext.BaseDirectory}; run the tests from a checkout of the repository.");
    }

}

/// <summary>A clock stopped at one instant.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
