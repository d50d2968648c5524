namespace Coinlake.Pipeline.Streaming;

/// <summary>
/// The clock of one series of a stream: the latest data time seen (ms UTC) plus the wall time elapsed since it was seen.
/// It advances with the data on a replay at full speed and with the wall clock when a live market is quiet; it never goes back.
/// </summary>
internal sealed class StreamClock(TimeProvider time)
{
    private long _base = long.MinValue;
    private long _at;

    /// <summary>True once a data time was observed.</summary>
    public bool Started => _base != long.MinValue;

    /// <summary>Moves the clock to <paramref name="dataTime"/> (ms UTC) when that is ahead of it.</summary>
    public void Observe(long dataTime)
    {
        if (!Started || dataTime > Now())
        {
            _base = dataTime;
            _at = time.GetTimestamp();
        }
    }

    /// <summary>The stream time now, ms UTC; <see cref="long.MinValue"/> before any data.</summary>
    public long Now() => Started ? _base + (long)time.GetElapsedTime(_at).TotalMilliseconds : long.MinValue;
}

/// <summary>A bounded set of the most recent trade ids (oldest forgotten first): drops trades repeated by a reconnect.</summary>
internal sealed class RecentIds(int capacity)
{
    private readonly HashSet<string> _set = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary>Adds <paramref name="id"/>; false when it was seen recently.</summary>
    public bool Add(string id)
    {
        if (!_set.Add(id))
        {
            return false;
        }

        _order.Enqueue(id);
        if (_order.Count > capacity)
        {
            _set.Remove(_order.Dequeue());
        }

        return true;
    }
}
