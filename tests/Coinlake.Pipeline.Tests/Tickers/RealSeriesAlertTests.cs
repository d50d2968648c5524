using Coinlake.Pipeline.Tickers;
using Coinlake.Storage.Alerts;
using Coinlake.Testing;

namespace Coinlake.Pipeline.Tests.Tickers;

/// <summary>Alerts on real prices: the Binance.US BTC/USDT closes of March 2023 (the SVB weekend) replayed as last prices.</summary>
public sealed class RealSeriesAlertTests
{
    [Fact]
    public async Task OnTickerAsync_RealMinuteCloses_AlertsExactlyWhereABruteForceWindowScanDoes()
    {
        var candles = TestData.BinanceUsBtcUsdt1m();
        const decimal percent = 1.5m;
        var window = TimeSpan.FromMinutes(30);
        var sink = new RecordingAlertSink();
        var collector = new TickerStreamCollector("binanceus", [], [sink], new TickerStreamOptions { AlertPercent = percent, AlertWindow = window });

        foreach (var c in candles)
        {
            await collector.OnTickerAsync(Tick.Event(c.OpenTime, c.Close));
        }

        var expected = BruteForce(candles.Select(c => (c.OpenTime, c.Close)).ToList(), percent, (long)window.TotalMilliseconds);
        sink.Alerts.Count.ShouldBeGreaterThan(5); // the series has real 1.5 % half-hours
        sink.Alerts.Select(a => (a.WindowEnd, a.Direction, a.FromPrice, a.ChangePercent)).ShouldBe(expected);
        sink.Alerts.ShouldAllBe(a => a.WindowEnd - a.WindowStart <= (long)window.TotalMilliseconds && Math.Abs(a.ChangePercent) > percent);
    }

    /// <summary>The definition, computed the slow way: compare each price with every earlier price of the window (ticks ascending in time).</summary>
    private static List<(long, PriceDirection, decimal, decimal)> BruteForce(List<(long Time, decimal Price)> ticks, decimal percent, long windowMs)
    {
        var alerts = new List<(long, PriceDirection, decimal, decimal)>();
        var quietUntil = long.MinValue;
        for (var i = 1; i < ticks.Count; i++)
        {
            var (time, price) = ticks[i];
            if (time < quietUntil)
            {
                continue;
            }

            var inWindow = new List<decimal>();
            for (var j = i - 1; j >= 0 && ticks[j].Time >= time - windowMs; j--)
            {
                inWindow.Add(ticks[j].Price);
            }

            if (inWindow.Count == 0)
            {
                continue;
            }

            var low = inWindow.Min();
            var high = inWindow.Max();
            var rise = (price - low) / low * 100m;
            var fall = (price - high) / high * 100m;
            if (rise > percent && rise >= -fall)
            {
                alerts.Add((time, PriceDirection.Up, low, decimal.Round(rise, 8)));
                quietUntil = time + windowMs;
            }
            else if (-fall > percent)
            {
                alerts.Add((time, PriceDirection.Down, high, decimal.Round(fall, 8)));
                quietUntil = time + windowMs;
            }
        }

        return alerts;
    }
}
