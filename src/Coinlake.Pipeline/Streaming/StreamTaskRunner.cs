using System.Threading.Channels;
using Coinlake.Candles;
using Coinlake.Exchanges;
using Coinlake.Pipeline.Backfill;
using Coinlake.Pipeline.Reports;
using Coinlake.Pipeline.Tasks;
using Coinlake.Storage;
using Coinlake.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Pipeline.Streaming;

/// <summary>
/// Runs one <c>mode: stream</c> task: subscribes through the exchange's <see cref="IMarketStreamClient"/> and writes what
/// arrives through a <see cref="MarketStreamWriter"/> into the task's sinks, healing missed windows in the background, until
/// <see cref="TaskDefinition.Duration"/> has passed (null: forever) or the run is cancelled (Ctrl+C/SIGTERM). Either way
/// it stops reading, flushes everything buffered, finishes pending heals within
/// <see cref="StreamHealOptions.StopTimeout"/> and disposes the sinks, then returns normally: nothing accepted is lost.
/// <list type="bullet">
/// <item><c>stream: ohlcv</c>: a candle subscription per symbol × timeframe (at the task's price type) into the candle sinks.</item>
/// <item><c>stream: trades</c>: a trade subscription per symbol into the trade sinks; with timeframes, candles built from the
/// trades (<c>trades -&gt; OHLCV</c>) also go to the candle sinks. A SQLite sink that names its table keeps the trades in
/// <c>{table}_trades</c> then, so candles and trades never share a table.</item>
/// <item><c>stream: tickers</c>: a ticker subscription per symbol, handed to the host's <see cref="ITickerStreamHandler"/>
/// (<see cref="ITaskComponents.CreateTickerStreamHandler"/>).</item>
/// </list>
/// At start, a series a sink already holds is backfilled from its last stored candle (or trade) to now, at most
/// <see cref="TaskDefinition.HealLookback"/> back, so a restarted collector leaves no hole.
/// </summary>
public sealed partial class StreamTaskRunner(ITaskComponents components, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ILoggerFactory _loggers = loggerFactory ?? NullLoggerFactory.Instance;

    /// <summary>Batching and channel settings; the task's <c>exclude_current_candle</c>, <c>grace</c> and timeframes replace the
    /// matching values.</summary>
    public StreamWriterOptions Writer { get; init; } = new();

    /// <summary>Retry and stop settings of the background heals.</summary>
    public StreamHealOptions Heal { get; init; } = new();

    /// <summary>The subscriptions a stream task makes, in file order (symbols, then timeframes).</summary>
    /// <exception cref="ArgumentException">The task is not a stream task, or an ohlcv stream has no timeframe.</exception>
    public static IReadOnlyList<StreamSubscription> Subscriptions(TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Mode != TaskMode.Stream)
        {
            throw new ArgumentException($"Task '{task.Name}' ({task.Location}) is not a stream task (mode: stream).", nameof(task));
        }

        switch (task.Stream)
        {
            case "trades":
                return [.. task.Symbols.Select(s => StreamSubscription.Trades(s, task.MarketType))];
            case "tickers":
                return [.. task.Symbols.Select(s => StreamSubscription.Tickers(s, task.MarketType))];
            default:
                if (task.Timeframes.Count == 0)
                {
                    throw new ArgumentException($"Task '{task.Name}' ({task.Location}): an ohlcv stream needs a timeframe (e.g. 'timeframe: 1m').", nameof(task));
                }

                return [.. task.Symbols.SelectMany(s => task.Timeframes.Select(tf => StreamSubscription.Candles(s, task.MarketType, tf, task.Price)))];
        }
    }

    /// <summary>Runs <paramref name="task"/> as described on the type and returns its counters (also set on <paramref name="taskReport"/>).</summary>
    /// <param name="task">A <c>mode: stream</c> task.</param>
    /// <param name="taskReport">Receives the stream counters and request counters; null for none.</param>
    /// <param name="cancellationToken">Stops the stream cleanly (everything accepted is written first); not an error.</param>
    /// <exception cref="NotSupportedException">The exchange has no live stream in Coinlake, or does not stream one of the
    /// subscriptions (the message names the task, its file:line, the subscription and why), or the host cannot record a capture.</exception>
    /// <exception cref="ArgumentException">The task is not a stream task.</exception>
    /// <exception cref="ExchangeException">The stream failed for good (e.g. an unknown symbol); what was received is written first.</exception>
    public async Task<StreamReport> RunAsync(TaskDefinition task, TaskReport? taskReport = null, CancellationToken cancellationToken = default)
    {
        var subscriptions = Subscriptions(task);
        var logger = _loggers.CreateLogger<StreamTaskRunner>();
        var client = components.CreateClient(task);
        var report = new StreamReport();
        if (taskReport is not null)
        {
            taskReport.Stream = report;
        }

        var opened = new List<IAsyncDisposable>();
        try
        {
            var stream = client as IMarketStreamClient
                ?? throw new NotSupportedException($"Task '{task.Name}' ({task.Location}): {task.Exchange} offers no live WebSocket stream in Coinlake; use 'mode: rest' to backfill it, or another exchange (see the capability table in the README).");
            var unsupported = subscriptions
                .Select(s => (Subscription: s, Why: stream.WhyUnsupported(s)))
                .Where(u => u.Why is not null)
                .Select(u => $"{u.Subscription}: {u.Why}")
                .ToList();
            if (unsupported.Count > 0)
            {
                throw new NotSupportedException($"Task '{task.Name}' ({task.Location}): {task.Exchange} cannot stream {string.Join("; ", unsupported)}");
            }

            var buildsCandles = task.Stream is null or "ohlcv" || (task.Stream == "trades" && task.Timeframes.Count > 0);
            var candleSinks = new List<ICandleSink>();
            var tradeSinks = new List<ITradeSink>();
            ITickerStreamHandler? tickers = null;
            foreach (var definition in task.Sinks)
            {
                if (buildsCandles)
                {
                    var sink = components.CreateStreamSink(task, definition);
                    opened.Add(sink);
                    candleSinks.Add(new SerializedCandleSink(sink));
                }

                if (task.Stream == "trades")
                {
                    var trades = components.CreateStreamTradeSink(task, task.Timeframes.Count > 0 && definition.Table is { } table ? definition with { Table = table + "_trades" } : definition);
                    opened.Add(trades);
                    tradeSinks.Add(new SerializedTradeSink(trades));
                }
            }

            if (task.Stream == "tickers")
            {
                var sinks = new List<ITickerSink>();
                foreach (var definition in task.Sinks)
                {
                    var sink = components.CreateTickerSink(definition);
                    opened.Add(sink);
                    sinks.Add(sink);
                }

                tickers = components.CreateTickerStreamHandler(task, sinks);
                opened.Insert(0, tickers);
            }

            IStreamCapture? capture = null;
            if (task.Capture is { } capturePath)
            {
                capture = components.CreateCapture(task)
                    ?? throw new NotSupportedException($"Task '{task.Name}' ({task.Location}): this host cannot record captures; remove 'capture: {capturePath}'.");
                if (capture is IAsyncDisposable disposable)
                {
                    opened.Insert(0, disposable);
                }
            }

            var options = new StreamOptions { Group = task.Group, Capture = capture };
            if (task.StallTimeout is { } stall)
            {
                options = options with { StallTimeout = stall };
            }

            var writerOptions = new StreamWriterOptions
            {
                BatchSize = Writer.BatchSize,
                FlushInterval = Writer.FlushInterval,
                DurableFlushInterval = Writer.DurableFlushInterval,
                ChannelCapacity = Writer.ChannelCapacity,
                FlushWhenIdle = Writer.FlushWhenIdle,
                ExcludeCurrentCandle = task.ExcludeCurrentCandle,
                Grace = task.Grace,
                TradeTimeframes = task.Stream == "trades" ? task.Timeframes : [],
            };
            var healer = new StreamHealer(task.Name, client, candleSinks, tradeSinks, report, Heal, _time, _loggers);
            var writer = new MarketStreamWriter(new StreamTargets(task.Exchange) { CandleSinks = candleSinks, TradeSinks = tradeSinks, Tickers = tickers }, writerOptions, report, _time, _loggers.CreateLogger<MarketStreamWriter>())
            {
                Heals = healer,
            };
            QueueStartupHeals(task, subscriptions, healer);
            LogStarting(logger, task.Name, task.Exchange, subscriptions.Count, task.Duration?.TotalSeconds ?? 0);
            healer.Start();
            try
            {
                await PumpAsync(task, stream, subscriptions, options, writer, writerOptions.ChannelCapacity, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await healer.StopAsync().ConfigureAwait(false);
            }

            LogStopped(logger, task.Name, report.Events, report.CandlesInserted + report.CandlesUpdated, report.TradesInserted + report.TradesUpdated, report.Reconnects, report.UnhealedWindows.Count);
            return report;
        }
        finally
        {
            if (taskReport is not null)
            {
                taskReport.Requests = client.Stats.Requests;
                taskReport.Retries = client.Stats.Retries;
                taskReport.RateLimited = client.Stats.RateLimited;
            }

            foreach (var item in opened)
            {
                await item.DisposeAsync().ConfigureAwait(false);
            }

            (client as IDisposable)?.Dispose();
        }
    }

    private void QueueStartupHeals(TaskDefinition task, IReadOnlyList<StreamSubscription> subscriptions, StreamHealer healer)
    {
        if (task.HealLookback <= TimeSpan.Zero)
        {
            return;
        }

        foreach (var subscription in subscriptions)
        {
            switch (subscription.Channel)
            {
                case StreamChannel.Candles:
                    healer.HealCandlesAtStart(new SeriesKey(task.Exchange, subscription.Symbol, subscription.MarketType, subscription.Timeframe!.Value, subscription.Price), task.HealLookback);
                    break;
                case StreamChannel.Trades:
                    healer.HealTradesAtStart(new TradeSeriesKey(task.Exchange, subscription.Symbol, subscription.MarketType), task.HealLookback);
                    foreach (var timeframe in task.Timeframes)
                    {
                        healer.HealCandlesAtStart(new SeriesKey(task.Exchange, subscription.Symbol, subscription.MarketType, timeframe, Markets.PriceType.Last), task.HealLookback);
                    }

                    break;
            }
        }
    }

    /// <summary>Stream -&gt; bounded channel -&gt; writer, until the duration ends, the run is cancelled or the stream ends.</summary>
    private async Task PumpAsync(
        TaskDefinition task, IMarketStreamClient stream, IReadOnlyList<StreamSubscription> subscriptions, StreamOptions options,
        MarketStreamWriter writer, int capacity, CancellationToken cancellationToken)
    {
        using var duration = task.Duration is { } d ? new CancellationTokenSource(d, _time) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, duration.Token);
        using var writerFailed = new CancellationTokenSource();
        var channel = MarketStreamWriter.CreateChannel(capacity);
        var writing = RunWriterAsync(writer, channel.Reader, stop, writerFailed);
        Exception? streamError = null;
        try
        {
            await foreach (var e in stream.StreamAsync(subscriptions, options, stop.Token).ConfigureAwait(false))
            {
                // Only a failed writer aborts a write: an event the stream handed over is never dropped by a stop.
                await channel.Writer.WriteAsync(e, writerFailed.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested || writerFailed.IsCancellationRequested)
        {
            // The normal end of a stream: duration over, Ctrl+C/SIGTERM, or the writer failed (rethrown below).
        }
        catch (ChannelClosedException)
        {
            // The writer failed; its exception is rethrown below.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            streamError = ex;
        }
        finally
        {
            channel.Writer.TryComplete();
        }

        await writing.ConfigureAwait(false);
        if (streamError is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(streamError);
        }
    }

    private static async Task RunWriterAsync(MarketStreamWriter writer, ChannelReader<MarketEvent> reader, CancellationTokenSource stop, CancellationTokenSource failed)
    {
        try
        {
            await writer.RunAsync(reader, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await failed.CancelAsync().ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Task}: streaming {Count} subscription(s) from {Exchange} for {Seconds} s (0 = until stopped)")]
    private static partial void LogStarting(ILogger logger, string task, string exchange, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Task}: stream stopped: {Events} events, {Candles} candle writes, {Trades} trade writes, {Reconnects} reconnect(s), {Unhealed} unhealed window(s)")]
    private static partial void LogStopped(ILogger logger, string task, long events, long candles, long trades, long reconnects, int unhealed);
}
