using Coinlake.Markets;
using Coinlake.Storage;
using Coinlake.Storage.Alerts;
using Coinlake.Streaming;
using Coinlake.Tickers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Pipeline.Tickers;

/// <summary>
/// The consumer of a <c>stream: tickers</c> task: keeps the latest ticker of each symbol in a bounded cache
/// (<see cref="TickerCache"/>), writes the tickers that changed to the ticker sinks every
/// <see cref="TickerStreamOptions.SnapshotInterval"/> (<see cref="RunAsync"/>, a <see cref="PeriodicTimer"/> on the
/// injected <see cref="TimeProvider"/>), and raises a <see cref="PriceAlert"/> when a symbol's last price moves more than
/// <see cref="TickerStreamOptions.AlertPercent"/> within <see cref="TickerStreamOptions.AlertWindow"/> (measured from the
/// window's minimum or maximum, with a cool-down): a log line, a row in each alert sink and <see cref="AlertRaised"/>.
/// <para>
/// It is the streaming runner's <see cref="Streaming.ITickerStreamHandler"/>: the runner calls <see cref="OnTickersAsync"/>
/// with each batch of <see cref="TickerEvent"/>s and <see cref="FlushAsync"/> at the end; the host starts the snapshot
/// timer with <see cref="StartSnapshots"/> (or runs <see cref="RunAsync"/> itself), and disposing the collector stops it
/// and disposes the alert sinks, which the collector owns; a live view reads <see cref="Latest"/> and <see cref="RecentAlerts"/> at
/// its own pace. Thread-safe: events, snapshots and readers may run on different threads.
/// </para>
/// </summary>
public sealed partial class TickerStreamCollector : Streaming.ITickerStreamHandler
{
    private readonly string _exchange;
    private readonly IReadOnlyList<ITickerSink> _sinks;
    private readonly IReadOnlyList<IAlertSink> _alertSinks;
    private readonly TickerStreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TickerCache _cache;
    private readonly long _windowMs;
    private readonly long _cooldownMs;
    private readonly Queue<PriceAlert> _recent = new();
    private readonly SemaphoreSlim _snapshotGate = new(1, 1);
    private CancellationTokenSource? _timerStop;
    private Task? _timer;
    private long _updates;
    private long _snapshots;
    private long _rows;
    private long _alerts;

    /// <summary>Creates a collector for <paramref name="exchange"/>.</summary>
    /// <param name="exchange">Lower-case exchange id, e.g. <c>binance</c> (the sinks' exchange column).</param>
    /// <param name="sinks">Where snapshots go (may be empty: a live view only).</param>
    /// <param name="alertSinks">Where alerts go (may be empty: alerts are still logged).</param>
    /// <param name="options">Snapshot interval, cache bound, alert threshold and window; null = defaults (no alerts).</param>
    /// <param name="timeProvider">Clock of the snapshot timer; null = system clock.</param>
    /// <param name="logger">Logger for snapshots and alerts.</param>
    /// <exception cref="ArgumentException">Empty exchange id, or an option out of range (see <see cref="TickerStreamOptions.Validate"/>).</exception>
    public TickerStreamCollector(
        string exchange,
        IReadOnlyList<ITickerSink> sinks,
        IReadOnlyList<IAlertSink>? alertSinks = null,
        TickerStreamOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(exchange);
        ArgumentNullException.ThrowIfNull(sinks);
        _options = options ?? new TickerStreamOptions();
        _options.Validate();
        _exchange = exchange;
        _sinks = sinks;
        _alertSinks = alertSinks ?? [];
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _cache = new TickerCache(_options.MaxSymbols);
        _windowMs = (long)_options.AlertWindow.TotalMilliseconds;
        _cooldownMs = (long)(_options.AlertCooldown ?? _options.AlertWindow).TotalMilliseconds;
    }

    /// <summary>Raised (on the thread calling <see cref="OnTickerAsync"/>) after an alert was logged and written to the alert sinks.</summary>
    public event Action<PriceAlert>? AlertRaised;

    /// <summary>The exchange id.</summary>
    public string Exchange => _exchange;

    /// <summary>The options in force.</summary>
    public TickerStreamOptions Options => _options;

    /// <summary>A copy of the latest ticker of every symbol held (at most <see cref="TickerStreamOptions.MaxSymbols"/>), most recently updated first.</summary>
    public IReadOnlyCollection<Ticker> Latest => _cache.Latest;

    /// <summary>Symbols evicted from the cache because it was full.</summary>
    public long Evicted => _cache.Evicted;

    /// <summary>The last alerts raised (at most <see cref="TickerStreamOptions.RecentAlertCount"/>), oldest first.</summary>
    public IReadOnlyList<PriceAlert> RecentAlerts
    {
        get
        {
            lock (_recent)
            {
                return [.. _recent];
            }
        }
    }

    /// <summary>Ticker events received.</summary>
    public long Updates => Interlocked.Read(ref _updates);

    /// <summary>Snapshots written (each with at least one row).</summary>
    public long Snapshots => Interlocked.Read(ref _snapshots);

    /// <summary>Ticker rows written, over all snapshots (not multiplied by the sink count).</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Alerts raised.</summary>
    public long Alerts => Interlocked.Read(ref _alerts);

