using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;

namespace Coinlake.Benchmarks.Infrastructure;

/// <summary>
/// Adds the <see cref="CandlesPerSecondColumn"/>s, Median and Min to every suite (the machine is shared: the spread
/// matters), and a generous build timeout; the job comes from the suites' attributes.
/// </summary>
public sealed class CandleBenchConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public CandleBenchConfig()
    {
        AddColumn(
            StatisticColumn.Median,
            StatisticColumn.Min,
            CandlesPerSecondColumn.Measured,
            CandlesPerSecondColumn.Best,
            CandlesPerSecondColumn.Target);

        // The generated runner project rebuilds Core, Exchanges, Storage, Pipeline and Testing: on a shared 2-core
        // machine busy with other builds that takes longer than BenchmarkDotNet's default 2 minutes.
        WithBuildTimeout(TimeSpan.FromMinutes(15));
    }
}
