using System.Diagnostics;
using Coinlake.Candles;
using Coinlake.Exchanges;
using Coinlake.Pipeline.Reports;
using Coinlake.Pipeline.Streaming;
using Coinlake.Pipeline.Tasks;
using Coinlake.Pipeline.Trades;
using Coinlake.Storage;
using Coinlake.Time;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Pipeline.Backfill;

/// <summary>Creates the concrete connector and sinks of a task; implemented by the hosts (CLI, server).</summary>
public interface ITaskComponents
{
    /// <summary>
    /// The client of the task's exchange, honouring its <c>base_url</c> override; it implements the capability
    /// interfaces (<see cref="ICandleHistoryClient"/>, <see cref="ITradeHistoryClient"/>, <see cref="ITickerClient"/>) the exchange offers.
    /// </summary>
    /// <exception cref="ArgumentException">The exchange is not supported.</exception>
    IExchangeClient CreateClient(TaskDefinition task);

    /// <summary>Opens the candle sink a task file describes.</summary>
    ICandleSink CreateSink(SinkDefinition sink);

    /// <summary>Opens the trade sink a task file describes (SQLite table default <c>trades</c>).</summary>
    ITradeSink CreateTradeSink(SinkDefinition sink);

    /// <summary>Opens the ticker sink a task file describes (SQLite table default <c>tickers</c>).</summary>
    ITickerSink CreateTickerSink(SinkDefinition sink);

    /// <summary>
    /// Stream tasks with <c>capture: PATH</c>: the recorder of every raw frame the stream sends and receives, written to
    /// <see cref="TaskDefinition.Capture"/> (disposed by the caller when it implements <see cref="IAsyncDisposable"/>).
    /// Default: null, meaning the host cannot record captures (such a task then fails with a clear error).
    /// </summary>
    IStreamCapture? CreateCapture(TaskDefinition task) => null;

    /// <summary>Opens a candle sink of a <c>mode: stream</c> task; default <see cref="CreateSink"/>. Hosts return rotating
    /// part files for Parquet (a stream appends; <c>coinlake compact</c> merges parts into the monthly files).</summary>
    ICandleSink CreateStreamSink(TaskDefinition task, SinkDefinition sink) => CreateSink(sink);

    /// <summary>Opens a trade sink of a <c>mode: stream</c> task; default <see cref="CreateTradeSink"/>.</summary>
    ITradeSink CreateStreamTradeSink(TaskDefinition task, SinkDefinition sink) => CreateTradeSink(sink);

    /// <summary>
    /// <c>stream: tickers</c> tasks: receives the ticker updates (latest-price cache, snapshots, alerts ...). The handler is
    /// disposed by the caller, before <paramref name="sinks"/>. Default: <see cref="TickerSinkStreamHandler"/>, which stores
    /// each batch's latest ticker per symbol in <paramref name="sinks"/>.
    /// </summary>
    ITickerStreamHandler CreateTickerStreamHandler(TaskDefinition task, IReadOnlyList<ITickerSink> sinks) =>
        new TickerSinkStreamHandler(task.Exchange, sinks);
}

