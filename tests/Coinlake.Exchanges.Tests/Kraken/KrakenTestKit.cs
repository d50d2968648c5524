using System.Diagnostics;
using Coinlake.Candles;
using Coinlake.Exchanges.Kraken;
using Coinlake.Markets;
using Coinlake.Testing.Kraken;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Kraken;

/// <summary>
/// A clock that starts at <c>origin</c> and runs <c>factor</c> times faster than real time, timers included, shared by
/// the client and the fake server: "now" can sit right after a recorded series, and waits of seconds pass in
/// milliseconds while every component sees one consistent clock.
/// </summary>
internal sealed class ShiftedTimeProvider(DateTimeOffset origin, double factor = 1) : TimeProvider
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => origin + (Stopwatch.GetElapsedTime(_start) * factor);

    public override long GetTimestamp() => (long)(Stopwatch.GetElapsedTime(_start).Ticks * factor * TimestampFrequency / TimeSpan.TicksPerSecond);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    private TimeSpan Scale(TimeSpan value) =>
        value == Timeout.InfiniteTimeSpan || value <= TimeSpan.Zero ? value : TimeSpan.FromTicks(Math.Max(1, (long)(value.Ticks / factor)));

    private sealed class ScaledTimer(ITimer inner, ShiftedTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>Shared helpers of the Kraken tests.</summary>
internal static class KrakenTestKit
{
    public const long Minute = 60_000;

    /// <summary>Options for loopback tests: fast retries, generous timeouts (loaded CI machines), no settle delay unless asked.</summary>
    public static KrakenOptions Options(bool respectRateLimits = false, int maxRetries = 5) => new()
    {
        RespectRateLimits = respectRateLimits,
        MaxRetries = maxRetries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        RequestTimeout = TimeSpan.FromMinutes(5),
        TradeSettleDelay = TimeSpan.Zero,
    };

    public static KrakenClient Client(FakeKrakenServer server, HttpClient http, TimeProvider time, KrakenOptions? options = null) =>
        KrakenClient.Create("kraken", http, server.BaseUrl, options ?? Options(), time);

    public static CandleRequest CandlesOf(string symbol, Timeframe tf, TimeRange range, PriceType price = PriceType.Last, MarketType type = MarketType.Spot) =>
        new(Symbol.Parse(symbol), type, tf, price, range);

    public static async Task<List<CandlePage>> AllPages(KrakenClient client, CandleRequest request)
    {
        var pages = new List<CandlePage>();
        await foreach (var page in client.GetCandlesAsync(request))
        {
            pages.Add(page);
        }

        return pages;
    }

    public static async Task<List<TradePage>> AllTradePages(KrakenClient client, TradeRequest request)
    {
        var pages = new List<TradePage>();
        await foreach (var page in client.GetTradesAsync(request))
        {
            pages.Add(page);
        }

        return pages;
    }

    /// <summary>Pages are ascending, unique, inside their Covered range, and the Covered ranges are contiguous.</summary>
    public static void ShouldBeWellFormed(IReadOnlyList<CandlePage> pages)
    {
        long previous = long.MinValue;
        for (var i = 0; i < pages.Count; i++)
        {
            var page = pages[i];
            if (i > 0)
            {
                page.Covered.Start.ShouldBe(pages[i - 1].Covered.End, $"page {i} does not continue page {i - 1}");
            }

            foreach (var c in page.Candles)
            {
                c.OpenTime.ShouldBeGreaterThan(previous);
                page.Covered.Contains(c.OpenTime).ShouldBeTrue($"candle {TimeRange.FormatTime(c.OpenTime)} outside {page.Covered}");
                previous = c.OpenTime;
            }
        }
    }

    /// <summary>Compares open time, OHLC and volume (the fields every source has).</summary>
    public static void ShouldMatchOhlcv(IReadOnlyList<Candle> actual, IReadOnlyList<Candle> expected)
    {
        actual.Count.ShouldBe(expected.Count);
        for (var i = 0; i < actual.Count; i++)
        {
            var (a, e) = (actual[i], expected[i]);
            (a.OpenTime, a.Open, a.High, a.Low, a.Close, a.Volume).ShouldBe((e.OpenTime, e.Open, e.High, e.Low, e.Close, e.Volume),
                $"candle #{i} at {TimeRange.FormatTime(e.OpenTime)}");
        }
    }

    /// <summary>1m candles aggregated to <paramref name="tf"/> as Kraken does (epoch-multiple buckets).</summary>
    public static List<Candle> Aggregate(IEnumerable<Candle> minutes, Timeframe tf) =>
        [.. minutes.GroupBy(c => tf.Floor(c.OpenTime)).OrderBy(g => g.Key).Select(g =>
        {
            var list = g.OrderBy(c => c.OpenTime).ToList();
            return new Candle(g.Key, list[0].Open, list.Max(c => c.High), list.Min(c => c.Low), list[^1].Close, list.Sum(c => c.Volume));
        })];

    /// <summary>Trades are ascending by time then id, ids unique, inside Covered; Covered ranges contiguous.</summary>
    public static void ShouldBeWellFormed(IReadOnlyList<TradePage> pages)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        long previous = long.MinValue;
        for (var i = 0; i < pages.Count; i++)
        {
            if (i > 0)
            {
                pages[i].Covered.Start.ShouldBe(pages[i - 1].Covered.End);
            }

            foreach (var t in pages[i].Trades)
            {
                ids.Add(t.Id).ShouldBeTrue($"trade {t.Id} twice");
                t.Timestamp.ShouldBeGreaterThanOrEqualTo(previous);
                pages[i].Covered.Contains(t.Timestamp).ShouldBeTrue($"trade {t.Id} outside {pages[i].Covered}");
                previous = t.Timestamp;
            }
        }
    }

    public static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static IReadOnlyList<Trade> Within(IEnumerable<Trade> trades, TimeRange range) => [.. trades.Where(t => range.Contains(t.Timestamp))];
}
