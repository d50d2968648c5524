using Coinlake.Candles;
using Coinlake.Storage;
using Coinlake.Time;

namespace Coinlake.Pipeline.Backfill;

/// <summary>
/// Decides what a backfill must fetch for one series: the closed candles of the requested range that not every
/// sink already holds (stored, or known to be empty on the exchange).
/// </summary>
public static class BackfillPlanner
{
    /// <summary>
    /// The open-time range a backfill may request: <paramref name="requested"/> aligned to the timeframe, its end
    /// clamped to the open time of the candle in progress at <paramref name="now"/> (ms UTC), so only closed candles
    /// are fetched.
    /// </summary>
    public static TimeRange ClosedRange(TimeRange requested, Timeframe timeframe, long now)
    {
        var start = timeframe.Ceiling(requested.Start);
        var end = Math.Min(timeframe.Ceiling(requested.End), timeframe.Floor(now));
        return end > start ? new TimeRange(start, end) : new TimeRange(start, start);
    }

    /// <summary>
    /// The ranges to fetch: <paramref name="range"/> minus what every sink already has complete. A range one sink
    /// lacks is fetched and written to all (writes are idempotent upserts).
    /// </summary>
    /// <param name="range">Aligned range of closed candles (see <see cref="ClosedRange"/>).</param>
    /// <param name="coverages">One coverage per sink.</param>
    /// <param name="refresh">Fetch everything again, ignoring coverage.</param>
    public static RangeSet Missing(TimeRange range, IReadOnlyList<SeriesCoverage> coverages, bool refresh)
    {
        var wanted = RangeSet.Of(range);
        if (refresh)
        {
            return wanted;
        }

        var missing = RangeSet.Empty;
        foreach (var coverage in coverages)
        {
            missing = missing.Union(wanted.Subtract(coverage.Complete));
        }

        return missing;
    }

    /// <summary>
    /// The parts of a page's proven range that hold no candle: each candle covers <c>[open, next open)</c>; the rest
    /// of <see cref="Exchanges.CandlePage.Covered"/> is known to be empty on the exchange.
    /// </summary>
    public static IReadOnlyList<TimeRange> EmptyRanges(TimeRange covered, IReadOnlyList<Candle> candles, Timeframe timeframe)
    {
        if (covered.IsEmpty)
        {
            return [];
        }

        var builder = new CoverageBuilder(timeframe);
        foreach (var candle in candles)
        {
            builder.Add(candle.OpenTime);
        }

        return RangeSet.Of(covered).Subtract(builder.Build()).Ranges;
    }
}
