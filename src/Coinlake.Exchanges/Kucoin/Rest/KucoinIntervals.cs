using Coinlake.Time;

namespace Coinlake.Exchanges.Kucoin;

/// <summary>
/// Maps Coinlake timeframes to KuCoin kline <c>type</c>s ("Get Klines": 1min 3min 5min 15min 30min 1hour 2hour 4hour
/// 6hour 8hour 12hour 1day 1week 1month).
/// </summary>
internal static class KucoinIntervals
{
    /// <summary>The kline type of <paramref name="timeframe"/>, or null with the reason it is not served.</summary>
    /// <remarks>
    /// <c>1s</c> and <c>3d</c> have no KuCoin type. KuCoin's <c>1week</c> candles open on Thursdays 00:00 UTC
    /// (multiples of 7 days since the epoch; Kucoin/kucoin-api-docs issues #350 and #373) while Coinlake's <c>1w</c>
    /// opens on Mondays, so they are refused rather than stored under the wrong keys.
    /// </remarks>
    public static string? TypeOf(Timeframe timeframe, out string? whyNot)
    {
        whyNot = null;
        switch (timeframe.ToString())
        {
            case "1m": return "1min";
            case "3m": return "3min";
            case "5m": return "5min";
            case "15m": return "15min";
            case "30m": return "30min";
            case "1h": return "1hour";
            case "2h": return "2hour";
            case "4h": return "4hour";
            case "6h": return "6hour";
            case "8h": return "8hour";
            case "12h": return "12hour";
            case "1d": return "1day";
            case "1M": return "1month";
            case "1w":
                whyNot = "KuCoin's 1week candles open on Thursdays 00:00 UTC, Coinlake's 1w candles on Mondays; fetch 1d candles and aggregate them instead.";
                return null;
            default:
                whyNot = $"KuCoin has no {timeframe} klines; it serves 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 1M (and Thursday-based weeks).";
                return null;
        }
    }
}
