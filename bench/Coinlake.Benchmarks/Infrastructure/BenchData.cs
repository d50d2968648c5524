using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Time;

namespace Coinlake.Benchmarks.Infrastructure;

/// <summary>Series and candles shared by the suites, all derived from the real Binance.US BTC/USDT 1m data.</summary>
public static class BenchData
{
    /// <summary>Candles per Binance spot kline page (the documented maximum <c>limit</c>), and per upsert batch.</summary>
    public const int PageSize = 1000;

    /// <summary>The benchmarked series: <c>binance BTC/USDT spot 1m last</c>.</summary>
    public static SeriesKey Series { get; } = new("binance", Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last);

    /// <summary>
    /// <paramref name="count"/> contiguous 1m candles from 2023-01-01 (<see cref="FakeData.ContiguousOneMinute"/>) as
    /// the connector reads them from the fake server: quote volume = volume × close rounded half away from zero to
    /// 8 decimals (USDT), trade count 0. So the sinks store the same shape of row a backfill stores.
    /// </summary>
    public static Candle[] Candles(int count)
    {
        var candles = FakeData.ContiguousOneMinute(count);
        for (var i = 0; i < candles.Length; i++)
        {
            var c = candles[i];
            candles[i] = c with { QuoteVolume = Math.Round(c.Volume * c.Close, 8, MidpointRounding.AwayFromZero), TradeCount = 0 };
        }

        return candles;
    }

    /// <summary>Splits <paramref name="candles"/> into batches of <see cref="PageSize"/> (the last may be shorter), as pages arrive.</summary>
    public static Candle[][] Batches(Candle[] candles) => [.. candles.Chunk(PageSize)];
}
