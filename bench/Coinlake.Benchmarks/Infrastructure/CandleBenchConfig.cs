using BenchmarkDotNet.Configs;

namespace Coinlake.Benchmarks.Infrastructure;

/// <summary>Adds the <see cref="CandlesPerSecondColumn"/>s to every suite; the job comes from the attributes or the command line.</summary>
public sealed class CandleBenchConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public CandleBenchConfig() => AddColumn(CandlesPerSecondColumn.Measured, CandlesPerSecondColumn.Target);
}
