using BenchmarkDotNet.Attributes;
using Coinlake.Benchmarks.Infrastructure;
using Coinlake.Candles;
using Coinlake.Exchanges.Binance;
using Coinlake.Testing;
using Coinlake.Testing.Binance;

namespace Coinlake.Benchmarks.Suites;

/// <summary>
/// Parsing one 1000-candle Binance spot kline page (<c>GET /api/v3/klines?...&amp;limit=1000</c>, spot API
/// "Kline/Candlestick data") with the connector's <see cref="BinanceKlineParser"/>: <c>Utf8JsonReader</c>, exact
/// decimals from the quoted strings. The bytes are the body the fake Binance server sends for the real Binance.US
/// BTC/USDT 1m candles of 2023-03-10 00:00 UTC onwards (~190 KB, 8-decimal strings as Binance renders them).
/// Target: 1,000,000 candles/s on one core.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the suite.</remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[Config(typeof(CandleBenchConfig))]
public class KlineParseBenchmarks
{
    private static readonly Uri Url = new("https://api.binance.com/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1000");

    private byte[] _page = [];

    /// <summary>Size of the page body in bytes.</summary>
    public int PageBytes => _page.Length;

    /// <summary>Fetches the page from a <see cref="FakeBinanceServer"/> on loopback once; the server is stopped before measuring.</summary>
    [GlobalSetup]
    public void Setup() => _page = FetchPageAsync().GetAwaiter().GetResult();

    /// <summary>Parses the page: 1000 candles per invocation, so Mean is the time per candle.</summary>
    [Benchmark(OperationsPerInvoke = BenchData.PageSize)]
    [CandlesPerSecondTarget(1_000_000)]
    public List<Candle> ParseSpotPage() => BinanceKlineParser.Parse(_page, Url, "binance", hasVolume: true);

    /// <summary>The body of <c>/api/v3/klines</c> for 1000 real candles, exactly as the fake server writes it.</summary>
    internal static async Task<byte[]> FetchPageAsync()
    {
        var source = TestData.BinanceUsBtcUsdt1m();
        var start = source[9 * 1440].OpenTime; // 2023-03-10T00:00:00Z
        await using var server = await FakeBinanceServer.StartAsync();
        server.AddSeries("BTCUSDT", FakeMarket.Spot, source);
        using var http = new HttpClient();
        var url = new Uri(server.BaseUrl, FormattableString.Invariant($"/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={start}&limit={BenchData.PageSize}"));
        var body = await http.GetByteArrayAsync(url);
        var count = BinanceKlineParser.Parse(body, url, "binance", hasVolume: true).Count;
        return count == BenchData.PageSize
            ? body
            : throw new InvalidOperationException($"The fake server answered {count} klines to {url}; expected {BenchData.PageSize}.");
    }
}
