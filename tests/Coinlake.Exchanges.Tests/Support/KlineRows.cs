using System.Globalization;
using System.Text;
using Coinlake.Candles;

namespace Coinlake.Exchanges.Tests.Support;

/// <summary>Renders candles as a Binance kline page (spot API "Kline/Candlestick data"), decimals as 8-decimal strings.</summary>
internal static class KlineRows
{
    public static string Render(IEnumerable<Candle> candles, long timeframeMs = 60_000)
    {
        var sb = new StringBuilder("[");
        var first = true;
        foreach (var c in candles)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            var quote = c.QuoteVolume ?? decimal.Round(c.Volume * c.Close, 8, MidpointRounding.AwayFromZero);
            sb.Append(CultureInfo.InvariantCulture,
                $"[{c.OpenTime},\"{F(c.Open)}\",\"{F(c.High)}\",\"{F(c.Low)}\",\"{F(c.Close)}\",\"{F(c.Volume)}\",{c.OpenTime + timeframeMs - 1},\"{F(quote)}\",{c.TradeCount ?? 0},\"0.00000000\",\"0.00000000\",\"0\"]");
        }

        return sb.Append(']').ToString();

        static string F(decimal d) => d.ToString("F8", CultureInfo.InvariantCulture);
    }

    /// <summary><paramref name="count"/> synthetic 1m candles from <paramref name="start"/> (prices 100 + i).</summary>
    public static List<Candle> Minutes(long start, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Candle(start + (i * 60_000L), 100 + i, 101 + i, 99 + i, 100.5m + i, 1.5m, 150m, 7))];
}
