using System.Diagnostics;
using System.Globalization;
using Coinlake.Benchmarks.Infrastructure;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Server;
using Coinlake.Storage.Sqlite;
using Coinlake.Testing;
using Coinlake.Time;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coinlake.Benchmarks.EndToEnd;

/// <summary>
/// <c>GET /api/candles</c> benchmark (<c>dotnet run -c Release --project bench/Coinlake.Benchmarks -- api</c>): one month
/// (31 days, 44,640) of 1m candles in the server's SQLite database, read back over HTTP on loopback by one client, page
/// after page, as JSON and CSV; and the whole month in one request. Reports p50/p99 latency per request and rows/s.
/// One long run, so not BenchmarkDotNet.
/// </summary>
public static class ApiCandlesBench
{
    private const int MonthCandles = 31 * 1440;

    /// <summary>Runs the benchmark; 0 on success, 2 on bad arguments.</summary>
    /// <param name="args">Arguments after <c>api</c>: <c>[--passes N]</c> (full-month passes per scenario, default 10).</param>
    public static async Task<int> RunAsync(string[] args)
    {
        var passes = 10;
        if (args is ["--passes", var n] && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
        {
            passes = parsed;
        }
        else if (args.Length > 0)
        {
            await Console.Error.WriteLineAsync("usage: api [--passes N]");
            return 2;
        }

        using var folder = new TempFolder("api");
        var options = new ServerOptions { Urls = "http://127.0.0.1:0", BaseDirectory = folder.Path, RunJobs = false, MaxCandlePage = MonthCandles };
        var series = new SeriesKey("binance", Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last);
        var candles = FakeData.ContiguousOneMinute(MonthCandles);
        Directory.CreateDirectory(options.DataPath);
        await using (var sink = new SqliteCandleSink(options.DatabasePath))
        {
            await sink.UpsertAsync(series, candles);
        }

        var app = CoinlakeServer.BuildWebApp(options, configureLogging: l => l.SetMinimumLevel(LogLevel.Warning));
        await using (app)
        {
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            var from = candles[0].OpenTime;
            var to = candles[^1].OpenTime + 60_000;

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GET /api/candles, one month of 1m candles ({MonthCandles:N0}) from SQLite, {passes} passes per scenario, 1 client on loopback"));
            Console.WriteLine("scenario                     requests   p50 ms   p99 ms     rows/s");
            await ReaderBaselineAsync(options, series, passes);
            foreach (var (name, page, csv) in new[] { ("json, pages of 1,000", 1000, false), ("csv, pages of 1,000", 1000, true), ("json, pages of 10,000", 10_000, false), ("json, whole month", MonthCandles, false) })
            {
                await MonthAsync(client, from, to, page, csv); // warm-up
                var latencies = new List<double>();
                long rows = 0;
                var total = Stopwatch.StartNew();
                for (var i = 0; i < passes; i++)
                {
                    rows += await MonthAsync(client, from, to, page, csv, latencies);
                }

                total.Stop();
                if (rows != (long)MonthCandles * passes)
                {
                    throw new InvalidOperationException($"read {rows} rows, expected {MonthCandles * passes}");
                }

                latencies.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-26} {latencies.Count,10} {Percentile(latencies, 0.50),8:0.00} {Percentile(latencies, 0.99),8:0.00} {rows / total.Elapsed.TotalSeconds,10:N0}"));
            }

            await app.StopAsync();
        }

        return 0;
    }

    /// <summary>The month read with <see cref="SqliteCandleReader"/> in-process, no HTTP: the storage share of the cost.</summary>
    private static async Task ReaderBaselineAsync(ServerOptions options, SeriesKey series, int passes)
    {
        var reader = new SqliteCandleReader(options.DatabasePath, options.CandleTable);
        var latencies = new List<double>();
        long rows = 0;
        var total = Stopwatch.StartNew();
        for (var i = 0; i <= passes; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await foreach (var _ in reader.ReadAsync(series))
            {
                rows += i == 0 ? 0 : 1;
            }

            if (i == 0)
            {
                total.Restart();
                continue;
            }

            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        total.Stop();
        latencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"(baseline) reader, no HTTP",-26} {latencies.Count,10} {Percentile(latencies, 0.50),8:0.00} {Percentile(latencies, 0.99),8:0.00} {rows / total.Elapsed.TotalSeconds,10:N0}"));
    }

    private static async Task<long> MonthAsync(HttpClient client, long from, long to, int page, bool csv, List<double>? latencies = null)
    {
        long rows = 0;
        string? cursor = null;
        do
        {
            var url = string.Create(CultureInfo.InvariantCulture,
                $"/api/candles?exchange=binance&symbol=BTC/USDT&timeframe=1m&from={from}&to={to}&limit={page}{(csv ? "&format=csv" : "")}{(cursor is null ? "" : "&cursor=" + cursor)}");
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(url);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsByteArrayAsync();
            latencies?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            rows += csv ? body.Count(b => b == (byte)'\n') - 1 : CountRows(body);
            cursor = response.Headers.TryGetValues("X-Next-Cursor", out var values) ? values.First() : null;
        }
        while (cursor is not null);

        return rows;
    }

    private static int CountRows(byte[] json)
    {
        var count = 0;
        var needle = "\"open_time\""u8;
        var span = json.AsSpan();
        int index;
        while ((index = span.IndexOf(needle)) >= 0)
        {
            count++;
            span = span[(index + needle.Length)..];
        }

        return count;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
