using System.Diagnostics;
using System.Globalization;
using Coinlake.Candles;
using Coinlake.Exchanges;
using Coinlake.Exchanges.Kraken;
using Coinlake.Markets;
using Coinlake.Pipeline.Backfill;
using Coinlake.Storage;
using Coinlake.Storage.Sqlite;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Testing.Bybit;
using Coinlake.Testing.Coinbase;
using Coinlake.Testing.Kraken;
using Coinlake.Testing.Kucoin;
using Coinlake.Testing.Okx;
using Coinlake.Benchmarks.Infrastructure;
using Coinlake.Time;

namespace Coinlake.Benchmarks.EndToEnd;

/// <summary>
/// Per-exchange end-to-end backfill (<c>dotnet run -c Release --project bench/Coinlake.Benchmarks -- e2e-exchanges
/// [--candles N] [--sink none|sqlite|both] [--venues okx,bybit,...]</c>): N 1m candles of BTC/USDT spot (default
/// 30,240 = the whole real Binance.US series from 2023-03-01; more are <see cref="FakeData.ContiguousOneMinute"/>)
/// from each venue's fake server, <b>in-process</b> on loopback (memory is not measured here), through the production
/// client (<see cref="ExchangeRegistry.Shared"/>, <see cref="TimeProvider.System"/>, default options: the venue's real
/// client-side rate limit) and <see cref="BackfillRunner"/> into a <see cref="NullSink"/> (connector + pipeline) and
/// into a <see cref="SqliteCandleSink"/> in a temp folder. The fakes enforce the venues' documented limits with their
/// default options, so a 429 would show. Prints per venue and sink: candles/s (inserted / wall time of
/// <c>RunAsync</c>), requests, 429s (server count and the client's), and the request ceiling the run is bound by.
/// Kraken serves only its 720 most recent candles from OHLC, so this 2023 range is rebuilt from
/// <c>/0/public/Trades</c> (four trades per candle, <see cref="KrakenTradeData.FromCandles"/>): that path's figure.
/// </summary>
public static class ExchangesBench
{
    private const long MinuteMs = 60_000;

    private static readonly string[] AllVenues = ["binance", "okx", "bybit", "kucoin", "coinbase", "kraken"];

    /// <summary>Runs the benchmark; returns 0 when every run stored every candle, 1 otherwise, 2 on bad arguments.</summary>
    /// <param name="args">Arguments after <c>e2e-exchanges</c>.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        var candles = TestData.BinanceUsBtcUsdt1m().Count;
        var sinks = new[] { "none", "sqlite" };
        var venues = AllVenues;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--candles": candles = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--sink":
                        sinks = args[++i] switch
                        {
                            "none" => ["none"],
                            "sqlite" => ["sqlite"],
                            "both" => ["none", "sqlite"],
                            var other => throw new ArgumentException($"--sink is none, sqlite or both, not '{other}'"),
                        };
                        break;
                    case "--venues":
                        venues = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        if (venues.FirstOrDefault(v => !AllVenues.Contains(v, StringComparer.Ordinal)) is { } bad)
                        {
                            throw new ArgumentException($"unknown venue '{bad}'; use {string.Join(",", AllVenues)}");
                        }

