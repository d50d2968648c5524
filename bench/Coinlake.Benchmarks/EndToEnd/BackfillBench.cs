using System.Diagnostics;
using System.Globalization;
using Coinlake.Benchmarks.Infrastructure;
using Coinlake.Exchanges;
using Coinlake.Exchanges.Binance;
using Coinlake.Pipeline.Backfill;
using Coinlake.Pipeline.Reports;
using Coinlake.Storage.Sqlite;
using Coinlake.Testing;
using Coinlake.Time;

namespace Coinlake.Benchmarks.EndToEnd;

/// <summary>
/// End-to-end backfill benchmark (<c>dotnet run -c Release --project bench/Coinlake.Benchmarks -- e2e</c>): one year
/// of 1m candles (525,600, <see cref="FakeData"/>'s series from the real Binance.US data) from a
/// <see cref="FakeBinanceServer"/> (child process) through <see cref="BinanceClient"/> and
/// <see cref="BackfillRunner"/> into a <see cref="SqliteCandleSink"/> file in a temp folder. One long run, so not
/// BenchmarkDotNet. Modes: <c>unlimited</c> (server rate limit off: candles/s and peak memory), <c>limited</c>
/// (scaled rate-limit run: achieved / ceiling and 429 count), <c>all</c> (default). <c>--sink none</c> replaces SQLite
/// with a <see cref="NullSink"/> to measure the client and the pipeline alone.
/// </summary>
public static class BackfillBench
{
    private const long MinuteMs = 60_000;
    private const int SpotPageWeight = 2;        // spot API "Kline/Candlestick data": weight 2 for any limit
    private const int ExchangeInfoWeight = 20;   // spot API "Exchange information": weight 20
    private const int BinanceSpotLimit = 6000;   // spot API "LIMITS": REQUEST_WEIGHT 6000 per minute

