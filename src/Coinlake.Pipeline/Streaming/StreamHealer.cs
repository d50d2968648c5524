using System.Threading.Channels;
using Coinlake.Candles;
using Coinlake.Exchanges;
using Coinlake.Pipeline.Backfill;
using Coinlake.Pipeline.Reports;
using Coinlake.Pipeline.Trades;
using Coinlake.Storage;
using Coinlake.Time;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Pipeline.Streaming;

/// <summary>Settings of the background healer of a stream.</summary>
public sealed class StreamHealOptions
{
    /// <summary>Wait before a failed heal is tried again; doubles on each failure up to <see cref="MaxRetryDelay"/>. Default 5 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound of the retry wait. Default 5 min.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>When the stream stops, how long pending heals may still run; what is left is reported unhealed. Default 10 s.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Heals the windows a stream missed, in the background, without blocking the live writer: candle series (and candles
/// built from trades) by a <see cref="BackfillRunner"/> over exactly the window (fetched again even where a partial candle
/// was written), trade series by a <see cref="TradeBackfillRunner"/> when the exchange's REST history reaches back
/// (<see cref="TradeHistoryDepth.Full"/>; otherwise the window is reported unhealed). Also the start-up heal: a series a
/// sink already holds is backfilled from its last stored candle (or trade) to now, at most the look-back back. A failed
/// heal is retried later; what is still pending when the stream stops (after <see cref="StreamHealOptions.StopTimeout"/>)
/// is reported in <see cref="StreamReport.UnhealedWindows"/>.
/// </summary>
internal sealed partial class StreamHealer : IStreamHealQueue
{
    private readonly string _task;
    private readonly ICandleHistoryClient? _candles;
    private readonly ITradeHistoryClient? _trades;
    private readonly IReadOnlyList<ICandleSink> _candleSinks;
    private readonly IReadOnlyList<ITradeSink> _tradeSinks;
    private readonly StreamReport _report;
    private readonly StreamHealOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Channel<HealJob> _queue = Channel.CreateUnbounded<HealJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abort = new();
    private volatile bool _stopping;
    private Task? _loop;

    public StreamHealer(
        string task, IExchangeClient client, IReadOnlyList<ICandleSink> candleSinks, IReadOnlyList<ITradeSink> tradeSinks,
        StreamReport report, StreamHealOptions options, TimeProvider time, ILoggerFactory? loggers)
    {
        _task = task;
        _candles = client as ICandleHistoryClient;
        _trades = client as ITradeHistoryClient;
        _candleSinks = candleSinks;
        _tradeSinks = tradeSinks;
        _report = report;
        _options = options;
        _time = time;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<StreamHealer>();
    }

    /// <summary>Starts the background loop.</summary>
    public void Start() => _loop = Task.Run(() => LoopAsync(_abort.Token));

    public void HealCandles(SeriesKey series, TimeRange window, string reason) =>
        Enqueue(new HealJob(series, null, window, reason, Startup: null));

    public void HealTrades(TradeSeriesKey series, TimeRange window, string reason) =>
        Enqueue(new HealJob(null, series, window, reason, Startup: null));

    /// <summary>Queues the start-up heal of <paramref name="series"/>: from its last stored candle to now, at most <paramref name="lookback"/> back.</summary>
    public void HealCandlesAtStart(SeriesKey series, TimeSpan lookback) =>
        Enqueue(new HealJob(series, null, default, "start-up", lookback));

    /// <summary>Queues the start-up heal of a trade series: from its newest stored trade to now, at most <paramref name="lookback"/> back.</summary>
    public void HealTradesAtStart(TradeSeriesKey series, TimeSpan lookback) =>
        Enqueue(new HealJob(null, series, default, "start-up", lookback));

    /// <summary>
    /// Runs what is queued (each job at most once more), waits at most <see cref="StreamHealOptions.StopTimeout"/>, then
    /// abandons the rest and reports it unhealed.
    /// </summary>
    public async Task StopAsync()
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        if (_loop is null)
        {
            ReportLeft();
            return;
        }

        using var timeout = new CancellationTokenSource(_options.StopTimeout, _time);
        try
        {
            await _loop.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            LogStopTimeout(_logger, _task, _options.StopTimeout.TotalSeconds);
            await _abort.CancelAsync().ConfigureAwait(false);
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Abandoned on purpose; the jobs are reported below.
            }
        }

