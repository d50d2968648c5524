using System.Diagnostics;
using System.Globalization;
using Coinlake.Testing;
using Coinlake.Testing.Binance;

namespace Coinlake.Benchmarks.EndToEnd;

/// <summary>What the fake server saw during a run.</summary>
/// <param name="Windows">Per weight window (virtual minute) with at least one request: its start (ms UTC), weight charged, klines answered 200.</param>
/// <param name="StatusCounts">Requests by HTTP status (0 = none sent).</param>
public sealed record ServerStats(IReadOnlyList<WindowStats> Windows, IReadOnlyDictionary<int, int> StatusCounts)
{
    /// <summary>Answers 429 (rate limited).</summary>
    public int TooManyRequests => StatusCounts.GetValueOrDefault(429);

    /// <summary>Answers 418 (IP banned).</summary>
    public int Banned => StatusCounts.GetValueOrDefault(418);

    /// <summary>Kline pages answered 200.</summary>
    public int Pages => Windows.Sum(w => w.Pages);
}

/// <summary>One weight window of the fake server.</summary>
/// <param name="Start">Window start, ms UTC on the server's clock.</param>
/// <param name="Weight">Request weight charged in it.</param>
/// <param name="Pages">Kline requests answered 200 in it.</param>
public readonly record struct WindowStats(long Start, int Weight, int Pages);

/// <summary>
/// A <see cref="FakeBinanceServer"/> in a child process (this executable with <c>e2e-server</c>), so the
/// benchmarked process holds only the client, the pipeline and the sink: its peak memory is the backfill's, not the
/// fake exchange's year of candles. Line protocol on stdin/stdout: the child prints <c>LISTENING &lt;url&gt;</c>;
/// <c>CLOCK ...</c> (<see cref="ScaledTimeProvider.Definition"/>) switches its clock (answer <c>OK</c>);
/// <c>STATS</c> prints <c>WINDOW start weight pages</c> and <c>STATUS code count</c> lines, then <c>END</c>; end of
/// input stops it.
/// </summary>
public sealed class FakeServerProcess : IAsyncDisposable
{
    /// <summary>The command-line verb of the child.</summary>
    public const string Verb = "e2e-server";

    private readonly Process _process;

    private FakeServerProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>The child server's root URL.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Starts a child serving <paramref name="candles"/> 1m candles of BTCUSDT spot from 2023-01-01.</summary>
    /// <param name="candles">Candles to serve (<see cref="FakeData.ContiguousOneMinute"/>).</param>
    /// <param name="weightLimit">Weight per minute window; 0 disables the server's rate limit.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="InvalidOperationException">The child did not come up; its error output is in the message.</exception>
    public static async Task<FakeServerProcess> StartAsync(int candles, int weightLimit, CancellationToken cancellationToken = default)
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find this executable to start the fake server process.");
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (string.Equals(Path.GetFileNameWithoutExtension(path), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(typeof(FakeServerProcess).Assembly.Location);
        }

        foreach (var arg in new[] { Verb, "--candles", candles.ToString(CultureInfo.InvariantCulture), "--weight-limit", weightLimit.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {path} {Verb}.");
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken);
            if (line is null || !line.StartsWith("LISTENING ", StringComparison.Ordinal))
            {
                var error = await process.StandardError.ReadToEndAsync(cancellationToken);
                throw new InvalidOperationException($"The fake server process did not start (said '{line}'): {error}");
            }

            return new FakeServerProcess(process, new Uri(line["LISTENING ".Length..]));
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>Switches the child's clock (weight windows, bans, request times) to <paramref name="clock"/>'s definition.</summary>
    public async Task SetClockAsync(ScaledTimeProvider clock, CancellationToken cancellationToken = default)
    {
        await _process.StandardInput.WriteLineAsync(clock.Definition.AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);
        await ExpectAsync("OK", cancellationToken);
    }

    /// <summary>The child's request statistics so far.</summary>
    public async Task<ServerStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        await _process.StandardInput.WriteLineAsync("STATS".AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);
        var windows = new List<WindowStats>();
        var statuses = new Dictionary<int, int>();
        while (await _process.StandardOutput.ReadLineAsync(cancellationToken) is { } line && line != "END")
        {
            var p = line.Split(' ');
            if (p[0] == "WINDOW")
            {
                windows.Add(new WindowStats(long.Parse(p[1], CultureInfo.InvariantCulture), int.Parse(p[2], CultureInfo.InvariantCulture), int.Parse(p[3], CultureInfo.InvariantCulture)));
            }
            else if (p[0] == "STATUS")
            {
                statuses[int.Parse(p[1], CultureInfo.InvariantCulture)] = int.Parse(p[2], CultureInfo.InvariantCulture);
            }
        }

        return new ServerStats(windows, statuses);
    }

    private async Task ExpectAsync(string expected, CancellationToken cancellationToken)
    {
        var line = await _process.StandardOutput.ReadLineAsync(cancellationToken);
        if (!string.Equals(line, expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The fake server process answered '{line}'; expected '{expected}'.");
        }
    }

    /// <summary>Closes the child's input (it stops) and waits for it; kills it after 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>The child's side: runs the server until its input ends.</summary>
    /// <param name="args">Arguments after the verb: <c>--candles N --weight-limit L</c>.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunChildAsync(string[] args)
    {
        var candles = FakeData.MinutesPerYear;
        var weightLimit = 0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--candles": candles = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--weight-limit": weightLimit = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown {Verb} option '{args[i]}'; use --candles N --weight-limit L.");
            }
        }

        var options = new FakeBinanceOptions { WeightLimit = weightLimit };
        await using var server = await FakeBinanceServer.StartAsync(options);
        server.AddSeries("BTCUSDT", FakeMarket.Spot, FakeData.ContiguousOneMinute(candles));
        Console.Out.WriteLine("LISTENING " + server.BaseUrl);
        Console.Out.Flush();
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("CLOCK ", StringComparison.Ordinal))
            {
                options.TimeProvider = ScaledTimeProvider.Parse(line);
                Console.Out.WriteLine("OK");
            }
            else if (line == "STATS")
            {
                WriteStats(server.Requests, (long)options.WeightWindow.TotalMilliseconds);
            }

            Console.Out.Flush();
        }

        return 0;
    }

    private static void WriteStats(IReadOnlyList<RecordedRequest> requests, long windowMs)
    {
        foreach (var window in requests.GroupBy(r => Math.DivRem(r.Time.ToUnixTimeMilliseconds(), windowMs).Quotient * windowMs).OrderBy(g => g.Key))
        {
            var pages = window.Count(r => r.Status == 200 && r.Path.EndsWith("klines", StringComparison.Ordinal));
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"WINDOW {window.Key} {window.Sum(r => r.Weight)} {pages}"));
        }

        foreach (var status in requests.GroupBy(r => r.Status))
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"STATUS {status.Key} {status.Count()}"));
        }

        Console.Out.WriteLine("END");
    }
}