/// <summary>
/// Runs the tasks of a task file: REST backfills one after another, stream tasks (<c>mode: stream</c>, see
/// <see cref="StreamTaskRunner"/>) all at once alongside them. A failing task is reported and the others still run;
/// cancellation (Ctrl+C) stops the run after the sinks have flushed what they accepted. For stream tasks cancellation is
/// the normal way to stop (their report is complete); a run cancelled while a backfill was running throws once the
/// streams have stopped.
/// </summary>
public sealed partial class TaskRunner(ITaskComponents components, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ILoggerFactory _loggers = loggerFactory ?? NullLoggerFactory.Instance;

    /// <summary>Runs <paramref name="tasks"/> and returns the run report.</summary>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public async Task<RunReport> RunAsync(
        IReadOnlyList<TaskDefinition> tasks,
        BackfillOptions options,
        IProgress<BackfillProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var run = new RunReport();
        var logger = _loggers.CreateLogger<TaskRunner>();
        var streams = new List<Task>();
        var backfills = new List<(TaskDefinition Task, TaskReport Report)>();
        foreach (var task in tasks)
        {
            var report = new TaskReport(task.Name);
            run.Tasks.Add(report);
            if (task.Mode == TaskMode.Stream)
            {
                streams.Add(Task.Run(() => RunOneAsync(task, report, options, progress, logger, cancellationToken), CancellationToken.None));
            }
            else
            {
                backfills.Add((task, report));
            }
        }

        try
        {
            foreach (var (task, report) in backfills)
            {
                await RunOneAsync(task, report, options, progress, logger, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await Task.WhenAll(streams).ConfigureAwait(false);
        }

        return run;
    }

    /// <summary>The settings of stream tasks' writers (batching, channel size); the task's own keys replace the matching values.</summary>
    public StreamWriterOptions StreamWriter { get; init; } = new();

    /// <summary>The settings of stream tasks' background heals.</summary>
    public StreamHealOptions StreamHeal { get; init; } = new();

    private async Task RunOneAsync(TaskDefinition task, TaskReport report, BackfillOptions options, IProgress<BackfillProgress>? progress, ILogger logger, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            await RunTaskAsync(task, report, options, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            report.Error = "cancelled";
            if (task.Mode != TaskMode.Stream)
            {
                throw;
            }
        }
        catch (Exception ex) when (ex is ExchangeException or IOException or InvalidOperationException or ArgumentException or FormatException or NotSupportedException or UnauthorizedAccessException
            or System.Data.Common.DbException)
        {
            report.Error = ex.Message;
            LogTaskFailed(logger, task.Name, ex.Message, ex);
        }
        finally
        {
            report.Duration = _time.GetElapsedTime(started);
        }
    }

    private async Task RunTaskAsync(TaskDefinition task, TaskReport report, BackfillOptions options, IProgress<BackfillProgress>? progress, CancellationToken cancellationToken)
    {
        if (task.Mode == TaskMode.Stream)
        {
            var streamRunner = new StreamTaskRunner(components, _time, _loggers) { Writer = StreamWriter, Heal = StreamHeal };
            await streamRunner.RunAsync(task, report, cancellationToken).ConfigureAwait(false);
            return;
        }

        var client = components.CreateClient(task);
        var sinks = new List<IAsyncDisposable>(task.Sinks.Count);
        try
        {
            switch (task.Stream)
            {
                case "trades":
                    await RunTradesAsync(task, Capability<ITradeHistoryClient>(client, task, "public trade history"), sinks, report, options, cancellationToken).ConfigureAwait(false);
                    break;
                case "tickers":
                    await RunTickersAsync(task, Capability<ITickerClient>(client, task, "24h tickers"), sinks, report, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await RunCandlesAsync(task, Capability<ICandleHistoryClient>(client, task, "candle history"), sinks, report, options, progress, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        finally
        {
            report.Requests = client.Stats.Requests;
            report.Retries = client.Stats.Retries;
            report.RateLimited = client.Stats.RateLimited;
            foreach (var sink in sinks)
            {
                await sink.DisposeAsync().ConfigureAwait(false);
            }

            (client as IDisposable)?.Dispose();
        }
    }

    private static T Capability<T>(IExchangeClient client, TaskDefinition task, string what)
        where T : class =>
        client as T ?? throw new NotSupportedException($"Task '{task.Name}' ({task.Location}): {task.Exchange} offers no {what} in Coinlake; see the capability table in the README.");

    private async Task RunCandlesAsync(TaskDefinition task, ICandleHistoryClient client, List<IAsyncDisposable> opened, TaskReport report, BackfillOptions options, IProgress<BackfillProgress>? progress, CancellationToken cancellationToken)
    {
        if (!client.Supports(task.MarketType, task.Price))
        {
            throw new NotSupportedException($"Task '{task.Name}' ({task.Location}): {task.Exchange} has no {task.Price.ToString().ToLowerInvariant()}-price candles for {task.MarketType.ToString().ToLowerInvariant()} markets; use price: last, or a swap/future market.");
        }

        var sinks = new List<ICandleSink>(task.Sinks.Count);
        foreach (var definition in task.Sinks)
        {
            var sink = components.CreateSink(definition);
            opened.Add(sink);
            sinks.Add(sink);
        }

        try
        {
            var runner = new BackfillRunner(client, sinks, _time, _loggers.CreateLogger<BackfillRunner>());
            var range = TimeRange.FromDates(task.Start, task.End ?? _time.GetUtcNow());
            foreach (var symbol in task.Symbols)
            {
                foreach (var timeframe in task.Timeframes)
                {
                    var series = new SeriesKey(task.Exchange, symbol, task.MarketType, timeframe, task.Price);
                    report.Series.Add(await runner.RunAsync(task.Name, series, range, options, progress, cancellationToken).ConfigureAwait(false));
                }
            }
        }
        finally
        {
            // Whatever was accepted before a failure is made durable.
            foreach (var sink in sinks)
            {
                await sink.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        if (client is IHistoryNotes notes && notes.HistoryNote(task.MarketType) is { } note)
        {
            report.Notes.Add(note);
        }
    }

    private async Task RunTradesAsync(TaskDefinition task, ITradeHistoryClient client, List<IAsyncDisposable> opened, TaskReport report, BackfillOptions options, CancellationToken cancellationToken)
    {
        var sinks = new List<ITradeSink>(task.Sinks.Count);
        foreach (var definition in task.Sinks)
        {
            var sink = components.CreateTradeSink(definition);
            opened.Add(sink);
            sinks.Add(sink);
        }

        if (client.TradeDepth(task.MarketType) == TradeHistoryDepth.RecentOnly)
        {
            report.Notes.Add($"{task.Exchange} serves only its most recent public trades over REST: older trades in the range cannot be fetched (stream them live instead).");
        }

        try
        {
            var runner = new TradeBackfillRunner(client, sinks, _time, _loggers.CreateLogger<TradeBackfillRunner>());
            var range = TimeRange.FromDates(task.Start, task.End ?? _time.GetUtcNow());
            foreach (var symbol in task.Symbols)
            {
                var series = new TradeSeriesKey(task.Exchange, symbol, task.MarketType);
                report.TradeSeries.Add(await runner.RunAsync(task.Name, series, range, options.Refresh, cancellationToken).ConfigureAwait(false));
            }
        }
        finally
        {
            foreach (var sink in sinks)
            {
                await sink.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task RunTickersAsync(TaskDefinition task, ITickerClient client, List<IAsyncDisposable> opened, TaskReport report, CancellationToken cancellationToken)
    {
        var sinks = new List<ITickerSink>(task.Sinks.Count);
        foreach (var definition in task.Sinks)
        {
            var sink = components.CreateTickerSink(definition);
            opened.Add(sink);
            sinks.Add(sink);
        }

        var collector = new Tickers.TickerCollector(client, sinks, _time, _loggers.CreateLogger<Tickers.TickerCollector>());
        var (snapshots, rows) = await collector.RunAsync(task.Exchange, task.MarketType, task.Symbols, task.Interval, task.Duration, cancellationToken).ConfigureAwait(false);
        report.TickerSnapshots = snapshots;
        report.TickerRows = rows;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {Task} failed: {Reason}")]
    private static partial void LogTaskFailed(ILogger logger, string task, string reason, Exception exception);
}
