using System.Diagnostics;

namespace Coinlake.Exchanges.Tests.Support;

/// <summary>
/// A clock that runs <c>factor</c> times faster than real time, timers included, so waits measured in minutes
/// (rate-limit windows, <c>Retry-After</c>, bans) pass in milliseconds while every component still sees a consistent
/// clock. Shared by the client and the fake server in end-to-end tests.
/// </summary>
internal sealed class AcceleratedTimeProvider(double factor) : TimeProvider
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _origin = System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => _origin + (Stopwatch.GetElapsedTime(_start) * factor);

    public override long GetTimestamp() => (long)(Stopwatch.GetElapsedTime(_start).Ticks * factor * TimestampFrequency / TimeSpan.TicksPerSecond);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    private TimeSpan Scale(TimeSpan value) =>
        value == Timeout.InfiniteTimeSpan || value <= TimeSpan.Zero ? value : TimeSpan.FromTicks(Math.Max(1, (long)(value.Ticks / factor)));

    private sealed class ScaledTimer(ITimer inner, AcceleratedTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