    /// <summary>
    /// Takes one ticker update: stores it as the latest of its symbol and, when alerts are on and the ticker has a last
    /// price, checks the move within the alert window (times are the event's <see cref="MarketEvent.ReceivedAt"/>, ms UTC).
    /// </summary>
    /// <exception cref="Microsoft.Data.Sqlite.SqliteException">An alert sink failed (other sinks may throw their own errors).</exception>
    public async ValueTask OnTickerAsync(TickerEvent e, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(e);
        Interlocked.Increment(ref _updates);
        var marketType = e.Subscription.MarketType;
        if (_options.AlertPercent is not { } percent || e.Ticker.Last is not { } last)
        {
            _cache.Set(marketType, e.Ticker);
            return;
        }

        var move = _cache.Update(marketType, e.Ticker, (state, _) =>
        {
            var window = state.Value as PriceMoveWindow ?? new PriceMoveWindow();
            state.Value = window;
            return window.Add(e.ReceivedAt, last, _windowMs, percent, _cooldownMs);
        });
        if (move is not { } m)
        {
            return;
        }

        var alert = new PriceAlert(_exchange, e.Ticker.Symbol, marketType, m.FromTime, m.ToTime, m.FromPrice, m.ToPrice, m.ChangePercent, m.Direction);
        await RaiseAsync(alert, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes a batch of ticker updates in arrival order (the streaming runner's ticker-handler seam); see <see cref="OnTickerAsync"/>.</summary>
    public async ValueTask OnTickersAsync(IReadOnlyList<TickerEvent> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        foreach (var update in updates)
        {
            await OnTickerAsync(update, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes what changed since the last snapshot (the stream stopped); same as <see cref="SnapshotAsync"/>.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default) => await SnapshotAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Starts <see cref="RunAsync"/> in the background (for hosts that hand the collector to a runner as its ticker handler);
    /// <see cref="DisposeAsync"/> stops it after a last snapshot.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void StartSnapshots()
    {
        if (_timer is not null)
        {
            throw new InvalidOperationException("the snapshot timer is already running; call StartSnapshots once.");
        }

        _timerStop = new CancellationTokenSource();
        _timer = RunAsync(_timerStop.Token);
    }

    /// <summary>
    /// Stops the timer started by <see cref="StartSnapshots"/> (writing a last snapshot) and waits for it, rethrowing a sink
    /// failure it met; then disposes the alert sinks. The ticker sinks belong to the caller.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopSnapshotsAsync().ConfigureAwait(false);
        }
        finally
        {
            foreach (var sink in _alertSinks)
            {
                await sink.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask StopSnapshotsAsync()
    {
        if (_timerStop is not null && _timer is not null)
        {
            await _timerStop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _timer.ConfigureAwait(false);
            }
            finally
            {
                _timerStop.Dispose();
                _timerStop = null;
                _timer = null;
            }
        }
    }

    /// <summary>
    /// Writes a snapshot every <see cref="TickerStreamOptions.SnapshotInterval"/> until <paramref name="cancellationToken"/>
    /// fires, then a last one (so nothing received is lost), and returns. Run it beside the stream.
    /// </summary>
    /// <exception cref="Exception">A ticker sink failed; the loop stops.</exception>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        using var timer = new PeriodicTimer(_options.SnapshotInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await SnapshotAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: fall through to the final snapshot.
        }

        await SnapshotAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Writes the tickers that changed since the previous snapshot to every ticker sink now.</summary>
    /// <returns>Rows written (0 when nothing changed: no sink is called).</returns>
    public async ValueTask<int> SnapshotAsync(CancellationToken cancellationToken = default)
    {
        await _snapshotGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var rows = 0;
            foreach (var (marketType, tickers) in _cache.TakeChanged())
            {
                rows += await TickerSnapshots.WriteAsync(_sinks, _exchange, marketType, tickers, cancellationToken).ConfigureAwait(false);
            }

            if (rows > 0)
            {
                Interlocked.Increment(ref _snapshots);
                Interlocked.Add(ref _rows, rows);
                LogSnapshot(_logger, _exchange, rows);
            }

            return rows;
        }
        finally
        {
            _snapshotGate.Release();
        }
    }

    private async ValueTask RaiseAsync(PriceAlert alert, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _alerts);
        LogAlert(_logger, alert.Exchange, alert.Symbol, alert.Direction.ToName(), alert.ChangePercent, alert.FromPrice, alert.ToPrice, (alert.WindowEnd - alert.WindowStart) / 1000.0);
        if (_options.RecentAlertCount > 0)
        {
            lock (_recent)
            {
                _recent.Enqueue(alert);
                while (_recent.Count > _options.RecentAlertCount)
                {
                    _recent.Dequeue();
                }
            }
        }

        PriceAlert[] batch = [alert];
        foreach (var sink in _alertSinks)
        {
            await sink.WriteAlertsAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        AlertRaised?.Invoke(alert);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Exchange}: ticker snapshot of {Count} changed symbol(s) stored")]
    private static partial void LogSnapshot(ILogger logger, string exchange, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Exchange} {Symbol}: price alert {Direction} {ChangePercent}% ({FromPrice} -> {ToPrice} in {Seconds} s)")]
    private static partial void LogAlert(ILogger logger, string exchange, Symbol symbol, string direction, decimal changePercent, decimal fromPrice, decimal toPrice, double seconds);
}
