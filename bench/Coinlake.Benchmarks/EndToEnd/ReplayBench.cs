using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Coinlake.Benchmarks.Infrastructure;
using Coinlake.Candles;
using Coinlake.Exchanges;
using Coinlake.Exchanges.Binance.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Pipeline.Reports;
using Coinlake.Pipeline.Streaming;
using Coinlake.Storage;
using Coinlake.Storage.Sqlite;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Trades;

namespace Coinlake.Benchmarks.EndToEnd;

/// <summary>
/// <c>-- replay [--symbols N] [--seconds S]</c>: (1) replay throughput — a capture of real Binance frames (the Binance.US
/// 1m candles as kline updates, 3 per candle, and the XRP/ETH aggregate trades, for N symbols) parsed by the Binance
/// stream parser, aggregated and committed to SQLite by the stream writer, frames/s; (2) latency — frames fed at
/// 1,000 frames/s through the same parser and writer into SQLite, time from a frame's receipt to its row's commit
/// (p50/p99/max), with the writer's group commit on (default) and off (batch or 250 ms).
/// </summary>
internal static class ReplayBench
{
    private static readonly string[] Names = ["BTC", "ETH", "SOL", "XRP", "ADA", "DOGE", "LTC", "DOT", "LINK", "AVAX", "TRX", "BCH"];