                        break;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
            }

            if (candles <= 0)
            {
                throw new ArgumentException("--candles must be positive");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IndexOutOfRangeException)
        {
            Console.Error.WriteLine($"e2e-exchanges: {ex.Message}. Usage: e2e-exchanges [--candles 30240] [--sink none|sqlite|both] [--venues {string.Join(",", AllVenues)}]");
            return 2;
        }

        var source = Source(candles);
        var range = new TimeRange(source[0].OpenTime, source[0].OpenTime + (candles * MinuteMs));
        Console.WriteLine($"Coinlake per-exchange backfill: {candles:N0} 1m candles BTC/USDT spot {range}, fake server in-process (loopback) -> ExchangeRegistry.Shared client (real client-side rate limits) -> BackfillRunner -> sink.");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {LoadAverage()}; .NET {Environment.Version}.");
        Console.WriteLine();
        Console.WriteLine("venue     sink     inserted   seconds   candles/s  requests  429(server/client)  retries  bound by");
        var ok = true;
        foreach (var venue in venues)
        {
            foreach (var sink in sinks)
            {
                ok &= await RunOneAsync(venue, sink, source, range);
            }
        }

        Console.WriteLine($"load after: {LoadAverage()}");
        return ok ? 0 : 1;
    }

    private static IReadOnlyList<Candle> Source(int candles)
    {
        var real = TestData.BinanceUsBtcUsdt1m();
        return candles <= real.Count ? [.. real.Take(candles)] : FakeData.ContiguousOneMinute(candles);
    }

    private static async Task<bool> RunOneAsync(string venue, string sinkName, IReadOnlyList<Candle> source, TimeRange range)
    {
        await using var fake = await StartFakeAsync(venue, source);
        using var folder = new TempFolder("e2e-x");
        var client = ExchangeRegistry.Shared.Create(venue, fake.BaseUrl, TimeProvider.System);
        try
        {
            await using ICandleSink sink = sinkName == "sqlite" ? new SqliteCandleSink(Path.Combine(folder.Path, "coinlake.db")) : new NullSink();
            var runner = new BackfillRunner(client, [sink], TimeProvider.System);
            var series = new SeriesKey(venue, Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last);
            var watch = Stopwatch.StartNew();
            var report = await runner.RunAsync("bench", series, range, new BackfillOptions());
            watch.Stop();
            var rate = report.Inserted / watch.Elapsed.TotalSeconds;
            var server429 = fake.TooManyRequests();
            var rebuilt = client is KrakenClient k ? $" ({k.CandlesRebuiltFromTrades:N0} rebuilt from trades)" : string.Empty;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{venue,-9} {sinkName,-7} {report.Inserted,9:N0} {watch.Elapsed.TotalSeconds,9:F2} {rate,11:N0} {client.Stats.Requests,9} {server429,9}/{client.Stats.RateLimited,-9} {client.Stats.Retries,8}  {fake.Bound}{rebuilt}"));
            // Kraken rebuilds candles from trades, and a minute without trades (volume 0 in the source) has no candle.
            var expected = venue == "kraken" ? source.Count(c => c.Volume > 0) : source.Count;
            var complete = report.Inserted == expected && report.Invalid == 0;
            if (!complete || report.RemainingGaps.Count > 0)
            {
                Console.WriteLine($"  {(complete ? "complete" : "INCOMPLETE")}: inserted {report.Inserted:N0} of {expected:N0} expected, {report.Invalid} invalid, gaps left: {string.Join(", ", report.RemainingGaps)}");
            }

            return complete;
        }
        finally
        {
            (client as IDisposable)?.Dispose();
        }
    }

    private static async Task<Fake> StartFakeAsync(string venue, IReadOnlyList<Candle> source)
    {
        switch (venue)
        {
            case "binance":
            {
                var s = await FakeBinanceServer.StartAsync();
                s.AddSeries("BTCUSDT", FakeMarket.Spot, source);
                return new Fake(s.BaseUrl, s, () => s.Requests.Count(r => r.Status is 429 or 418),
                    "6000 weight/min, 1000-candle page = weight 2 (never binds here: the run is CPU/loopback bound)");
            }

            case "okx":
            {
                var s = await FakeOkxServer.StartAsync();
                s.AddSeries("BTC-USDT", source);
                return new Fake(s.BaseUrl, s, () => s.Requests.Count(r => r.Status == 429),
                    "history-candles 20 req/2 s x 100 rows = 1,000 candles/s");
            }

            case "bybit":
            {
                var s = await FakeBybitServer.StartAsync();
                s.AddSeries(FakeBybitCategory.Spot, "BTCUSDT", source);
                return new Fake(s.BaseUrl, s, () => s.Requests.Count(r => r.Status == 429 || r.RetCode == 10006),
                    "client 500 req/5 s x 1000 rows = 100,000 candles/s (venue 600/5 s)");
            }

            case "kucoin":
            {
                var s = await FakeKucoinServer.StartAsync();
                s.AddSeries("BTC-USDT", source);
                return new Fake(s.BaseUrl, s, () => s.Requests.Count(r => r.Status == 429),
                    "public pool 2000 weight/30 s, candles weight 3 x 1500 rows = 33,333 candles/s");
            }

            case "coinbase":
            {
                var s = await FakeCoinbaseServer.StartAsync();
                s.AddSeries("BTC-USDT", source);
                return new Fake(s.BaseUrl, s, () => s.Requests.Count(r => r.Status == 429),
                    "10 req/s x 300 rows = 3,000 candles/s");
            }

            case "kraken":
            {
                var s = await FakeKrakenServer.StartAsync();
                s.AddSeries("XBTUSDT", source);
                s.AddTrades("XBTUSDT", KrakenTradeData.FromCandles(source));
                return new Fake(s.BaseUrl, s, () => s.Requests.Count(r => r.Status == 429 || (r.Error?.Contains("Too many requests", StringComparison.OrdinalIgnoreCase) ?? false)),
                    "1 req/s; OHLC window 720 rows, older rebuilt from Trades 1000 trades/page = 4 trades/candle -> 250 candles/s");
            }

            default:
                throw new ArgumentException($"unknown venue '{venue}'", nameof(venue));
        }
    }

    private static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"load average {parts[0]} {parts[1]} {parts[2]}";
        }
        catch (IOException)
        {
            return "load average unknown";
        }
    }

    /// <summary>A started fake server: its base URL, how to count its rate-limit answers, and the ceiling that bounds the run.</summary>
    private sealed class Fake(Uri baseUrl, IAsyncDisposable server, Func<int> tooManyRequests, string bound) : IAsyncDisposable
    {
        public Uri BaseUrl { get; } = baseUrl;

        public string Bound { get; } = bound;

        public int TooManyRequests() => tooManyRequests();

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }
}
