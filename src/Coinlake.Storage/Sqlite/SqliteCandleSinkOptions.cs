namespace Coinlake.Storage.Sqlite;

/// <summary>Options of <see cref="SqliteCandleSink"/>.</summary>
public sealed record SqliteCandleSinkOptions
{
    /// <summary>Candle table; an identifier matching <c>^[A-Za-z_][A-Za-z0-9_]{0,62}$</c>. Default <c>candles</c>.</summary>
    public string Table { get; init; } = "candles";

    /// <summary>
    /// How long a write waits for another connection's write lock before failing, in ms (SQLite <c>PRAGMA busy_timeout</c>);
    /// default 30,000. Two processes writing one database take turns within this time.
    /// </summary>
    public int BusyTimeoutMs { get; init; } = 30_000;

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentException">Invalid table name or negative busy timeout.</exception>
    public void Validate()
    {
        SqliteNames.ValidateTable(Table);
        if (BusyTimeoutMs < 0)
        {
            throw new ArgumentException($"BusyTimeoutMs must be 0 or more (ms); got {BusyTimeoutMs}.", nameof(BusyTimeoutMs));
        }
    }
}
