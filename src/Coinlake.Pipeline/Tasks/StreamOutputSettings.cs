namespace Coinlake.Pipeline.Tasks;

/// <summary>Price alerts of a <c>stream: tickers</c> task (task keys <c>alert_percent alert_window alert_table</c>).</summary>
/// <param name="Percent">Alert when a symbol's last price moves strictly more than this many percent (e.g. 1.0) within <paramref name="Window"/>, from the window's lowest or highest price.</param>
/// <param name="Window">The sliding window; default 60 s.</param>
/// <param name="Table">SQLite table the alerts go to in each SQLite sink's database; default <c>alerts</c>.</param>
public sealed record TickerAlertSettings(decimal Percent, TimeSpan Window, string Table)
{
    /// <summary>The default <c>alert_window</c>: 60 s.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(60);

    /// <summary>The default <c>alert_table</c>.</summary>
    public const string DefaultTable = "alerts";
}

/// <summary>
/// When a stream task's Parquet sink closes its current part file and starts the next (task keys <c>rotate</c> and
/// <c>rotate_rows</c>): after <paramref name="Every"/> or once a part holds <paramref name="MaxRows"/> rows, whichever comes first.
/// </summary>
/// <param name="Every">Longest time a part stays open; default 1 hour.</param>
/// <param name="MaxRows">Most rows in one part; null (default) = no row limit.</param>
public sealed record PartRotation(TimeSpan Every, long? MaxRows = null)
{
    /// <summary>Every hour, no row limit.</summary>
    public static PartRotation Default { get; } = new(TimeSpan.FromHours(1));
}
