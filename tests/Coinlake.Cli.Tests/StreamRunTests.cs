using System.Globalization;
using System.Runtime.CompilerServices;
using Coinlake.Candles;
using Coinlake.Cli.Commands;
using Coinlake.Cli.Hosting;
using Coinlake.Exchanges;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Time;
using Microsoft.Data.Sqlite;

namespace Coinlake.Cli.Tests;

/// <summary><c>coinlake run</c> with <c>mode: stream</c> tasks, in-process with a scripted stream (no live connector needed).</summary>
public sealed class StreamRunTests : IDisposable
{
    private static readonly long T0 = DateTimeOffset.Parse("2023-03-01T00:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static List<MarketEvent> Script(StreamSubscription subscription, int candles)
    {
        var events = new List<MarketEvent>();
        for (var i = 0; i < candles; i++)
        {
            var open = T0 + (i * 60_000L);
            var candle = new Candle(open, 100 + i, 101 + i, 99 + i, 100.5m + i, 2.5m);
            events.Add(new CandleEvent(subscription, open + 30_000, candle with { Close = 100 + i }, false));
            events.Add(new CandleEvent(subscription, open + 60_000, candle, true));
        }

        return events;
    }

    private async Task<CliResult> RunAsync(ScriptedClient client, CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var context = new CliContext
        {
            Out = output,
            Error = error,
            WorkingDirectory = _cli.Directory,
            GetEnvironmentVariable = _ => null,
            IsTerminal = false,
            CreateClient = _ => client,
        };
        var code = await CoinlakeCli.RunAsync(args, context, cancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Run_StreamTaskStopped_FlushesEverythingReceivedIntoSqliteAndPrintsTheStreamReport()
    {
        var file = _cli.WriteFile("live.yaml", """
            version: 1
            tasks:
              - name: live
                mode: stream
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1m
                heal_lookback: 0
                format: sqlite
                output: live.db
            """);
        var client = new ScriptedClient(Script(StreamSubscription.Candles(Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute), 25));
        using var stop = new CancellationTokenSource();

        var run = RunAsync(client, stop.Token, "run", file);
        await client.Drained.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync(); // what SIGINT/SIGTERM do
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Out.ShouldContain("stream live: 50 events; candles 25 new, 0 updated");
        result.Out.ShouldContain("0 unhealed");
        using var connection = new SqliteConnection($"Data Source={_cli.Path("live.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), MIN(open_time), MAX(open_time) FROM candles WHERE timeframe = '1m'";
        using var reader = command.ExecuteReader();
        reader.Read().ShouldBeTrue();
        reader.GetInt64(0).ShouldBe(25);
    }

    [Fact]
    public async Task Run_TickerStreamWithAlerts_WritesSnapshotsAndAnAlertRowForA2PercentMove()
    {
        var file = _cli.WriteFile("tickers.yaml", """
            version: 1
            tasks:
              - name: watch
                mode: stream
                stream: tickers
                exchange: binance
                symbols: [BTC/USDT, ETH/USDT]
                interval: 1
                alert_percent: 1
                alert_window: 60
                format: sqlite
                output: live.db
            """);
        var btc = StreamSubscription.Tickers(Symbol.Parse("BTC/USDT"), MarketType.Spot);
        var eth = StreamSubscription.Tickers(Symbol.Parse("ETH/USDT"), MarketType.Spot);
        static TickerEvent Tick(StreamSubscription s, int second, decimal last) =>
            new(s, T0 + (second * 1000L), new Tickers.Ticker(s.Symbol, T0 + (second * 1000L), last, last - 1, last + 1, null, null, null, null, null, null, null));
        var script = new List<MarketEvent>
        {
            Tick(btc, 0, 20_000m), Tick(eth, 0, 1_500m),
            Tick(btc, 10, 20_100m), Tick(eth, 10, 1_501m),
            Tick(btc, 20, 20_400m), Tick(eth, 20, 1_502m), // BTC +2 % within 20 s; ETH +0.13 %
        };
        var client = new ScriptedClient(script);
        using var stop = new CancellationTokenSource();

        var run = RunAsync(client, stop.Token, "run", file);
        await client.Drained.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(1500); // one snapshot interval
        await stop.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        result.ExitCode.ShouldBe(0, result.ToString());
        using var connection = new SqliteConnection($"Data Source={_cli.Path("live.db")};Pooling=False");
        connection.Open();
        using var alerts = connection.CreateCommand();
        alerts.CommandText = "SELECT symbol, direction FROM alerts";
        using (var reader = alerts.ExecuteReader())
        {
            reader.Read().ShouldBeTrue("one alert row");
            reader.GetString(0).ShouldBe("BTC/USDT");
            reader.GetString(1).ShouldBe("up");
            reader.Read().ShouldBeFalse("ETH moved 0.13 %: no alert");
        }

        using var tickers = connection.CreateCommand();
        tickers.CommandText = "SELECT symbol, last FROM tickers ORDER BY timestamp DESC, symbol";
        using var rows = tickers.ExecuteReader();
        var latest = new Dictionary<string, double>();
        while (rows.Read())
        {
            latest.TryAdd(rows.GetString(0), rows.GetDouble(1));
        }

        latest["BTC/USDT"].ShouldBe(20_400);
        latest["ETH/USDT"].ShouldBe(1_502);

        // The collector's table, in its plain form off a terminal: a summary line and the alert.
        result.Error.ShouldContain("tickers binance: 2 symbol(s), 6 update(s)");
        result.Error.ShouldContain("alert binance BTC/USDT up +2% 20000 -> 20400");
    }

    [Fact]
    public async Task Run_StreamIntoParquet_WritesRotatingPartFilesThatCompactIntoTheMonthlyFiles()
    {
        var file = _cli.WriteFile("parts.yaml", """
            version: 1
            tasks:
              - name: live
                mode: stream
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1m
                heal_lookback: 0
                rotate_rows: 10
                format: parquet
                output: pq
            """);
        var client = new ScriptedClient(Script(StreamSubscription.Candles(Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute), 25));
        using var stop = new CancellationTokenSource();

        var run = RunAsync(client, stop.Token, "run", file);
        await client.Drained.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        result.ExitCode.ShouldBe(0, result.ToString());
        var parts = Directory.GetFiles(_cli.Path("pq"), "live.part-*.parquet");
        parts.Length.ShouldBeGreaterThanOrEqualTo(2);
        parts.ShouldAllBe(p => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(p), @"^live\.part-\d{8}_\d{6}(-\d+)?\.parquet$"));

        var compact = await _cli.RunAsync("compact", _cli.Path("pq"), "--delete-parts");
        compact.ExitCode.ShouldBe(0, compact.ToString());
        Directory.GetFiles(_cli.Path("pq"), "live.part-*.parquet").ShouldBeEmpty();
        var audit = await _cli.RunAsync("audit", _cli.Path("pq"), "--strict");
        audit.ExitCode.ShouldBe(0, audit.ToString());
        audit.Out.ShouldContain("25");
    }

    [Fact]
    public async Task Run_StreamTaskOnAnExchangeWithoutStream_FailsNamingTheTask()
    {
        var file = _cli.WriteFile("live.yaml", """
            version: 1
            tasks:
              - name: live
                mode: stream
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1m
                output: live.db
            """);
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var context = new CliContext
        {
            Out = output,
            Error = new StringWriter(CultureInfo.InvariantCulture),
            WorkingDirectory = _cli.Directory,
            GetEnvironmentVariable = _ => null,
            IsTerminal = false,
            CreateClient = _ => new RestOnly(),
        };

        var code = await CoinlakeCli.RunAsync(["run", file], context);

        code.ShouldBe(ExitCodes.Failed);
        output.ToString().ShouldContain("offers no live WebSocket stream");
    }

    private sealed class RestOnly : IExchangeClient
    {
        public string Exchange => "binance";

        public RequestStats Stats { get; } = new();
    }

    /// <summary>Yields its script, then stays open until cancelled, like a live stream.</summary>
    private sealed class ScriptedClient(IReadOnlyList<MarketEvent> script) : IMarketStreamClient
    {
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Exchange => "binance";

        public RequestStats Stats { get; } = new();

        public Task Drained => _drained.Task;

        public string? WhyUnsupported(StreamSubscription subscription) => null;

        public async IAsyncEnumerable<MarketEvent> StreamAsync(IReadOnlyList<StreamSubscription> subscriptions, StreamOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var e in script)
            {
                await Task.Yield();
                yield return e;
            }

            _drained.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
