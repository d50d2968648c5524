using System.Text.RegularExpressions;
using Coinlake.Pipeline.Tasks;

namespace Coinlake.Pipeline.Tests.Tasks;

/// <summary>The task files in the repository's examples/ folder are what users copy: each must load cleanly.</summary>
public sealed partial class ExampleTaskFilesTests
{
    public static TheoryData<string> ExampleFiles() => new(ExampleNames());

    private static List<string> ExampleNames()
    {
        var folder = Path.Combine(TaskFileTestSupport.RepositoryRoot(), "examples");
        return Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Select(f => Path.GetFileName(f))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    [Fact]
    public void ExamplesFolder_HoldsTheTranslatedSeedExamples()
    {
        var names = ExampleNames();

        names.ShouldContain("rest_binance_btc_1m_jan2024.yaml");
        names.ShouldContain("stream_okx_multi_ohlcv_sqlite.yaml");
        names.ShouldContain("stream_bybit_trades_to_ohlcv_csv.yaml");
        names.ShouldContain("stream_okx_btc_live_sqlite.yaml");
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Load_ExampleFile_Validates(string name)
    {
        var path = Path.Combine(TaskFileTestSupport.RepositoryRoot(), "examples", name);

        var file = TaskFileLoader.Load(path, TaskFileTestSupport.Options());

        file.Tasks.ShouldNotBeEmpty();
        // File outputs resolve next to the task file; a postgres output is a connection string or env:NAME, kept as written.
        file.Tasks.SelectMany(t => t.Sinks).Where(s => s.Format != SinkFormat.Postgres)
            .ShouldAllBe(s => s.Output.StartsWith(Path.GetDirectoryName(path)!, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void ExampleFile_UsesEnglishKeysOnly(string name)
    {
        var text = File.ReadAllText(Path.Combine(TaskFileTestSupport.RepositoryRoot(), "examples", name));
        var canonical = TaskKeys.Task.Where(kv => kv.Key == kv.Value).Select(kv => kv.Key).Concat(TaskKeys.Root.Keys).ToHashSet(StringComparer.Ordinal);

        var keys = KeyPattern().Matches(text).Select(m => m.Groups[1].Value).ToList();

        keys.ShouldNotBeEmpty();
        keys.Where(k => !canonical.Contains(k)).ShouldBeEmpty();
    }

    [GeneratedRegex(@"(?:^\s*(?:-\s+)?|[{,]\s*)([a-z_]+):", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
