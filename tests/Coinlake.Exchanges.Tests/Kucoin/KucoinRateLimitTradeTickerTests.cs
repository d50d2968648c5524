using Coinlake.Candles;
using Coinlake.Exchanges.Kucoin;
using Coinlake.Exchanges.Tests.Support;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Kucoin;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Exchanges.Tests.Kucoin;

/// <summary>The resource-pool rate limit, the recent-trades window and the tickers, end to end against <see cref="FakeKucoinServer"/>.</summary>
public sealed class KucoinRateLimitTradeTickerTests : IDisposable
{
    private const long Minute = 60_000;

    private static readonly IReadOnlyList<Candle> BinanceUs = TestData.BinanceUsBtcUsdt1m();
    private static readonly TimeRange All = new(BinanceUs[0].OpenTime, BinanceUs[^1].OpenTime + Minute);

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public void Dispose() => _http.Dispose();

    private static KucoinOptions Options() => new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromSeconds(2),
        RequestTimeout = TimeSpan.FromMinutes(10),
    };

    private static async Task<List<Candle>> Backfill(KucoinClient client, TimeRange? range = null)
    {
        var candles = new List<Candle>();
        await foreach (var page in client.GetCandlesAsync(new CandleRequest(Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last, range ?? All)))
        {
            candles.AddRange(page.Candles);
        }

        return candles;
    }

    [Fact]
    public async Task GetCandlesAsync_PoolQuotaRespected_NeverAnswered429()
    {
        var time = new AcceleratedTimeProvider(200);
        await using var server = await FakeKucoinServer.StartAsync(new FakeKucoinOptions { TimeProvider = time, PublicPoolQuota = 40 });
        server.AddSeries("BTC-USDT", BinanceUs);
        var options = Options();
        options.PublicPoolQuota = 40; // 20 weight per minute: 6 kline requests a minute, 21 are needed
        using var client = KucoinClient.Create("kucoin", _http, server.BaseUrl, options, time);

        var candles = await Backfill(client);

        candles.Count.ShouldBe(BinanceUs.Count);
        server.Requests.ShouldAllBe(r => r.Status == 200);
        client.Stats.RateLimited.ShouldBe(0);
        var spent = server.Requests.Max(r => r.Time) - server.Requests.Min(r => r.Time);
        spent.ShouldBeGreaterThan(TimeSpan.FromMinutes(2)); // the budget made it wait across windows
    }

    [Fact]
    public async Task GetCandlesAsync_PoolExhaustedBy429_WaitsOutTheResetAndCompletes()
    {
        var time = new AcceleratedTimeProvider(20); // a 30 s pool window lasts 1.5 s: far longer than a loopback request
        await using var server = await FakeKucoinServer.StartAsync(new FakeKucoinOptions { TimeProvider = time, PublicPoolQuota = 7 });
        server.AddSeries("BTC-USDT", BinanceUs);
        var options = Options();
        options.RespectRateLimits = false; // only the venue's 429 answers slow it down
        options.MaxRetries = 50;
        using var client = KucoinClient.Create("kucoin", _http, server.BaseUrl, options, time);

        var range = new TimeRange(All.Start, All.Start + (6000 * Minute));
        var candles = await Backfill(client, range); // symbols (4) and 4 kline requests (3 each): a window holds 7

        candles.Select(c => c.OpenTime).ShouldBe(BinanceUs.Take(6000).Select(c => c.OpenTime));
        client.Stats.RateLimited.ShouldBeGreaterThan(0);
        server.Requests.Count(r => r.Status == 429).ShouldBe((int)client.Stats.RateLimited);
        client.Stats.Retries.ShouldBe(client.Stats.RateLimited);
    }

    [Fact]
    public async Task GetTradesAsync_PolledFasterThan100Trades_CompleteAndDuplicateFree()
    {
        var trades = Coinlake.Testing.TradeData.FreqtradeXrpEth();
        trades.Count.ShouldBe(12_477);
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(trades[50].Timestamp));
        await using var server = await FakeKucoinServer.StartAsync(new FakeKucoinOptions { TimeProvider = clock });
        server.AddTrades("XRP-ETH", trades);
        using var client = KucoinClient.Create("kucoin", _http, server.BaseUrl, Options(), clock);
        client.TradeDepth(MarketType.Spot).ShouldBe(TradeHistoryDepth.RecentOnly);
        var range = new TimeRange(trades[0].Timestamp, trades[^1].Timestamp + 1);
        var covered = range.Start;
        var seen = new Dictionary<string, Trade>(StringComparer.Ordinal);
        var polls = 0;
        while (covered < range.End)
        {
            polls++;
            await foreach (var page in client.GetTradesAsync(new TradeRequest(Symbol.Parse("XRP/ETH"), MarketType.Spot, range)))
            {
                page.Trades.Select(t => t.Id).ShouldBeUnique();
                page.Trades.ShouldBe(page.Trades.OrderBy(t => t.Timestamp).ToList());
                page.Covered.Start.ShouldBeLessThanOrEqualTo(covered); // no hole between polls
                covered = Math.Max(covered, page.Covered.End);
                foreach (var t in page.Trades)
                {
                    seen[t.Id] = t;
                }
            }

            // Next poll: as late as possible while fewer than 100 trades happen from the covered end on.
            var lo = trades.Count(t => t.Timestamp < covered);
            var j = Math.Min(trades.Count - 1, lo + 90);
            while (j > lo && trades.Count(t => t.Timestamp >= covered && t.Timestamp <= trades[j].Timestamp) > 99)
            {
                j--;
            }

            var next = j == trades.Count - 1 ? trades[^1].Timestamp + 1 : Math.Max(trades[j].Timestamp, covered + 1);
            clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(next));
        }

        polls.ShouldBeGreaterThan(100);
        covered.ShouldBe(range.End);
        seen.Values.OrderBy(t => t.Timestamp).ThenBy(t => long.Parse(t.Id, System.Globalization.CultureInfo.InvariantCulture)).ToList().ShouldBe(trades.ToList());
    }

    [Fact]
    public async Task GetTradesAsync_OneLateCall_ReturnsTheLast100AndClaimsOnlyTheirSpan()
    {
        var trades = Coinlake.Testing.TradeData.KrakenBchEur();
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(trades[^1].Timestamp + 5_000));
        await using var server = await FakeKucoinServer.StartAsync(new FakeKucoinOptions { TimeProvider = clock });
        server.AddTrades("BCH-EUR", trades);
        using var client = KucoinClient.Create("kucoin", _http, server.BaseUrl, Options(), clock);
        var range = new TimeRange(trades[0].Timestamp, trades[^1].Timestamp + 10_000);

        var pages = new List<TradePage>();
        await foreach (var page in client.GetTradesAsync(new TradeRequest(Symbol.Parse("BCH/EUR"), MarketType.Spot, range)))
        {
            pages.Add(page);
        }

        var last100 = trades.Skip(trades.Count - 100).ToList();
        pages.Single().Trades.Select(t => (t.Timestamp, t.Price, t.Amount)).ShouldBe(last100.Select(t => (t.Timestamp, t.Price, t.Amount)));
        pages[0].Covered.ShouldBe(new TimeRange(last100[0].Timestamp + 1, trades[^1].Timestamp + 5_000));
        server.CountRequests("/market/histories").ShouldBe(1);
    }

    [Fact]
    public async Task GetTickersAsync_AllChosenAndOne_ParsedFromTheDocumentedShape()
    {
        var now = BinanceUs[10_000].OpenTime + 30_000;
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(now));
        await using var server = await FakeKucoinServer.StartAsync(new FakeKucoinOptions { TimeProvider = clock });
        server.AddSeries("BTC-USDT", BinanceUs);
        using var client = KucoinClient.Create("kucoin", _http, server.BaseUrl, Options(), clock);
        var window = BinanceUs.Where(c => c.OpenTime > now - 86_400_000 && c.OpenTime <= now).ToList();

        var all = await client.GetTickersAsync(MarketType.Spot);
        var one = await client.GetTickersAsync(MarketType.Spot, [Symbol.Parse("BTC/USDT")]);
        var two = await client.GetTickersAsync(MarketType.Spot, [Symbol.Parse("ETH/BTC"), Symbol.Parse("BTC/USDT")]);

        all.Count.ShouldBe(634);
        var btc = all.Single(t => t.Symbol.ToString() == "BTC/USDT");
        btc.Timestamp.ShouldBe(now);
        btc.Last.ShouldBe(window[^1].Close);
        btc.Open.ShouldBe(window[0].Open);
        btc.High.ShouldBe(window.Max(c => c.High));
        btc.Low.ShouldBe(window.Min(c => c.Low));
        btc.BaseVolume.ShouldBe(window.Sum(c => c.Volume));
        btc.Change.ShouldBe(window[^1].Close - window[0].Open);
        btc.Bid!.Value.ShouldBeLessThan(btc.Ask!.Value);
        one.Single().ShouldBe(btc);
        two.Select(t => t.Symbol.ToString()).ShouldBe(["ETH/BTC", "BTC/USDT"]);
        two[0].Last.ShouldBeNull(); // listed, no candles in the window
        server.CountRequests("/market/stats").ShouldBe(1);
        server.CountRequests("/market/allTickers").ShouldBe(2);
        await Should.ThrowAsync<UnknownSymbolException>(() => client.GetTickersAsync(MarketType.Spot, [Symbol.Parse("NOPE/USDT")]));
        server.CountRequests("/market/").ShouldBe(3);
    }
}