    /// <summary>Runs the benchmark; returns 0 when every target is met, 1 when one is missed, 2 on bad arguments.</summary>
    /// <param name="args">Arguments after <c>e2e</c>: <c>[all|unlimited|limited] [--candles N] [--limit W] [--factor F] [--sink sqlite|none]</c>.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        var mode = "all";
        var candles = FakeData.MinutesPerYear;
        var limit = 100;
        var factor = 20.0;
        var store = true;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "all" or "unlimited" or "limited": mode = args[i]; break;
                    case "--candles": candles = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--limit": limit = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--factor": factor = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--sink":
                        store = args[++i] switch
                        {
                            "sqlite" => true,
                            "none" => false,
                            var other => throw new ArgumentException($"--sink is 'sqlite' or 'none', not '{other}'"),
                        };
                        break;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
            }

            if (candles <= 0 || limit < ExchangeInfoWeight || factor <= 0)
            {
                throw new ArgumentException("--candles must be positive, --limit at least 20 (the weight of exchangeInfo), --factor positive");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IndexOutOfRangeException)
        {
            Console.Error.WriteLine($"e2e: {ex.Message}. Usage: e2e [all|unlimited|limited] [--candles 525600] [--limit 100] [--factor 20] [--sink sqlite|none]");
            return 2;
        }

        Console.WriteLine($"Coinlake end-to-end backfill benchmark: {candles:N0} 1m candles of binance BTC/USDT spot from 2023-01-01, FakeBinanceServer (child process, loopback) -> BinanceClient -> BackfillRunner -> {(store ? "SQLite (temp folder)" : "no sink (candles discarded)")}.");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {LoadAverage()}; .NET {Environment.Version}, server GC: {System.Runtime.GCSettings.IsServerGC}.");
        var ok = true;
        if (mode is "all" or "unlimited")
        {
            ok &= await UnlimitedAsync(candles, store);
        }

        if (mode is "all" or "limited")
        {
            ok &= await LimitedAsync(candles, limit, factor, store);
        }

        return ok ? 0 : 1;
    }

    private static async Task<bool> UnlimitedAsync(int candles, bool store)
    {
        Console.WriteLine();
        Console.WriteLine("== (a) server rate limit off ==");
        await using var server = await FakeServerProcess.StartAsync(candles, weightLimit: 0);
        var run = await BackfillAsync(server, candles, TimeProvider.System, new BinanceOptions(), store);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var stats = await server.GetStatsAsync();
        var rate = run.Report.Inserted / run.Elapsed.TotalSeconds;
        var peakMb = self.PeakWorkingSet64 / 1048576.0;
        Console.WriteLine($"stored: {run.Report.Inserted:N0} inserted, {run.Report.Updated:N0} updated, {run.Report.RemainingGaps.Count} gaps left; {stats.Pages} pages, {run.Requests} requests, {stats.TooManyRequests} x 429");
        Console.WriteLine($"time: {run.Elapsed.TotalSeconds:F2} s -> {rate:N0} candles/s (target >= 150,000: {Verdict(rate >= 150_000)}); CPU of this process {run.Cpu.TotalSeconds:F2} s ({run.Cpu / run.Elapsed:P0} of one core)");
        Console.WriteLine($"writer: {run.UpsertTime.TotalSeconds:F2} s in sink upserts ({run.UpsertTime / run.Elapsed:P0} of the run, {run.UpsertTime.TotalMicroseconds / candles:F1} us/candle), {run.OtherSinkTime.TotalSeconds:F2} s in coverage reads/flush; the rest waiting for pages (HTTP + parse) and validating");
        Console.WriteLine($"memory: peak working set {peakMb:F0} MB (target < 200 MB: {Verdict(peakMb < 200)}), peak managed heap {run.PeakManagedBytes / 1048576.0:F0} MB, allocated {run.AllocatedBytes / 1048576.0:F0} MB ({(double)run.AllocatedBytes / candles:F0} B/candle), GCs gen0/1/2 {run.Gen0}/{run.Gen1}/{run.Gen2}");
        Console.WriteLine($"load after: {LoadAverage()}");
        return Complete(run, candles) && rate >= 150_000 && peakMb < 200;
    }

    private static async Task<bool> LimitedAsync(int candles, int limit, double factor, bool store)
    {
        Console.WriteLine();
        Console.WriteLine("== (b) rate limit on, scaled clock ==");
        var pages = (candles + BenchData.PageSize - 1) / BenchData.PageSize;
        var ceiling = limit / SpotPageWeight;
        var weightNeeded = (pages * SpotPageWeight) + ExchangeInfoWeight;
        Console.WriteLine($"Scaling: Binance allows {BinanceSpotLimit} weight/minute and a 1000-candle spot klines page weighs {SpotPageWeight}, a ceiling of {BinanceSpotLimit / SpotPageWeight:N0} pages/minute;");
        Console.WriteLine($"  the {pages} pages of this run fit in one minute's budget, so the real limit would never bind. Instead the fake server and the client share");
        Console.WriteLine($"  one clock running x{factor:G} (a minute window lasts {60 / factor:G} real seconds) and both allow {limit} weight/minute: a ceiling of {ceiling} pages");
        Console.WriteLine($"  ({ceiling * BenchData.PageSize:N0} candles) per window. The run needs {weightNeeded:N0} weight ({pages} pages + exchangeInfo {ExchangeInfoWeight}), i.e. >= {(weightNeeded + limit - 1) / limit} windows.");
        await using var server = await FakeServerProcess.StartAsync(candles, limit);
        var now = TimeProvider.System.GetUtcNow();
        var windowStart = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var clock = new ScaledTimeProvider(now, windowStart, factor); // starts at a window boundary: no partial first window
        await server.SetClockAsync(clock);
        var options = new BinanceOptions
        {
            SpotWeightLimitPerMinute = limit,
            RequestTimeout = TimeSpan.FromSeconds(30 * factor), // 30 real seconds on the scaled clock
        };
        var virtualStart = clock.GetUtcNow();
        var run = await BackfillAsync(server, candles, clock, options, store);
        var virtualElapsed = clock.GetUtcNow() - virtualStart;
        var stats = await server.GetStatsAsync();

        Console.WriteLine("window (virtual time)  weight  pages");
        foreach (var w in stats.Windows)
        {
            Console.WriteLine($"  {DateTimeOffset.FromUnixTimeMilliseconds(w.Start):HH:mm:ss}           {w.Weight,5}  {w.Pages,5}");
        }

        // Every window but the last is one the run had to wait out; the last one ends when the data does.
        var first = stats.Windows[0].Start;
        var last = stats.Windows[^1].Start;
        var fullWindows = (int)((last - first) / MinuteMs);
        var fullWeight = stats.Windows.Where(w => w.Start < last).Sum(w => w.Weight);
        var utilization = fullWindows == 0 ? double.NaN : (double)fullWeight / (fullWindows * limit);
        var pagesPerMinute = stats.Pages / virtualElapsed.TotalMinutes;
        var tooMany = stats.TooManyRequests + stats.Banned;
        Console.WriteLine($"stored: {run.Report.Inserted:N0} inserted, {run.Report.RemainingGaps.Count} gaps left; {stats.Pages} pages in {stats.Windows.Count} windows, {virtualElapsed.TotalMinutes:F2} virtual minutes ({run.Elapsed.TotalSeconds:F1} s real)");
        Console.WriteLine($"achieved: {fullWeight} of {fullWindows * limit} weight in the {fullWindows} full windows = {utilization:P1} of the ceiling (target >= 90%: {Verdict(utilization >= 0.9)});");
        Console.WriteLine($"  over the whole run {pagesPerMinute:F1} pages per virtual minute vs ceiling {ceiling} ({pagesPerMinute / ceiling:P1}; the last window is only partly needed)");
        Console.WriteLine($"rate-limit answers: {stats.TooManyRequests} x 429, {stats.Banned} x 418 (target 0: {Verdict(tooMany == 0)}); client counted {run.RateLimited}, retries {run.Retries}");
        Console.WriteLine($"load after: {LoadAverage()}");
        return Complete(run, candles) && utilization >= 0.9 && tooMany == 0 && run.RateLimited == 0;
    }

    private static async Task<RunResult> BackfillAsync(FakeServerProcess server, int candles, TimeProvider clock, BinanceOptions options, bool store)
    {
        using var folder = new TempFolder("e2e");
        using var registry = new ExchangeRegistry();
        var client = registry.Create("binance", server.BaseUrl, clock, options: options);
        try
        {
            await using var sink = new TimingSink(store ? new SqliteCandleSink(Path.Combine(folder.Path, "coinlake.db")) : new NullSink());
            var runner = new BackfillRunner(client, [sink], clock);
            var range = new TimeRange(FakeData.DefaultStart, FakeData.DefaultStart + (candles * MinuteMs));
            var sampler = new MemorySampler();
            var gen0 = GC.CollectionCount(0);
            var gen1 = GC.CollectionCount(1);
            var gen2 = GC.CollectionCount(2);
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            using var self = Process.GetCurrentProcess();
            var cpu = self.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var report = await runner.RunAsync("bench", BenchData.Series, range, new BackfillOptions(), sampler);
            watch.Stop();
            self.Refresh();
            return new RunResult(
                report,
                watch.Elapsed,
                self.TotalProcessorTime - cpu,
                GC.GetTotalAllocatedBytes(precise: true) - allocated,
                sampler.PeakManagedBytes,
                sink.UpsertTime,
                sink.OtherTime,
                GC.CollectionCount(0) - gen0,
                GC.CollectionCount(1) - gen1,
                GC.CollectionCount(2) - gen2,
                client.Stats.Requests,
                client.Stats.RateLimited,
                client.Stats.Retries,
                store);
        }
        finally
        {
            (client as IDisposable)?.Dispose();
        }
    }

    private static bool Complete(RunResult run, int candles)
    {
        var complete = run.Report.Inserted == candles && (!run.Stored || run.Report.RemainingGaps.Count == 0) && run.Report.Invalid == 0;
        if (!complete)
        {
            Console.WriteLine($"INCOMPLETE: inserted {run.Report.Inserted:N0} of {candles:N0}, {run.Report.RemainingGaps.Count} gaps, {run.Report.Invalid} invalid");
        }

        return complete;
    }

    private static string Verdict(bool met) => met ? "met" : "MISSED";

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

    private sealed record RunResult(
        SeriesReport Report,
        TimeSpan Elapsed,
        TimeSpan Cpu,
        long AllocatedBytes,
        long PeakManagedBytes,
        TimeSpan UpsertTime,
        TimeSpan OtherSinkTime,
        int Gen0,
        int Gen1,
        int Gen2,
        long Requests,
        long RateLimited,
        long Retries,
        bool Stored);

    /// <summary>Samples the managed heap after every page the runner reports.</summary>
    private sealed class MemorySampler : IProgress<BackfillProgress>
    {
        private long _peak;

        public long PeakManagedBytes => Interlocked.Read(ref _peak);

        public void Report(BackfillProgress value)
        {
            var bytes = GC.GetTotalMemory(forceFullCollection: false);
            long seen;
            while (bytes > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, bytes, seen) != seen)
            {
            }
        }
    }
}