        ReportLeft();
        _abort.Dispose();
    }

    private readonly List<HealJob> _waiting = [];

    private void Enqueue(HealJob job)
    {
        if (!_queue.Writer.TryWrite(job))
        {
            // Queued after the stop: reported, not lost silently.
            _report.OnUnhealed(new UnhealedWindow(job.Name, job.Window, $"{job.Reason}; the stream stopped before it could be healed"));
        }
    }

    private void ReportLeft()
    {
        lock (_waiting)
        {
            while (_queue.Reader.TryRead(out var job))
            {
                _waiting.Add(job);
            }

            foreach (var job in _waiting)
            {
                _report.OnUnhealed(new UnhealedWindow(job.Name, job.Window, job.LastError ?? $"{job.Reason}; the stream stopped before it was healed"));
            }

            _waiting.Clear();
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            HealJob? next;
            lock (_waiting)
            {
                while (_queue.Reader.TryRead(out var job))
                {
                    _waiting.Add(job);
                }

                var now = _time.GetTimestamp();
                next = _waiting.Where(j => _stopping || j.Due <= now).MinBy(j => j.Due);
                if (next is not null)
                {
                    _waiting.Remove(next);
                }
            }

            if (next is null)
            {
                if (_queue.Reader.Completion.IsCompleted)
                {
                    lock (_waiting)
                    {
                        if (_waiting.Count == 0)
                        {
                            return;
                        }
                    }

                    continue;
                }

                await WaitForWorkAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            await RunAsync(next, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        TimeSpan? wait = null;
        lock (_waiting)
        {
            if (_waiting.Count > 0)
            {
                var due = _waiting.Min(j => j.Due);
                var now = _time.GetTimestamp();
                wait = due <= now ? TimeSpan.Zero : _time.GetElapsedTime(now, due);
            }
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var read = _queue.Reader.WaitToReadAsync(linked.Token).AsTask();
        if (wait is { } delay)
        {
            await Task.WhenAny(read, Task.Delay(delay, _time, linked.Token)).ConfigureAwait(false);
        }
        else
        {
            await Task.WhenAny(read).ConfigureAwait(false);
        }

        await linked.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task RunAsync(HealJob job, CancellationToken cancellationToken)
    {
        try
        {
            if (job.Candles is { } series)
            {
                await HealCandlesAsync(job, series, cancellationToken).ConfigureAwait(false);
            }
            else if (job.Trades is { } trades)
            {
                await HealTradesAsync(job, trades, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            lock (_waiting)
            {
                _waiting.Add(job);
            }

            throw;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            _report.OnHealFailed();
            job.Attempts++;
            job.LastError = $"{job.Reason}; heal failed {job.Attempts} time(s), last: {ex.Message}";
            var delay = TimeSpan.FromTicks(Math.Min(_options.MaxRetryDelay.Ticks, _options.RetryDelay.Ticks * (1L << Math.Min(job.Attempts - 1, 20))));
            LogHealFailed(_logger, _task, job.Name, job.Window.ToString(), ex.Message, delay.TotalSeconds, ex);
            if (_stopping && job.Attempts > 1)
            {
                _report.OnUnhealed(new UnhealedWindow(job.Name, job.Window, job.LastError));
                return;
            }

            job.Due = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
            lock (_waiting)
            {
                _waiting.Add(job);
            }
        }
    }

    private async Task HealCandlesAsync(HealJob job, SeriesKey series, CancellationToken cancellationToken)
    {
        if (_candleSinks.Count == 0)
        {
            return;
        }

        if (_candles is null || !_candles.Supports(series.MarketType, series.Price))
        {
            _report.OnUnhealed(new UnhealedWindow(job.Name, job.Window, $"{job.Reason}; {series.Exchange} serves no REST candle history for it"));
            return;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var window = job.Window;
        var refresh = true;
        if (job.Startup is { } lookback)
        {
            if (await StartupCandleWindowAsync(series, now, lookback, cancellationToken).ConfigureAwait(false) is not { } start)
            {
                return;
            }

            job.Window = window = new TimeRange(start, now);
            refresh = false;
        }

        var runner = new BackfillRunner(_candles, _candleSinks, _time, _loggers.CreateLogger<BackfillRunner>());
        var result = await runner.RunAsync(_task, series, window, new BackfillOptions { Refresh = refresh }, cancellationToken: cancellationToken).ConfigureAwait(false);
        _report.OnHealed(result.Inserted + result.Updated, 0);
        LogHealed(_logger, _task, job.Name, result.Range.ToString(), result.Inserted + result.Updated, job.Reason);
        foreach (var gap in result.RemainingGaps)
        {
            _report.OnUnhealed(new UnhealedWindow(job.Name, gap.Range, $"{job.Reason}; the exchange's REST history did not fill it"));
        }

        if (!job.Startup.HasValue && result.Range.End < series.Timeframe.Ceiling(window.End) && !result.Range.IsEmpty)
        {
            var rest = new TimeRange(result.Range.End, series.Timeframe.Ceiling(window.End));
            _report.OnUnhealed(new UnhealedWindow(job.Name, rest, $"{job.Reason}; those candles had not closed when the stream stopped"));
        }
    }

    /// <summary>Start of the start-up heal: the end of the last stored candle in the look-back, or the look-back's start when only older candles are stored; null when no sink holds the series.</summary>
    private async Task<long?> StartupCandleWindowAsync(SeriesKey series, long now, TimeSpan lookback, CancellationToken cancellationToken)
    {
        var from = now - (long)lookback.TotalMilliseconds;
        long? start = null;
        foreach (var sink in _candleSinks)
        {
            var recent = await sink.GetCoverageAsync(series, new TimeRange(from, now), cancellationToken).ConfigureAwait(false);
            long? sinkStart = recent.Stored.IsEmpty ? null : recent.Stored.Ranges[^1].End;
            if (sinkStart is null)
            {
                var older = await sink.GetCoverageAsync(series, new TimeRange(0, from), cancellationToken).ConfigureAwait(false);
                sinkStart = older.Stored.IsEmpty ? null : from;
            }

            if (sinkStart is { } s)
            {
                start = Math.Min(start ?? long.MaxValue, s);
            }
        }

        return start;
    }

    private async Task HealTradesAsync(HealJob job, TradeSeriesKey series, CancellationToken cancellationToken)
    {
        if (_tradeSinks.Count == 0)
        {
            return;
        }

        if (_trades is null || _trades.TradeDepth(series.MarketType) != TradeHistoryDepth.Full)
        {
            if (!job.Startup.HasValue)
            {
                var why = _trades is null ? "serves no public trade history over REST" : "serves only its most recent trades over REST";
                _report.OnUnhealed(new UnhealedWindow(job.Name, job.Window, $"{job.Reason}; {series.Exchange} {why}"));
                LogTradesUnhealable(_logger, _task, job.Name, job.Window.ToString(), why);
            }

            return;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var window = job.Window;
        if (job.Startup is { } lookback)
        {
            long? last = null;
            foreach (var sink in _tradeSinks)
            {
                var stored = await sink.LastTradeTimeAsync(series, cancellationToken).ConfigureAwait(false);
                last = stored is null ? last : Math.Min(last ?? long.MaxValue, stored.Value);
            }

            if (last is null)
            {
                return;
            }

            job.Window = window = new TimeRange(Math.Max(last.Value, now - (long)lookback.TotalMilliseconds), now);
        }

        var runner = new TradeBackfillRunner(_trades, _tradeSinks, _time, _loggers.CreateLogger<TradeBackfillRunner>());
        var result = await runner.RunAsync(_task, series, window, refresh: true, cancellationToken).ConfigureAwait(false);
        _report.OnHealed(0, result.Inserted + result.Updated);
        LogHealed(_logger, _task, job.Name, result.Range.ToString(), result.Inserted + result.Updated, job.Reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Task}: {Series}: healed {Window} ({Rows} rows written; {Reason})")]
    private static partial void LogHealed(ILogger logger, string task, string series, string window, long rows, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Task}: {Series}: heal of {Window} failed ({Error}); retrying in {DelaySeconds} s")]
    private static partial void LogHealFailed(ILogger logger, string task, string series, string window, string error, double delaySeconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Task}: {Series}: missed trades in {Window} cannot be healed: the exchange {Why}")]
    private static partial void LogTradesUnhealable(ILogger logger, string task, string series, string window, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Task}: heals still running {Seconds} s after the stream stopped were abandoned; they are reported unhealed")]
    private static partial void LogStopTimeout(ILogger logger, string task, double seconds);

    private sealed record HealJob(SeriesKey? Candles, TradeSeriesKey? Trades, TimeRange Window, string Reason, TimeSpan? Startup)
    {
        public TimeRange Window { get; set; } = Window;

        public int Attempts { get; set; }

        public string? LastError { get; set; }

        public long Due { get; set; }

        public string Name => Candles?.ToString() ?? $"{Trades} trades";
    }
}
