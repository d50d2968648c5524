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
    private readonly Kind _kind;

    private CandlesPerSecondColumn(Kind kind) => _kind = kind;

    private enum Kind
    {
        Mean,
        Best,
        Target,
    }

    /// <summary>The measured throughput column (from the mean).</summary>
    public static IColumn Measured { get; } = new CandlesPerSecondColumn(Kind.Mean);

    /// <summary>Throughput of the fastest iteration (from the minimum): on a shared, loaded machine the closest to what the code can do.</summary>
    public static IColumn Best { get; } = new CandlesPerSecondColumn(Kind.Best);

    /// <summary>The target column.</summary>
    public static IColumn Target { get; } = new CandlesPerSecondColumn(Kind.Target);

    /// <inheritdoc/>
    public string Id => "CandlesPerSecond" + _kind;

    /// <inheritdoc/>
    public string ColumnName => _kind switch
    {
        Kind.Target => "Target (mean/target)",
        Kind.Best => "Best candles/s",
        _ => "Candles/s",
    };

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => (int)_kind;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend => _kind switch
    {
        Kind.Target => "Target throughput in candles per second, and Candles/s / target",
        Kind.Best => "Candles per second of the fastest iteration = 1 s / Min",
        _ => "Candles (rows) per second = 1 s / Mean (Mean is per candle: OperationsPerInvoke = rows per invocation)",
    };

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        var nanoseconds = _kind == Kind.Best ? statistics?.Min : statistics?.Mean;
        var measured = nanoseconds is > 0 ? 1e9 / nanoseconds.Value : double.NaN;
        if (_kind != Kind.Target)
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
