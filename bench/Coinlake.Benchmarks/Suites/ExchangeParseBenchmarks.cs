using System.Globalization;
using BenchmarkDotNet.Attributes;
using Coinlake.Benchmarks.EndToEnd;
using Coinlake.Benchmarks.Infrastructure;
using Coinlake.Candles;
using Coinlake.Exchanges;
using Coinlake.Exchanges.Binance;
using Coinlake.Exchanges.Bybit.Rest;
using Coinlake.Exchanges.Coinbase;
using Coinlake.Exchanges.Kraken.Rest;
using Coinlake.Exchanges.Kucoin;
using Coinlake.Exchanges.Okx.Rest;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Testing.Bybit;
using Coinlake.Testing.Coinbase;
using Coinlake.Testing.Kraken;
using Coinlake.Testing.Kucoin;
using Coinlake.Testing.Okx;
using Coinlake.Time;

namespace Coinlake.Benchmarks.Suites;

/// <summary>
/// Parsing one full 1m candle page per venue, as the venue sends it, with the connector's own
/// <c>Utf8JsonReader</c> parser (exact decimals from the venue's strings, the same entry point the client calls,
/// envelope included):
/// OKX <c>/api/v5/market/candles</c> (300 rows) and <c>/api/v5/market/history-candles</c> (100 rows, the client's
/// default <c>HistoryCandleLimit</c>), Bybit <c>/v5/market/kline</c> (1000), KuCoin <c>/api/v1/market/candles</c>
/// (1500), Coinbase <c>/products/{id}/candles</c> (300), Kraken <c>/0/public/OHLC</c> (its 720-row window), and
/// Binance <c>/api/v3/klines</c> (1000) for comparison. The bodies are fetched once over loopback in the global setup
/// from each venue's fake server (<c>tests/Coinlake.Testing/&lt;Venue&gt;</c>) serving the real Binance.US BTC/USDT 1m
/// candles, with the fakes' clock set just after the page so the "recent" endpoints (OKX candles, Kraken OHLC) serve
/// it. <c>OperationsPerInvoke</c> = the page's rows, so Mean is per candle. Target: 1,000,000 candles/s on one core.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the suite.</remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[Config(typeof(CandleBenchConfig))]
public class ExchangeParseBenchmarks
{
    /// <summary>Rows of an OKX <c>/market/candles</c> page (documented maximum <c>limit</c>).</summary>
    public const int OkxRecentRows = 300;

    /// <summary>Rows of an OKX <c>/market/history-candles</c> page (the client's default limit).</summary>
    public const int OkxHistoryRows = 100;

    /// <summary>Rows of a Bybit kline page (maximum <c>limit</c>).</summary>
    public const int BybitRows = 1000;

    /// <summary>Rows of a KuCoin candles page (the venue's cap per answer).</summary>
    public const int KucoinRows = 1500;

    /// <summary>Rows of a Coinbase candles page (the venue's cap per answer).</summary>
    public const int CoinbaseRows = 300;

    /// <summary>Rows of a Kraken OHLC answer (its window: the 720 most recent, the last in progress).</summary>
    public const int KrakenRows = 720;

    private const long MinuteMs = 60_000;

    private Page _okxRecent = Page.Empty;
    private Page _okxHistory = Page.Empty;
    private Page _bybit = Page.Empty;
    private Page _kucoin = Page.Empty;
    private Page _coinbase = Page.Empty;
    private Page _kraken = Page.Empty;
    private Page _binance = Page.Empty;

