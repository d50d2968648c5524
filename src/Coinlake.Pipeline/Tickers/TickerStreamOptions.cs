using Coinlake.Pipeline.Tasks;

namespace Coinlake.Pipeline.Tickers;

/// <summary>
/// Options of a <see cref="TickerStreamCollector"/> (a <c>stream: tickers</c> task). Validated by the collector's constructor.
/// </summary>
public sealed record TickerStreamOptions
{
    /// <summary>The default snapshot interval when a task gives no <c>interval</c>: one minute.</summary>
    public static readonly TimeSpan DefaultSnapshotInterval = TimeSpan.FromMinutes(1);

    /// <summary>The default alert window (task key <c>alert_window</c>): 60 s.</summary>
    public static readonly TimeSpan DefaultAlertWindow = TimeSpan.FromSeconds(60);

    /// <summary>Time between snapshots written to the ticker sinks (task key <c>interval</c>); each snapshot holds the tickers that changed since the previous one. Default 1 minute.</summary>
    public TimeSpan SnapshotInterval { get; init; } = DefaultSnapshotInterval;

    /// <summary>Most symbols kept in memory; beyond it the least recently updated is evicted. Default <see cref="TickerCache.DefaultCapacity"/> (10,000).</summary>
    public int MaxSymbols { get; init; } = TickerCache.DefaultCapacity;

    /// <summary>
    /// Raise an alert when a symbol's last price moves strictly more than this many percent (e.g. 1.0) from the lowest
    /// or highest last price of the <see cref="AlertWindow"/> (task key <c>alert_percent</c>); null (default) = no alerts.
    /// </summary>
    public decimal? AlertPercent { get; init; }

    /// <summary>The sliding window the move is measured in (task key <c>alert_window</c>). Default 60 s.</summary>
    public TimeSpan AlertWindow { get; init; } = DefaultAlertWindow;

    /// <summary>After an alert, no further alert for that symbol for this long; null (default) = <see cref="AlertWindow"/>.</summary>
    public TimeSpan? AlertCooldown { get; init; }

    /// <summary>Alerts kept for <see cref="TickerStreamCollector.RecentAlerts"/> (the live table). Default 20.</summary>
    public int RecentAlertCount { get; init; } = 20;

    /// <summary>
    /// The options a <c>stream: tickers</c> task asks for: <c>interval</c> (default <see cref="DefaultSnapshotInterval"/>),
    /// <c>alert_percent</c> and <c>alert_window</c>. The alert table (<see cref="TickerAlertSettings.Table"/>) is the host's
    /// business: it opens a <see cref="Storage.Sqlite.SqliteAlertSink"/> on each SQLite sink's database with that table.
    /// </summary>
    public static TickerStreamOptions FromTask(TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new TickerStreamOptions
        {
            SnapshotInterval = task.Interval ?? DefaultSnapshotInterval,
            AlertPercent = task.Alerts?.Percent,
            AlertWindow = task.Alerts?.Window ?? DefaultAlertWindow,
        };
    }

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentException">A non-positive interval, window or cool-down, a negative or zero alert percent, or fewer than 1 symbol.</exception>
    public void Validate()
    {
        if (SnapshotInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"the ticker snapshot interval must be positive; got {SnapshotInterval} (task key 'interval', e.g. 30s or 5m).", nameof(SnapshotInterval));
        }

        if (MaxSymbols < 1)
        {
            throw new ArgumentException($"MaxSymbols must be at least 1; got {MaxSymbols}.", nameof(MaxSymbols));
        }

        if (AlertPercent is { } p && p <= 0)
        {
            throw new ArgumentException($"alert_percent must be a positive percentage such as 1.0; got {p}.", nameof(AlertPercent));
        }

        if (AlertWindow <= TimeSpan.Zero)
        {
            throw new ArgumentException($"alert_window must be positive (seconds, e.g. 60); got {AlertWindow}.", nameof(AlertWindow));
        }

        if (AlertCooldown is { } c && c < TimeSpan.Zero)
        {
            throw new ArgumentException($"the alert cool-down must not be negative; got {c}.", nameof(AlertCooldown));
        }

        if (RecentAlertCount < 0)
        {
            throw new ArgumentException($"RecentAlertCount must not be negative; got {RecentAlertCount}.", nameof(RecentAlertCount));
        }
    }
}
