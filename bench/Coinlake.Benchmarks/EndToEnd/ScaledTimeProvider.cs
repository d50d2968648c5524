using System.Diagnostics;
using System.Globalization;

namespace Coinlake.Benchmarks.EndToEnd;

/// <summary>
/// A clock that runs <see cref="Factor"/> times faster than real time, timers included: at real time
/// <see cref="RealOrigin"/> it reads <see cref="VirtualOrigin"/>, and every real second later it has advanced
/// <see cref="Factor"/> seconds. Because it is defined from the system clock, two processes given the same
/// (origins, factor) read the same time, so the benchmark's client and its fake server (a child process) share
/// one accelerated clock and the same minute windows. The idea of the exchange tests' <c>AcceleratedTimeProvider</c>,
/// made reproducible across processes.
/// </summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _virtualAtStart;

    /// <summary>Creates the clock.</summary>
    /// <param name="realOrigin">A real (system) instant.</param>
    /// <param name="virtualOrigin">What the clock reads at <paramref name="realOrigin"/>.</param>
    /// <param name="factor">Speed-up, above 0 (20 = a minute passes in 3 real seconds).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is not positive.</exception>
    public ScaledTimeProvider(DateTimeOffset realOrigin, DateTimeOffset virtualOrigin, double factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factor);
        RealOrigin = realOrigin;
        VirtualOrigin = virtualOrigin;
        Factor = factor;
        _virtualAtStart = VirtualOrigin + ((System.GetUtcNow() - RealOrigin) * Factor);
    }

    /// <summary>The real instant the clock is anchored at.</summary>
    public DateTimeOffset RealOrigin { get; }

    /// <summary>The clock's reading at <see cref="RealOrigin"/>.</summary>
    public DateTimeOffset VirtualOrigin { get; }

    /// <summary>Virtual seconds per real second.</summary>
    public double Factor { get; }

    /// <summary>The definition as one line, <c>CLOCK &lt;realTicks&gt; &lt;virtualTicks&gt; &lt;factor&gt;</c>, for <see cref="Parse"/>.</summary>
    public string Definition => string.Create(CultureInfo.InvariantCulture, $"CLOCK {RealOrigin.UtcTicks} {VirtualOrigin.UtcTicks} {Factor:R}");

    /// <summary>Reads a <see cref="Definition"/> line.</summary>
    /// <exception cref="FormatException">The line is not <c>CLOCK realTicks virtualTicks factor</c>.</exception>
    public static ScaledTimeProvider Parse(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 4 || parts[0] != "CLOCK"
            || !long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var real)
            || !long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var virtualTicks)
            || !double.TryParse(parts[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var factor))
        {
            throw new FormatException($"Expected 'CLOCK <realTicks> <virtualTicks> <factor>', got '{line}'.");
        }

        return new ScaledTimeProvider(new DateTimeOffset(real, TimeSpan.Zero), new DateTimeOffset(virtualTicks, TimeSpan.Zero), factor);
    }

    /// <inheritdoc/>
    /// <remarks>Advances with the monotonic stopwatch from the reading at construction (no jumps if the system clock is adjusted).</remarks>
    public override DateTimeOffset GetUtcNow() => _virtualAtStart + (Stopwatch.GetElapsedTime(_startTimestamp) * Factor);

    /// <inheritdoc/>
    public override long GetTimestamp() =>
        (long)(Stopwatch.GetElapsedTime(_startTimestamp).Ticks * Factor * TimestampFrequency / TimeSpan.TicksPerSecond);

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    private TimeSpan Scale(TimeSpan value) =>
        value == Timeout.InfiniteTimeSpan || value <= TimeSpan.Zero ? value : TimeSpan.FromTicks(Math.Max(1, (long)(value.Ticks / Factor)));

    private sealed class ScaledTimer(ITimer inner, ScaledTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