    /// <summary>Fetches every page from its fake server on loopback once; the servers are stopped before measuring.</summary>
    /// <exception cref="InvalidOperationException">A fake served another number of rows than the page holds.</exception>
    [GlobalSetup]
    public void Setup()
    {
        var pages = FetchPagesAsync().GetAwaiter().GetResult();
        (_okxRecent, _okxHistory, _bybit, _kucoin, _coinbase, _kraken, _binance) = pages;
        foreach (var (name, page, expected, parsed) in new (string, Page, int, int)[]
        {
            ("okx candles", _okxRecent, OkxRecentRows, OkxRecent().Count),
            ("okx history-candles", _okxHistory, OkxHistoryRows, OkxHistory().Count),
            ("bybit kline", _bybit, BybitRows, Bybit().Count),
            ("kucoin candles", _kucoin, KucoinRows, Kucoin().Count),
            ("coinbase candles", _coinbase, CoinbaseRows, Coinbase().Count),
            ("kraken OHLC", _kraken, KrakenRows, Kraken().Count),
            ("binance klines", _binance, BenchData.PageSize, Binance().Count),
        })
        {
            // Kraken and OKX drop the row in progress (never stored), so they parse one row fewer than they read.
            if (parsed < expected - 1)
            {
                throw new InvalidOperationException($"{name}: parsed {parsed} candles from {page.Url} ({page.Body.Length:N0} bytes); expected {expected}.");
            }

            Console.WriteLine($"// {name}: {page.Body.Length:N0} bytes, {parsed} candles parsed ({(double)page.Body.Length / expected:F0} B/row) from {page.Url.PathAndQuery}");
        }
    }

    /// <summary>OKX <c>/api/v5/market/candles</c>, 300 rows: envelope + <c>OkxCandleParser</c> (spot shape).</summary>
    [Benchmark(OperationsPerInvoke = OkxRecentRows)]
    [CandlesPerSecondTarget(1_000_000)]
    public List<Candle> OkxRecent() => Okx(_okxRecent).Candles;

    /// <summary>OKX <c>/api/v5/market/history-candles</c>, 100 rows.</summary>
    [Benchmark(OperationsPerInvoke = OkxHistoryRows)]
    [CandlesPerSecondTarget(1_000_000)]
    public List<Candle> OkxHistory() => Okx(_okxHistory).Candles;

    /// <summary>Bybit <c>/v5/market/kline</c>, 1000 rows: <c>BybitEnvelope.Parse</c> + <c>BybitKlineParser.ReadResult</c>.</summary>
    [Benchmark(OperationsPerInvoke = BybitRows)]
    [CandlesPerSecondTarget(1_000_000)]
    public List<Candle> Bybit() =>
        BybitEnvelope.Parse(_bybit.Body, _bybit.Url, "bybit", static (ref reader, u) => BybitKlineParser.ReadResult(ref reader, u, "bybit", BybitKlineShape.Linear)).Result!;

    /// <summary>KuCoin <c>/api/v1/market/candles</c>, 1500 rows: <c>KucoinCandleParser.Parse</c>.</summary>
    [Benchmark(OperationsPerInvoke = KucoinRows)]
    [CandlesPerSecondTarget(1_000_000)]
    public List<Candle> Kucoin() => KucoinCandleParser.Parse(_kucoin.Body, _kucoin.Url, "kucoin", Timeframe.OneMinute);

    /// <summary>Coinbase <c>/products/BTC-USDT/candles</c>, 300 rows: <c>CoinbaseCandleParser.Parse</c>.</summary>
    [Benchmark(OperationsPerInvoke = CoinbaseRows)]
    [CandlesPerSecondTarget(1_000_000)]
    public List<Candle> Coinbase() => CoinbaseCandleParser.Parse(_coinbase.Body, _coinbase.Url, "coinbase");

    /// <summary>Kraken <c>/0/public/OHLC</c>, 720 rows: <c>KrakenOhlcParser.Parse</c>.</summary>
    [Benchmark(OperationsPerInvoke = KrakenRows)]
    [CandlesPerSecondTarget(1_000_000)]
    public List<Candle> Kraken() => KrakenOhlcParser.Parse(_kraken.Body, _kraken.Url, "kraken").Result!.Rows;

    /// <summary>Binance <c>/api/v3/klines</c>, 1000 rows (the same page as <see cref="KlineParseBenchmarks"/>), for comparison.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = BenchData.PageSize)]
    [CandlesPerSecondTarget(1_000_000)]
    public List<Candle> Binance() => BinanceKlineParser.Parse(_binance.Body, _binance.Url, "binance", hasVolume: true);

    private static OkxCandleRows Okx(Page page)
    {
        if (!OkxEnvelope.TryRead(page.Body, out var envelope) || !envelope.IsSuccess)
        {
            throw new MalformedResponseException("okx", page.Url, "not a success envelope");
        }

        return OkxCandleParser.Parse(envelope.Data(page.Body), page.Url, "okx", OkxCandleShape.Spot);
    }

