using System.Diagnostics;
using Coinlake.Candles;
using Coinlake.Storage;
using Coinlake.Time;

namespace Coinlake.Benchmarks.EndToEnd;

/// <summary>
/// Wraps a sink and adds up the wall time spent in each of its calls, so the end-to-end run can say how much of
/// the writer's time went to storage (the rest is waiting for pages, validation and bookkeeping).
/// </summary>
/// <param name="inner">The measured sink; disposed with this one.</param>
public sealed class TimingSink(ICandleSink inner) : ICandleSink
{
    private long _upsertTicks;
    private long _otherTicks;

    /// <summary>Total time inside <see cref="UpsertAsync"/>.</summary>
    public TimeSpan UpsertTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _upsertTicks));

    /// <summary>Total time inside coverage reads, <see cref="MarkEmptyAsync"/> and <see cref="FlushAsync"/>.</summary>
    public TimeSpan OtherTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _otherTicks));

    /// <inheritdoc/>
    public string Description => inner.Description;

    /// <inheritdoc/>
    public async ValueTask<SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await inner.GetCoverageAsync(series, range, cancellationToken);
        }
        finally
        {
            Interlocked.Add(ref _otherTicks, Stopwatch.GetTimestamp() - start);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await inner.UpsertAsync(series, candles, cancellationToken);
        }
        finally
        {
            Interlocked.Add(ref _upsertTicks, Stopwatch.GetTimestamp() - start);
        }
    }

    /// <inheritdoc/>
    public async ValueTask MarkEmptyAsync(SeriesKey series, IReadOnlyList<TimeRange> ranges, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await inner.MarkEmptyAsync(series, ranges, cancellationToken);
        }
        finally
        {
            Interlocked.Add(ref _otherTicks, Stopwatch.GetTimestamp() - start);
        }
    }

    /// <inheritdoc/>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await inner.FlushAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Add(ref _otherTicks, Stopwatch.GetTimestamp() - start);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
