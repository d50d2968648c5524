using System.Diagnostics;
using Coinlake.Candles;
using Coinlake.Exchanges;
using Coinlake.Pipeline.Reports;
using Coinlake.Pipeline.Tasks;
using Coinlake.Storage;
using Coinlake.Time;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Pipeline.Backfill;

/// <summary>Creates the concrete connector and sinks of a task; implemented by the hosts (CLI, server).</summary>
public interface ITaskComponents
{
    /// <summary>The candle history client for the task's exchange, honouring its <c>base_url</c> override.</summary>
    /// <exception cref="ArgumentException">The exchange is not supported.</exception>
    ICandleHistoryClient CreateCandleClient(TaskDefinition task);

    /// <summary>Opens the sink a task file describes.</summary>
    ICandleSink CreateSink(SinkDefinition sink);
}

/// <summary>
/// Runs the REST backfill tasks of a task file one after another. A failing task is reported and the others still
/// run; cancellation (Ctrl+C) stops the run after the sinks have flushed what they accepted.
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
        foreach (var task in tasks)
        {
            var report = new TaskReport(task.Name);
            run.Tasks.Add(report);
            var started = _time.GetTimestamp();
            try
            {
                await RunTaskAsync(task, report, options, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                report.Error = "cancelled";
                throw;
            }
            catch (Exception ex) when (ex is ExchangeException or IOException or InvalidOperationException or ArgumentException or FormatException or NotSupportedException or UnauthorizedAccessException)
            {
                report.Error = ex.Message;
                LogTaskFailed(logger, task.Name, ex.Message, ex);
            }
            finally
            {
                report.Duration = _time.GetElapsedTime(started);
            }
        }

        return run;
    }

    private async Task RunTaskAsync(TaskDefinition task, TaskReport report, BackfillOptions options, IProgress<BackfillProgress>? progress, CancellationToken cancellationToken)
    {
        if (task.Mode != TaskMode.Rest)
        {
            throw new NotSupportedException($"Task '{task.Name}' ({task.Location}): mode '{task.Mode.ToString().ToLowerInvariant()}' is not available in this version; only 'mode: rest' backfills run.");
        }

        if (task.Stream is not (null or "ohlcv"))
        {
            throw new NotSupportedException($"Task '{task.Name}' ({task.Location}): 'stream: {task.Stream}' is not available in this version; rest tasks collect candles (stream: ohlcv).");
        }

        var client = components.CreateCandleClient(task);
        var sinks = new List<ICandleSink>(task.Sinks.Count);
        try
        {
            if (!client.Supports(task.MarketType, task.Price))
            {
                throw new NotSupportedException($"Task '{task.Name}' ({task.Location}): {task.Exchange} has no {task.Price.ToString().ToLowerInvariant()}-price candles for {task.MarketType.ToString().ToLowerInvariant()} markets; use price: last, or a swap/future market.");
            }

            foreach (var sink in task.Sinks)
            {
                sinks.Add(components.CreateSink(sink));
            }

            var runner = new BackfillRunner(client, sinks, _time, _loggers.CreateLogger<BackfillRunner>());
            var end = task.End ?? _time.GetUtcNow();
            var range = TimeRange.FromDates(task.Start, end);
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
            report.Requests = client.Stats.Requests;
            report.Retries = client.Stats.Retries;
            report.RateLimited = client.Stats.RateLimited;
            foreach (var sink in sinks)
            {
                try
                {
                    await sink.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    await sink.DisposeAsync().ConfigureAwait(false);
                }
            }

            (client as IDisposable)?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {Task} failed: {Reason}")]
    private static partial void LogTaskFailed(ILogger logger, string task, string reason, Exception exception);
}
