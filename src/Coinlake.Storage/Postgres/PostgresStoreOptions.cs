using Coinlake.Storage.Sqlite;

namespace Coinlake.Storage.Postgres;

/// <summary>Whether the PostgreSQL store uses the TimescaleDB extension.</summary>
public enum TimescaleMode
{
    /// <summary>Use it when the server offers it (<c>pg_available_extensions</c>) and it can be created; plain tables otherwise.</summary>
    Auto,

    /// <summary>Never: plain tables with time indexes, retention by <see cref="PostgresStore.ApplyRetentionAsync"/>.</summary>
    Off,

    /// <summary>Always: schema creation fails with a clear error when the extension is not available.</summary>
    Required,
}

/// <summary>Options of <see cref="PostgresStore"/> and its sinks. Defaults follow the seed service (tickers 90 days, trades 30 days, candles kept).</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>Longest table name accepted (index names add up to 15 characters and PostgreSQL cuts identifiers at 63).</summary>
    public const int MaxTableNameLength = 48;

    /// <summary>Candle table (plain identifier, at most 48 characters). Default <c>candles</c>.</summary>
    public string CandleTable { get; init; } = "candles";

    /// <summary>Trade table. Default <c>trades</c>.</summary>
    public string TradeTable { get; init; } = "trades";

    /// <summary>Ticker table. Default <c>tickers</c>.</summary>
    public string TickerTable { get; init; } = "tickers";

    /// <summary>Whether to use TimescaleDB (hypertables and retention policies). Default <see cref="TimescaleMode.Auto"/>.</summary>
    public TimescaleMode Timescale { get; init; } = TimescaleMode.Auto;

    /// <summary>How long candles are kept (by open time); null (default) keeps them forever.</summary>
    public TimeSpan? CandleRetention { get; init; }

    /// <summary>How long trades are kept (by trade timestamp); default 30 days, null keeps them forever.</summary>
    public TimeSpan? TradeRetention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How long ticker snapshots are kept (by snapshot timestamp); default 90 days, null keeps them forever.</summary>
    public TimeSpan? TickerRetention { get; init; } = TimeSpan.FromDays(90);

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentException">An invalid or repeated table name, or a retention that is not positive.</exception>
    public void Validate()
    {
        foreach (var (name, value) in new[] { (nameof(CandleTable), CandleTable), (nameof(TradeTable), TradeTable), (nameof(TickerTable), TickerTable) })
        {
            ValidateTable(value, name);
        }

        if (string.Equals(CandleTable, TradeTable, StringComparison.OrdinalIgnoreCase)
            || string.Equals(CandleTable, TickerTable, StringComparison.OrdinalIgnoreCase)
            || string.Equals(TradeTable, TickerTable, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The candle, trade and ticker tables must differ; got {CandleTable}, {TradeTable}, {TickerTable}.", nameof(CandleTable));
        }

        foreach (var (name, value) in new[] { (nameof(CandleRetention), CandleRetention), (nameof(TradeRetention), TradeRetention), (nameof(TickerRetention), TickerRetention) })
        {
            if (value is { } v && v <= TimeSpan.Zero)
            {
                throw new ArgumentException($"{name} must be positive (e.g. 30 days) or null to keep rows forever; got {v}.", name);
            }
        }
    }

    /// <summary>Throws unless <paramref name="table"/> is a plain identifier of at most 48 characters, not reserved.</summary>
    /// <exception cref="ArgumentException">Anything else; the message says what is allowed.</exception>
    internal static string ValidateTable(string? table, string option = "table")
    {
        SqliteNames.ValidateTable(table);
        if (table!.Length > MaxTableNameLength || table.StartsWith("pg_", StringComparison.OrdinalIgnoreCase) || table.StartsWith("coinlake_", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"'{table}' cannot be a PostgreSQL table of Coinlake ({option}): use at most {MaxTableNameLength} letters, digits or '_', not starting with pg_ or coinlake_ (e.g. candles, candles_1m).",
                option);
        }

        return table;
    }
}
