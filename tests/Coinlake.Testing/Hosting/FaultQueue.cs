using System.Collections.Concurrent;

namespace Coinlake.Testing.Hosting;

/// <summary>
/// Fault injection shared by the fake exchange servers: each enqueued fault replaces (or alters) the answer of the next
/// request the server subjects to faults (which ones is said by the server's own queue type), in order, then is
/// consumed. Thread-safe.
/// </summary>
/// <typeparam name="TFault">The server's fault enum.</typeparam>
public abstract class FaultQueue<TFault>
    where TFault : struct, Enum
{
    private readonly ConcurrentQueue<TFault> _queue = new();

    /// <summary>Faults still waiting for a request.</summary>
    public int Pending => _queue.Count;

    /// <summary>Queues <paramref name="fault"/> for the next <paramref name="count"/> requests subject to faults.</summary>
    /// <param name="fault">A defined value of <typeparamref name="TFault"/>.</param>
    /// <param name="count">How many requests get it; 0 queues nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or <paramref name="fault"/> is not defined.</exception>
    public void Enqueue(TFault fault, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!Enum.IsDefined(fault))
        {
            var name = typeof(TFault).Name;
            var article = "AEIOU".Contains(name[0], StringComparison.Ordinal) ? "an" : "a";
            throw new ArgumentOutOfRangeException(nameof(fault), fault, $"Not {article} {name} value.");
        }

        for (var i = 0; i < count; i++)
        {
            _queue.Enqueue(fault);
        }
    }

    /// <summary>Drops every pending fault.</summary>
    public void Clear() => _queue.Clear();

    /// <summary>Takes the next pending fault, if any (the server calls this once per request subject to faults).</summary>
    internal bool TryTake(out TFault fault) => _queue.TryDequeue(out fault);
}
