using Coinlake.Time;

namespace Coinlake.Candles;

/// <summary>
/// Builds coverage from open times read in ascending order, one at a time, so a store can report what it holds
/// without loading a whole history: each open time <c>t</c> covers <c>[t, next(t))</c>; consecutive candles merge.
/// Also counts duplicates (an open time seen twice in a row).
/// </summary>
public sealed class CoverageBuilder(Timeframe timeframe)
{
    private readonly List<TimeRange> _ranges = [];
    private long _start = long.MinValue;
    private long _end = long.MinValue;
    private long _last = long.MinValue;
    private long _first;

    /// <summary>Number of open times added (duplicates included).</summary>
    public long Rows { get; private set; }

    /// <summary>Open times seen more than once (counted once per extra copy).</summary>
    public long Duplicates { get; private set; }

    /// <summary>First open time added, or null.</summary>
    public long? First => Rows == 0 ? null : _first;

    /// <summary>Last (greatest) open time added, or null.</summary>
    public long? Last => Rows == 0 ? null : _last;

    /// <summary>Adds the next open time (ms UTC); open times must come in ascending order.</summary>
    /// <exception cref="ArgumentException">The open time is before the previous one.</exception>
    public void Add(long openTime)
    {
        if (Rows > 0 && openTime < _last)
        {
            throw new ArgumentException($"Open times must be ascending: {TimeRange.FormatTime(openTime)} after {TimeRange.FormatTime(_last)}.", nameof(openTime));
        }

        Rows++;
        if (Rows == 1)
        {
            _first = openTime;
        }
        else if (openTime == _last)
        {
            Duplicates++;
            return;
        }

        _last = openTime;
        var start = timeframe.Floor(openTime);
        var end = timeframe.Next(start);
        if (_end == start)
        {
            _end = end;
        }
        else
        {
            if (_end != long.MinValue)
            {
                _ranges.Add(new TimeRange(_start, _end));
            }

            _start = start;
            _end = end;
        }
    }

    /// <summary>The ranges covered by the open times added so far.</summary>
    public RangeSet Build()
    {
        var all = new List<TimeRange>(_ranges);
        if (_end != long.MinValue)
        {
            all.Add(new TimeRange(_start, _end));
        }

        return RangeSet.Of(all);
    }
}

/// <summary>A run of missing candles.</summary>
/// <param name="Range">Open times missing: <c>[first missing open time, next present open time)</c>, ms UTC.</param>
/// <param name="MissingCandles">Number of candles missing in the run.</param>
public readonly record struct Gap(TimeRange Range, long MissingCandles);

/// <summary>Pure coverage and gap math on candle series.</summary>
public static class CandleCoverage
{
    /// <summary>
    /// The gaps of <paramref name="covered"/> within <paramref name="expected"/>: every run of open times the
    /// range should hold that the coverage lacks, with its candle count.
    /// </summary>
    public static IReadOnlyList<Gap> FindGaps(RangeSet covered, TimeRange expected, Timeframe timeframe)
    {
        var aligned = new TimeRange(timeframe.Ceiling(expected.Start), expected.End);
        var missing = RangeSet.Of(aligned).Subtract(covered);
        var gaps = new List<Gap>(missing.Ranges.Count);
        foreach (var range in missing.Ranges)
        {
            var count = timeframe.CountIn(range);
            if (count > 0)
            {
                gaps.Add(new Gap(new TimeRange(timeframe.Ceiling(range.Start), range.End), count));
            }
        }

        return gaps;
    }

    /// <summary>The gaps between the first and last of ascending <paramref name="openTimes"/>.</summary>
    public static IReadOnlyList<Gap> FindGaps(IEnumerable<long> openTimes, Timeframe timeframe)
    {
        var builder = new CoverageBuilder(timeframe);
        foreach (var t in openTimes)
        {
            builder.Add(t);
        }

        return builder.Rows == 0
            ? []
            : FindGaps(builder.Build(), new TimeRange(builder.First!.Value, timeframe.Next(timeframe.Floor(builder.Last!.Value))), timeframe);
    }
}
