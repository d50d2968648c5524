using Coinlake.Candles;
using Coinlake.Exchanges.Coinbase;
using Coinlake.Markets;
using Coinlake.Testing.Coinbase;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Coinbase;

/// <summary>Helpers shared by the Coinbase tests: a client bound to a fake server, page collection and reference aggregation.</summary>
internal static class CoinbaseFixture
{
    public static CoinbaseOptions Options(bool respectRateLimits = false) => new()
    {
        MaxRetries = 5,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(10),
        RespectRateLimits = respectRateLimits,
        SettleDelay = TimeSpan.Zero,
    };

    public static FakeCoinbaseOptions ServerOptions(TimeProvider? time = null, bool rateLimited = false) => new()
    {
        RequestsPerSecond = rateLimited ? 10 : 0,
        TimeProvider = time ?? TimeProvider.System,
    };

    public static CoinbaseClient Client(FakeCoinbaseServer server, HttpClient http, CoinbaseOptions? options = null, TimeProvider? time = null) =>
        CoinbaseClient.Create("coinbase", http, server.BaseUrl, options ?? Options(), time);

    public static async Task<List<CandlePage>> Pages(CoinbaseClient client, string symbol, string timeframe, TimeRange range,
        PriceType price = PriceType.Last, MarketType type = MarketType.Spot)
    {
        var pages = new List<CandlePage>();
        await foreach (var page in client.GetCandlesAsync(new CandleRequest(Symbol.Parse(symbol), type, Timeframe.Parse(timeframe), price, range)))
        {
            pages.Add(page);
        }

        return pages;
    }

    public static async Task<List<TradePage>> TradePages(CoinbaseClient client, string symbol, TimeRange range)
    {
        var pages = new List<TradePage>();
        await foreach (var page in client.GetTradesAsync(new TradeRequest(Symbol.Parse(symbol), MarketType.Spot, range)))
        {
            pages.Add(page);
        }

        return pages;
    }

    /// <summary>Checks the page contract: candles ascending, unique, inside their page's Covered, pages contiguous from the range start.</summary>
    public static void ShouldBeContiguous(IReadOnlyList<CandlePage> pages, long start)
    {
        var expectedStart = start;
        long previous = long.MinValue;
        foreach (var page in pages)
        {
            page.Covered.Start.ShouldBe(expectedStart);
            foreach (var c in page.Candles)
            {
                c.OpenTime.ShouldBeGreaterThan(previous);
                page.Covered.Contains(c.OpenTime).ShouldBeTrue();
                previous = c.OpenTime;
            }

            expectedStart = page.Covered.End;
        }
    }

    /// <summary>The same contract for trade pages (ascending by time then id, unique ids).</summary>
    public static void ShouldBeContiguous(IReadOnlyList<TradePage> pages, long start)
    {
        var expectedStart = start;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        (long Ts, long Id) previous = (long.MinValue, long.MinValue);
        foreach (var page in pages)
        {
            page.Covered.Start.ShouldBe(expectedStart);
            foreach (var t in page.Trades)
            {
                var key = (t.Timestamp, long.Parse(t.Id, System.Globalization.CultureInfo.InvariantCulture));
                (key.CompareTo(previous) > 0).ShouldBeTrue();
                ids.Add(t.Id).ShouldBeTrue();
                page.Covered.Contains(t.Timestamp).ShouldBeTrue();
                previous = key;
            }

            expectedStart = page.Covered.End;
        }
    }

    /// <summary>Reference aggregation of ascending candles into <paramref name="tf"/> buckets (Coinbase gives no quote volume or trade count).</summary>
    public static List<Candle> Aggregate(IEnumerable<Candle> candles, Timeframe tf) =>
        [.. candles.GroupBy(c => tf.Floor(c.OpenTime)).OrderBy(g => g.Key).Select(g => new Candle(
            g.Key, g.First().Open, g.Max(c => c.High), g.Min(c => c.Low), g.Last().Close, g.Sum(c => c.Volume)))];

    /// <summary>Candles as Coinbase serves them: OHLCV only.</summary>
    public static List<Candle> Plain(IEnumerable<Candle> candles) =>
        [.. candles.Select(c => new Candle(c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume))];

    public static List<Trade> AllTrades(IEnumerable<TradePage> pages) => [.. pages.SelectMany(p => p.Trades)];
}
