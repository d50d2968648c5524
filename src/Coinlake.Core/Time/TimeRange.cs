using System.Globalization;

namespace Coinlake.Time;

/// <summary>
/// A half-open interval of time <c>[Start, End)</c> in milliseconds since the Unix epoch, UTC.
/// For candles it holds the open times <c>t</c> with <c>Start &lt;= t &lt; End</c>.
/// </summary>
/// <param name="Start">Inclusive start, ms since epoch UTC.</param>
/// <param name="End">Exclusive end, ms since epoch UTC; never before <paramref name="Start"/>.</param>
public readonly record struct TimeRange(long Start, long End)
{
    /// <summary>True when the range holds no instant.</summary>
    public bool IsEmpty => End <= Start;

    /// <summary>Length in milliseconds (0 when empty).</summary>
    public long Length => IsEmpty ? 0 : End - Start;

    /// <summary>True when <paramref name="time"/> (ms UTC) lies in the range.</summary>
    public bool Contains(long time) => time >= Start && time < End;

    /// <summary>The overlap of two ranges (empty when they do not overlap).</summary>
    public TimeRange Intersect(TimeRange other)
    {
        var start = Math.Max(Start, other.Start);
        var end = Math.Min(End, other.End);
        return end > start ? new TimeRange(start, end) : new TimeRange(start, start);
    }

    /// <summary>Builds a range from two UTC instants.</summary>
    public static TimeRange FromDates(DateTimeOffset start, DateTimeOffset end) =>
        new(start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds());

    /// <summary>ISO-8601 text of an instant in ms UTC, e.g. <c>2023-03-01T00:00:00Z</c>.</summary>
    public static string FormatTime(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString(
            ms % 1000 == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>[start, end)</c> in ISO-8601 UTC.</summary>
    public override string ToString() => $"[{FormatTime(Start)}, {FormatTime(End)})";
}