    /// <summary>
    /// The pages, each the body a fake server sends. The page starts at 2023-03-10 00:00 UTC in the real series; the
    /// fakes' clock reads 30 s after the open of the page's 1501st minute, so the OKX and Kraken "recent" windows hold it.
    /// </summary>
    private static async Task<(Page, Page, Page, Page, Page, Page, Page)> FetchPagesAsync()
    {
        var source = TestData.BinanceUsBtcUsdt1m();
        var start = source[9 * 1440].OpenTime; // 2023-03-10T00:00:00Z
        var now = DateTimeOffset.FromUnixTimeMilliseconds(start + (KucoinRows * MinuteMs) + 30_000);
        var clock = new ScaledTimeProvider(TimeProvider.System.GetUtcNow(), now, 1);
        using var http = new HttpClient();

        Page okxRecent, okxHistory, bybit, kucoin, coinbase, kraken, binance;
        await using (var okx = await FakeOkxServer.StartAsync(new FakeOkxOptions { TimeProvider = clock, RateLimitsEnabled = false }))
        {
            okx.AddSeries("BTC-USDT", source);
            okxRecent = await GetAsync(http, okx.BaseUrl, FormattableString.Invariant($"/api/v5/market/candles?instId=BTC-USDT&bar=1m&limit={OkxRecentRows}"));
            okxHistory = await GetAsync(http, okx.BaseUrl, FormattableString.Invariant($"/api/v5/market/history-candles?instId=BTC-USDT&bar=1m&after={start + (OkxHistoryRows * MinuteMs)}&limit={OkxHistoryRows}"));
        }

        await using (var server = await FakeBybitServer.StartAsync(new FakeBybitOptions { TimeProvider = clock }))
        {
            server.AddSeries(FakeBybitCategory.Spot, "BTCUSDT", source);
            bybit = await GetAsync(http, server.BaseUrl, FormattableString.Invariant($"/v5/market/kline?category=spot&symbol=BTCUSDT&interval=1&start={start}&end={start + ((BybitRows - 1) * MinuteMs)}&limit={BybitRows}"));
        }

        await using (var server = await FakeKucoinServer.StartAsync(new FakeKucoinOptions { TimeProvider = clock }))
        {
            server.AddSeries("BTC-USDT", source);
            kucoin = await GetAsync(http, server.BaseUrl, FormattableString.Invariant($"/api/v1/market/candles?type=1min&symbol=BTC-USDT&startAt={start / 1000}&endAt={(start + (KucoinRows * MinuteMs)) / 1000}"));
        }

        await using (var server = await FakeCoinbaseServer.StartAsync(new FakeCoinbaseOptions { TimeProvider = clock }))
        {
            server.AddSeries("BTC-USDT", source);
            var from = DateTimeOffset.FromUnixTimeMilliseconds(start).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            var to = DateTimeOffset.FromUnixTimeMilliseconds(start + ((CoinbaseRows - 1) * MinuteMs)).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            coinbase = await GetAsync(http, server.BaseUrl, FormattableString.Invariant($"/products/BTC-USDT/candles?granularity=60&start={from}&end={to}"));
        }

        await using (var server = await FakeKrakenServer.StartAsync(new FakeKrakenOptions { TimeProvider = clock, RateLimitBurst = 0 }))
        {
            server.AddSeries("XBTUSDT", source);
            kraken = await GetAsync(http, server.BaseUrl, "/0/public/OHLC?pair=XBTUSDT&interval=1");
        }

        await using (var server = await FakeBinanceServer.StartAsync())
        {
            server.AddSeries("BTCUSDT", FakeMarket.Spot, source);
            binance = await GetAsync(http, server.BaseUrl, FormattableString.Invariant($"/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={start}&limit={BenchData.PageSize}"));
        }

        return (okxRecent, okxHistory, bybit, kucoin, coinbase, kraken, binance);
    }

    private static async Task<Page> GetAsync(HttpClient http, Uri baseUrl, string pathAndQuery)
    {
        var url = new Uri(baseUrl, pathAndQuery);
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode
            ? new Page(body, url)
            : throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(300, body.Length)))}");
    }

    private sealed record Page(byte[] Body, Uri Url)
    {
        public static Page Empty { get; } = new([], new Uri("http://localhost/"));
    }
}
