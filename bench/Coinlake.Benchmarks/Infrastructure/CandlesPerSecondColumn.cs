using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Coinlake.Benchmarks.Infrastructure;

/// <summary>
/// Throughput target of a benchmark, in candles (rows) per second; shown by <see cref="CandlesPerSecondColumn"/>
/// next to the measured figure.
/// </summary>
/// <param name="candlesPerSecond">The target, candles per second on one core.</param>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CandlesPerSecondTargetAttribute(double candlesPerSecond) : Attribute
{
    /// <summary>The target, candles per second.</summary>
    public double CandlesPerSecond { get; } = candlesPerSecond;
}

/// <summary>
/// Summary columns <c>Candles/s</c> (= 1 s / Mean; every suite sets <c>OperationsPerInvoke</c> to the rows handled
/// per invocation, so Mean is the time of one candle) and <c>Target</c> (from
/// <see cref="CandlesPerSecondTargetAttribute"/>, with the measured/target ratio).
/// </summary>
public sealed class CandlesPerSecondColumn : IColumn
{
    private readonly bool _target;

    private CandlesPerSecondColumn(bool target) => _target = target;

    /// <summary>The measured throughput column.</summary>
    public static IColumn Measured { get; } = new CandlesPerSecondColumn(false);

    /// <summary>The target column.</summary>
    public static IColumn Target { get; } = new CandlesPerSecondColumn(true);

    /// <inheritdoc/>
    public string Id => _target ? "CandlesPerSecondTarget" : "CandlesPerSecond";

    /// <inheritdoc/>
    public string ColumnName => _target ? "Target (ratio)" : "Candles/s";

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => _target ? 1 : 0;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend => _target
        ? "Target throughput in candles per second, and measured / target"
        : "Candles (rows) per second = 1 s / Mean (Mean is per candle: OperationsPerInvoke = rows per invocation)";

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        var measured = mean is > 0 ? 1e9 / mean.Value : double.NaN;
        if (!_target)
        {
            return double.IsNaN(measured) ? "NA" : measured.ToString("N0", CultureInfo.InvariantCulture);
        }

        var target = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<CandlesPerSecondTargetAttribute>()?.CandlesPerSecond;
        if (target is not { } t)
        {
            return "-";
        }

        var ratio = double.IsNaN(measured) ? "NA" : (measured / t).ToString("0.00", CultureInfo.InvariantCulture) + "x";
        return string.Create(CultureInfo.InvariantCulture, $"{t:N0} ({ratio})");
    }

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc/>
    public override string ToString() => ColumnName;
}