    public static async Task<int> RunAsync(string[] args)
    {
        var symbols = Option(args, "--symbols", 8);
        var seconds = Option(args, "--seconds", 20);
        using var folder = new TempFolder("replay");
        var capture = Path.Combine(folder.Path, "BENCH.ws.1.0");
        var frames = await WriteCaptureAsync(capture, symbols);
        var markets = Names.Take(symbols).Select(n => new MarketInfo(Symbol.Parse(n + "/USDT"), n + "USDT", MarketType.Spot, MarketSubtype.None, true)).ToList();
        var protocol = new BinanceStreamProtocol("binance");
        var map = new StreamSymbols(markets);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"capture: {frames:N0} real-data frames ({symbols} symbols), {new FileInfo(capture).Length / 1e6:0.0} MB"));

        // (1) Throughput, twice (the first run warms the JIT).
        for (var run = 1; run <= 2; run++)
        {
            var db = Path.Combine(folder.Path, $"replay{run}.db");
            await using var candles = new SqliteCandleSink(db, "candles");
            await using var trades = new SqliteTradeSink(db, "trades");
            var client = new CaptureReplayClient([capture], protocol, map);
            var writer = new MarketStreamWriter(new StreamTargets("binance") { CandleSinks = [candles], TradeSinks = [trades] }, new StreamWriterOptions(), new StreamReport());
            GC.Collect();
            var started = Stopwatch.GetTimestamp();
            var report = await writer.WriteAllAsync(client.StreamAsync([], new StreamOptions()));
            var elapsed = Stopwatch.GetElapsedTime(started);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"replay run {run}: {client.Replay.Frames:N0} frames in {elapsed.TotalSeconds:0.00} s = {client.Replay.Frames / elapsed.TotalSeconds:N0} frames/s; " +
                $"committed {report.CandlesInserted + report.CandlesUpdated:N0} candles, {report.TradesInserted + report.TradesUpdated:N0} trades; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB"));
        }

        // (2) Latency at 1,000 frames/s.
        foreach (var groupCommit in new[] { true, false })
        {
            var (p50, p99, max, count) = await LatencyAsync(folder.Path, protocol, map, seconds, groupCommit);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"latency at 1,000 frames/s, group commit {(groupCommit ? "on (default)" : "off (1000 events or 250 ms)")}: {count:N0} trades, p50 {p50:0.0} ms, p99 {p99:0.0} ms, max {max:0.0} ms"));
        }

        return 0;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>Writes the capture: per symbol, every candle as two in-progress updates and the closed one, with the real trades
    /// spread over the same minutes, interleaved by time as a combined stream delivers them.</summary>
    private static async Task<long> WriteCaptureAsync(string path, int symbols)
    {
        var candles = TestData.BinanceUsBtcUsdt1m();
        var trades = TradeData.FreqtradeXrpEth();
        var tradeSpan = trades[^1].Timestamp - trades[0].Timestamp + 1;
        var span = candles[^1].OpenTime + 60_000 - candles[0].OpenTime;
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        await writer.WriteLineAsync("wss://stream.binance.com:9443/stream <-> 1677628800.000");
        long frames = 0;
        var t = 0;
        for (var i = 0; i < candles.Count; i++)
        {
            var c = candles[i];
            for (var s = 0; s < symbols; s++)
            {
                var id = Names[s] + "USDT";
                for (var u = 1; u <= 3; u++)
                {
                    var closed = u == 3;
                    var close = closed ? c.Close : c.Open;
                    await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{(c.OpenTime + (u * 20_000)) / 1000}.000: {{\"stream\":\"{id.ToLowerInvariant()}@kline_1m\",\"data\":{{\"e\":\"kline\",\"E\":{c.OpenTime + (u * 20_000)},\"s\":\"{id}\",\"k\":{{\"t\":{c.OpenTime},\"T\":{c.OpenTime + 59_999},\"s\":\"{id}\",\"i\":\"1m\",\"f\":1,\"L\":2,\"o\":\"{c.Open:0.00000000}\",\"c\":\"{close:0.00000000}\",\"h\":\"{(closed ? c.High : Math.Max(c.Open, close)):0.00000000}\",\"l\":\"{(closed ? c.Low : Math.Min(c.Open, close)):0.00000000}\",\"v\":\"{(closed ? c.Volume : 0m):0.00000000}\",\"n\":2,\"x\":{(closed ? "true" : "false")},\"q\":\"0.00000000\",\"V\":\"0\",\"Q\":\"0\",\"B\":\"0\"}}}}}}"));
                    frames++;
                }
            }

            // The trades whose (rescaled) time falls in this minute.
            var end = c.OpenTime + 60_000;
            while (t < trades.Count && candles[0].OpenTime + ((trades[t].Timestamp - trades[0].Timestamp) * span / tradeSpan) < end)
            {
                var trade = trades[t];
                var time = candles[0].OpenTime + ((trade.Timestamp - trades[0].Timestamp) * span / tradeSpan);
                for (var s = 0; s < symbols; s++)
                {
                    var id = Names[s] + "USDT";
                    await writer.WriteLineAsync(AggTrade(id, t, trade, time));
                    frames++;
                }

                t++;
            }
        }

        return frames;
    }

    private static string AggTrade(string id, long aggId, Trade trade, long time) => string.Create(CultureInfo.InvariantCulture,
        $"{time / 1000}.{time % 1000:000}: {{\"stream\":\"{id.ToLowerInvariant()}@aggTrade\",\"data\":{{\"e\":\"aggTrade\",\"E\":{time},\"s\":\"{id}\",\"a\":{aggId},\"p\":\"{trade.Price:0.00000000}\",\"q\":\"{trade.Amount:0.00000000}\",\"f\":{aggId},\"l\":{aggId},\"T\":{time},\"m\":{(trade.Side == TradeSide.Sell ? "true" : "false")},\"M\":true}}}}");

    private static async Task<(double P50, double P99, double Max, int Count)> LatencyAsync(string folder, BinanceStreamProtocol protocol, StreamSymbols map, int seconds, bool groupCommit)
    {
        var db = Path.Combine(folder, $"latency-{groupCommit}.db");
        var received = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var latencies = new ConcurrentBag<double>();
        await using var inner = new SqliteTradeSink(db, "trades");
        var sink = new CommitClock(inner, received, latencies);
        var writer = new MarketStreamWriter(new StreamTargets("binance") { TradeSinks = [sink] }, new StreamWriterOptions { FlushWhenIdle = groupCommit }, new StreamReport());
        var channel = MarketStreamWriter.CreateChannel(10_000);
        var running = writer.RunAsync(channel.Reader);
        var parser = protocol.CreateParser(map, null, new Uri("wss://stream.binance.com:9443/stream"));
        var trades = TradeData.FreqtradeXrpEth();
        var events = new List<MarketEvent>(4);
        var total = seconds * 1000;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            // Frame i is due at start + i ms: sleep coarsely, spin the last stretch.
            var due = start + (i * Stopwatch.Frequency / 1000);
            while (Stopwatch.GetTimestamp() < due)
            {
                if (due - Stopwatch.GetTimestamp() > Stopwatch.Frequency / 500)
                {
                    await Task.Delay(1);
                }
                else
                {
                    Thread.SpinWait(20);
                }
            }

            var trade = trades[i % trades.Count];
            var line = AggTrade("BTCUSDT", i, trade, 1_677_628_800_000 + i);
            var frame = Encoding.UTF8.GetBytes(line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
            received[i.ToString(CultureInfo.InvariantCulture)] = Stopwatch.GetTimestamp();
            parser.Parse(frame, 1_677_628_800_000 + i, events);
            foreach (var e in events)
            {
                await channel.Writer.WriteAsync(e);
            }

            events.Clear();
        }

        channel.Writer.Complete();
        await running;
        var sorted = latencies.Order().ToArray();
        return (sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.99)], sorted[^1], sorted.Length);
    }

    /// <summary>Records, for every trade, the time from its frame's receipt to the commit of the transaction holding it.</summary>
    private sealed class CommitClock(ITradeSink inner, ConcurrentDictionary<string, long> received, ConcurrentBag<double> latencies) : ITradeSink
    {
        public string Description => inner.Description;

        public async ValueTask<UpsertResult> UpsertTradesAsync(TradeSeriesKey series, IReadOnlyList<Trade> trades, CancellationToken cancellationToken = default)
        {
            var result = await inner.UpsertTradesAsync(series, trades, cancellationToken);
            var committed = Stopwatch.GetTimestamp();
            foreach (var trade in trades)
            {
                if (received.TryRemove(trade.Id, out var at))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(at, committed).TotalMilliseconds);
                }
            }

            return result;
        }

        public ValueTask<long?> LastTradeTimeAsync(TradeSeriesKey series, CancellationToken cancellationToken = default) => inner.LastTradeTimeAsync(series, cancellationToken);

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
