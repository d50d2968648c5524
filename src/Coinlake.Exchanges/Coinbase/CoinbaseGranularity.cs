using Coinlake.Time;

namespace Coinlake.Exchanges.Coinbase;

/// <summary>
/// Candle granularities of Coinbase Exchange ("Get product candles": <c>granularity</c> must be one of 60, 300, 900,
/// 3600, 21600, 86400 seconds, "or your request is rejected") and how Coinlake serves the other timeframes: each is
/// BUILT by aggregating the largest smaller native granularity that divides it (3m ← 1m, 30m ← 15m, 2h/4h/8h ← 1h,
/// 12h ← 6h, 3d/1w/1M ← 1d). <c>1s</c> is not available.
/// </summary>
public static class CoinbaseGranularity
{
    /// <summary>Timeframes the venue serves natively: <c>1m 5m 15m 1h 6h 1d</c>.</summary>
    public static IReadOnlyList<Timeframe> NativeTimeframes { get; } =
        [.. new[] { "1m", "5m", "15m", "1h", "6h", "1d" }.Select(Timeframe.Parse)];

    /// <summary>True when <paramref name="timeframe"/> is one of <see cref="NativeTimeframes"/>.</summary>
    public static bool IsNative(Timeframe timeframe) => NativeTimeframes.Contains(timeframe);

    /// <summary>The <c>granularity</c> parameter of a native timeframe, in seconds (60 for <c>1m</c>).</summary>
    /// <exception cref="ArgumentException">The timeframe is not native.</exception>
    public static int Seconds(Timeframe timeframe) => IsNative(timeframe)
        ? (int)(timeframe.ApproximateMilliseconds / 1000)
        : throw new ArgumentException($"{timeframe} is not a Coinbase granularity; native ones are {string.Join(" ", NativeTimeframes)}.", nameof(timeframe));

    /// <summary>
    /// The native timeframe candles of <paramref name="timeframe"/> are built from: itself when native, else the largest
    /// smaller native timeframe whose buckets tile it (<c>4h</c> → <c>1h</c>, <c>1w</c> → <c>1d</c>, <c>1M</c> → <c>1d</c>);
    /// null for timeframes below a minute.
    /// </summary>
    public static Timeframe? SourceOf(Timeframe timeframe)
    {
        if (IsNative(timeframe))
        {
            return timeframe;
        }

        if (timeframe.Unit is TimeframeUnit.Week or TimeframeUnit.Month)
        {
            return Timeframe.Parse("1d");
        }

        var length = timeframe.ApproximateMilliseconds;
        for (var i = NativeTimeframes.Count - 1; i >= 0; i--)
        {
            var native = NativeTimeframes[i].ApproximateMilliseconds;
            if (native < length && length % native == 0)
            {
                return NativeTimeframes[i];
            }
        }

        return null;
    }
}
