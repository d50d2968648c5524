using Coinlake.Candles;
using Coinlake.Time;

namespace Coinlake.Testing;

/// <summary>
/// Deterministic synthetic series built from real data, for benchmarks and long backfills (e.g. one year of 1m
/// candles, 525,600 rows) that the recorded files are too short for.
/// </summary>
public static class FakeData
{
    /// <summary>Minutes in a 365-day year.</summary>
    public const int MinutesPerYear = 525_600;

    /// <summary>Default first open time: 2023-01-01T00:00:00Z, in ms UTC.</summary>
    public const long DefaultStart = 1_672_531_200_000;

    private const long MinuteMs = 60_000;

    /// <summary>
    /// <paramref name="count"/> contiguous 1m candles opening at <paramref name="start"/>, built from the Binance.US
    /// BTC/USDT series (<see cref="TestData.BinanceUsBtcUsdt1m"/>, 30,240 rows) played forward, then backward (each
    /// candle mirrored: open and close swapped), then forward again, and so on. The price path is as continuous as
    /// the real one at every seam and does not drift, and every value is an exact decimal of the source (prices in
    /// USDT with 2 decimals, volumes in BTC). Quote volume and trade count are null. Same arguments, same candles.
    /// </summary>
    /// <param name="count">Number of candles (0 or more).</param>
    /// <param name="start">First open time, ms UTC, on a minute boundary.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="start"/> is not on a minute boundary.</exception>
    /// <exception cref="FileNotFoundException">The Binance.US file is absent (see <see cref="TestData.Root"/>).</exception>
    public static Candle[] ContiguousOneMinute(int count, long start = DefaultStart)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start % MinuteMs != 0)
        {
            throw new ArgumentException($"Start {start} ({TimeRange.FormatTime(start)}) is not on a minute boundary.", nameof(start));
        }

        var source = TestData.BinanceUsBtcUsdt1m();
        var n = source.Count;
        var result = new Candle[count];
        for (var k = 0; k < count; k++)
        {
            var cycle = k / n;
            var pos = k % n;
            var time = start + (k * MinuteMs);
            if (cycle % 2 == 0)
            {
                result[k] = source[pos] with { OpenTime = time };
            }
            else
            {
                var c = source[n - 1 - pos];
                result[k] = new Candle(time, c.Close, c.High, c.Low, c.Open, c.Volume);
            }
        }

        return result;
    }

    /// <summary>One year (525,600) of contiguous 1m candles from <paramref name="start"/>; see <see cref="ContiguousOneMinute"/>.</summary>
    public static Candle[] OneYearOneMinute(long start = DefaultStart) => ContiguousOneMinute(MinutesPerYear, start);

    /// <summary>The candles of <paramref name="candles"/> whose open time lies in none of <paramref name="gaps"/> (to simulate missing data).</summary>
    public static Candle[] WithGaps(IReadOnlyList<Candle> candles, params TimeRange[] gaps) =>
        [.. candles.Where(c => !gaps.Any(g => g.Contains(c.OpenTime)))];
}
