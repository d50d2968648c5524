using Coinlake.Time;

namespace Coinlake.Exchanges.Okx.Rest;

/// <summary>
/// OKX <c>bar</c> names ("GET / Candlesticks": <c>1s 1m 3m 5m 15m 30m 1H 2H 4H</c>, UTC+8-aligned
/// <c>6H 12H 1D 2D 3D 1W 1M 3M</c>, UTC-aligned <c>6Hutc 12Hutc 1Dutc 2Dutc 3Dutc 1Wutc 1Mutc 3Mutc</c>). The UTC
/// variants are used so that 6h/12h/daily/weekly/monthly candles open at 00:00 UTC like every other venue's (weeks on
/// Monday, months on the 1st, as <see cref="Timeframe.Floor"/>).
/// </summary>
internal static class OkxBars
{
    /// <summary>The bar name of <paramref name="timeframe"/>, or null when OKX has none: <c>8h</c> does not exist, and
    /// <c>3d</c> is left out because OKX does not document where its 3-day buckets start.</summary>
    public static string? Of(Timeframe timeframe) => timeframe.ToString() switch
    {
        "1s" => "1s",
        "1m" => "1m",
        "3m" => "3m",
        "5m" => "5m",
        "15m" => "15m",
        "30m" => "30m",
        "1h" => "1H",
        "2h" => "2H",
        "4h" => "4H",
        "6h" => "6Hutc",
        "12h" => "12Hutc",
        "1d" => "1Dutc",
        "1w" => "1Wutc",
        "1M" => "1Mutc",
        _ => null,
    };

    /// <summary>The timeframe of a bar name this connector uses (the inverse of <see cref="Of"/>), or null.</summary>
    public static Timeframe? Parse(string bar)
    {
        foreach (var tf in Timeframe.All)
        {
            if (string.Equals(Of(tf), bar, StringComparison.Ordinal))
            {
                return tf;
            }
        }

        return null;
    }
}
