namespace Coinlake.Time;

/// <summary>
/// An immutable set of instants stored as sorted, disjoint, non-adjacent half-open <see cref="TimeRange"/>s
/// (ms UTC). Used for coverage: what a sink stores, what the exchange answered as empty, what is missing.
/// </summary>
public sealed class RangeSet
{
    private readonly TimeRange[] _ranges;

    /// <summary>The empty set.</summary>
    public static readonly RangeSet Empty = new([]);

    private RangeSet(TimeRange[] normalized) => _ranges = normalized;

    /// <summary>The ranges in ascending order, disjoint and never touching.</summary>
    public IReadOnlyList<TimeRange> Ranges => _ranges;

    /// <summary>True when the set holds no instant.</summary>
    public bool IsEmpty => _ranges.Length == 0;

    /// <summary>Total length in ms.</summary>
    public long TotalLength
    {
        get
        {
            long total = 0;
            foreach (var r in _ranges)
            {
                total += r.Length;
            }

            return total;
        }
    }

    /// <summary>Builds a set from ranges in any order; overlapping and touching ranges are merged, empty ones dropped.</summary>
    public static RangeSet Of(IEnumerable<TimeRange> ranges)
    {
        var list = ranges.Where(r => !r.IsEmpty).OrderBy(r => r.Start).ToList();
        var merged = new List<TimeRange>(list.Count);
        foreach (var r in list)
        {
            if (merged.Count > 0 && r.Start <= merged[^1].End)
            {
                var last = merged[^1];
                merged[^1] = new TimeRange(last.Start, Math.Max(last.End, r.End));
            }
            else
            {
                merged.Add(r);
            }
        }

        return merged.Count == 0 ? Empty : new RangeSet([.. merged]);
    }

    /// <summary>A set of one range.</summary>
    public static RangeSet Of(TimeRange range) => range.IsEmpty ? Empty : new RangeSet([range]);

    /// <summary>Instants in this set or in <paramref name="other"/>.</summary>
    public RangeSet Union(RangeSet other) => Of(_ranges.Concat(other._ranges));

    /// <summary>Instants in this set and not in <paramref name="other"/>.</summary>
    public RangeSet Subtract(RangeSet other)
    {
        if (other.IsEmpty || IsEmpty)
        {
            return this;
        }

        var result = new List<TimeRange>();
        var j = 0;
        foreach (var range in _ranges)
        {
            var start = range.Start;
            while (j < other._ranges.Length && other._ranges[j].End <= start)
            {
                j++;
            }

            var k = j;
            while (k < other._ranges.Length && other._ranges[k].Start < range.End)
            {
                var cut = other._ranges[k];
                if (cut.Start > start)
                {
                    result.Add(new TimeRange(start, cut.Start));
                }

                start = Math.Max(start, cut.End);
                k++;
            }

            if (start < range.End)
            {
                result.Add(new TimeRange(start, range.End));
            }
        }

        return result.Count == 0 ? Empty : new RangeSet([.. result]);
    }

    /// <summary>Instants in both sets.</summary>
    public RangeSet Intersect(RangeSet other) => Subtract(Subtract(other));

    /// <summary>True when <paramref name="time"/> (ms UTC) is in the set.</summary>
    public bool Contains(long time)
    {
        int lo = 0, hi = _ranges.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_ranges[mid].End <= time)
            {
                lo = mid + 1;
            }
            else if (_ranges[mid].Start > time)
            {
                hi = mid - 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public override string ToString() => IsEmpty ? "{}" : string.Join(" ∪ ", _ranges);
}
