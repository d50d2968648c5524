using System.Globalization;

namespace Coinlake.Storage.Postgres;

/// <summary>
/// Builds the SQL of the PostgreSQL store (pure text, unit-tested without a server). Identifiers are validated
/// table names (<see cref="PostgresStoreOptions.ValidateTable"/>) and always double-quoted; times are <c>bigint</c>
/// ms since the epoch UTC, values <c>numeric</c> (exact: <c>23140.48000000</c> reads back with its 8 decimals).
/// </summary>
internal static class PostgresSql
{
    /// <summary>Known-empty candle ranges of every candle table (as SQLite's <c>coinlake_empty_ranges</c>).</summary>
    public const string EmptyRangesTable = "coinlake_empty_ranges";

    /// <summary>Returns the current time in ms since the epoch; TimescaleDB's integer "now" for retention policies.</summary>
    public const string NowFunction = "coinlake_now_ms";

    /// <summary>Advisory lock key serialising schema creation across processes: the ASCII bytes of <c>Coinlake</c>.</summary>
    public const long SchemaLockKey = 0x436F_696E_6C61_6B65;

    /// <summary>Hypertable chunk sizes, ms: candles 30 days, trades 1 day, tickers 7 days.</summary>
    public const long CandleChunkMs = 30L * 86_400_000, TradeChunkMs = 86_400_000, TickerChunkMs = 7L * 86_400_000;

    /// <summary>Text columns of the series keys; <c>COLLATE "C"</c> so ordering is ordinal and indexes are byte-wise.</summary>
    private const string KeyText = "text COLLATE \"C\" NOT NULL";

    /// <summary>The identifier double-quoted (only for validated names).</summary>
    public static string Quote(string identifier) => "\"" + identifier + "\"";

    /// <summary>
    /// The tables of the store (<c>CREATE TABLE IF NOT EXISTS</c>): candles keyed by (exchange, symbol, market_type,
    /// timeframe, price, open_time); trades by (exchange, symbol, market_type, trade_id), plus <c>timestamp</c> when
    /// they are a hypertable (TimescaleDB requires the time column in every unique key; a trade id has one timestamp, so
    /// the key is the same); tickers by (exchange, symbol, market_type, timestamp); known-empty ranges by
    /// (candle_table, series, start_ms).
    /// </summary>
    public static IReadOnlyList<string> CreateTables(PostgresStoreOptions options, bool timescale) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {Quote(options.CandleTable)} (
            exchange {KeyText}, symbol {KeyText}, market_type {KeyText}, timeframe {KeyText}, price {KeyText},
            open_time bigint NOT NULL,
            open numeric NOT NULL, high numeric NOT NULL, low numeric NOT NULL, close numeric NOT NULL, volume numeric NOT NULL,
            quote_volume numeric, trade_count bigint,
            PRIMARY KEY (exchange, symbol, market_type, timeframe, price, open_time))
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {EmptyRangesTable} (
            candle_table {KeyText}, exchange {KeyText}, symbol {KeyText}, market_type {KeyText}, timeframe {KeyText}, price {KeyText},
            start_ms bigint NOT NULL, end_ms bigint NOT NULL,
            PRIMARY KEY (candle_table, exchange, symbol, market_type, timeframe, price, start_ms))
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {Quote(options.TradeTable)} (
            exchange {KeyText}, symbol {KeyText}, market_type {KeyText}, trade_id {KeyText},
            "timestamp" bigint NOT NULL,
            price numeric NOT NULL, amount numeric NOT NULL, cost numeric NOT NULL, side text,
            PRIMARY KEY (exchange, symbol, market_type, trade_id{(timescale ? ", \"timestamp\"" : "")}))
        """,
        $"CREATE INDEX IF NOT EXISTS {Quote(options.TradeTable + "_by_series_time")} ON {Quote(options.TradeTable)} (exchange, symbol, market_type, \"timestamp\")",
        $"""
        CREATE TABLE IF NOT EXISTS {Quote(options.TickerTable)} (
            exchange {KeyText}, symbol {KeyText}, market_type {KeyText},
            "timestamp" bigint NOT NULL,
            last numeric, bid numeric, ask numeric, high numeric, low numeric, open numeric,
            base_volume numeric, quote_volume numeric, change numeric, change_percent numeric,
            PRIMARY KEY (exchange, symbol, market_type, "timestamp"))
        """,
    ];

    /// <summary>
    /// Plain PostgreSQL: an index on the time column of every table with a retention, so
    /// <see cref="RetentionDelete"/> does not scan the table (candles only when <see cref="PostgresStoreOptions.CandleRetention"/> is set).
    /// </summary>
    public static IReadOnlyList<string> PlainTimeIndexes(PostgresStoreOptions options)
    {
        var statements = new List<string>();
        foreach (var (table, column, retention) in Retained(options))
        {
            if (retention is not null)
            {
                statements.Add($"CREATE INDEX IF NOT EXISTS {Quote(table + "_by_time")} ON {Quote(table)} ({column})");
            }
        }

        return statements;
    }

    /// <summary>
    /// TimescaleDB: the extension, an integer "now" in ms (<see cref="NowFunction"/>), each table a hypertable on its
    /// bigint time column (<c>migrate_data</c> moves rows of an existing table), and a retention policy per table with a
    /// retention (dropped and re-added so a changed setting applies).
    /// </summary>
    /// <remarks>Follows TimescaleDB's API reference: <c>create_hypertable</c>, <c>set_integer_now_func</c>, <c>add_retention_policy</c> (<c>drop_after</c> in the time column's unit for integer time).</remarks>
    /// <param name="options">Tables and retentions.</param>
    /// <param name="includeTrades">False leaves the trade table plain (one made before TimescaleDB, keyed by trade id only).</param>
    public static IReadOnlyList<string> TimescaleSetup(PostgresStoreOptions options, bool includeTrades = true)
    {
        var statements = new List<string>
        {
            "CREATE EXTENSION IF NOT EXISTS timescaledb",
            $"CREATE OR REPLACE FUNCTION {NowFunction}() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT (extract(epoch FROM now()) * 1000)::bigint $$",
        };
        foreach (var (table, column, retention, chunk) in Hypertables(options))
        {
            if (!includeTrades && table == options.TradeTable)
            {
                continue;
            }

            var regclass = "'" + Quote(table) + "'";
            statements.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"SELECT create_hypertable({regclass}, '{column.Trim('"')}', chunk_time_interval => {chunk}::bigint, if_not_exists => TRUE, migrate_data => TRUE)"));
            statements.Add($"SELECT set_integer_now_func({regclass}, '{NowFunction}', replace_if_exists => TRUE)");
            statements.Add($"SELECT remove_retention_policy({regclass}, if_exists => TRUE)");
            if (retention is { } keep)
            {
                statements.Add(string.Create(CultureInfo.InvariantCulture, $"SELECT add_retention_policy({regclass}, drop_after => {(long)keep.TotalMilliseconds}::bigint)"));
            }
        }

        return statements;
    }

    /// <summary>Deletes the rows of one table older than the cutoff (<c>$1</c>, ms UTC).</summary>
    public static string RetentionDelete(string table, string timeColumn) => $"DELETE FROM {Quote(table)} WHERE {timeColumn} < $1";

    /// <summary>(table, time column, retention) of every table, candles first.</summary>
    public static IEnumerable<(string Table, string Column, TimeSpan? Retention)> Retained(PostgresStoreOptions options) =>
    [
        (options.CandleTable, "open_time", options.CandleRetention),
        (options.TradeTable, "\"timestamp\"", options.TradeRetention),
        (options.TickerTable, "\"timestamp\"", options.TickerRetention),
    ];

    /// <summary>Session-local staging table of candle rows (series columns come as parameters); emptied at every commit.</summary>
    public const string CandleStage = "coinlake_stage_candles";

    /// <summary>Creates <see cref="CandleStage"/> on a connection.</summary>
    public const string CreateCandleStage =
        $"CREATE TEMP TABLE IF NOT EXISTS {CandleStage} (open_time bigint, open numeric, high numeric, low numeric, close numeric, volume numeric, quote_volume numeric, trade_count bigint) ON COMMIT DELETE ROWS";

    /// <summary>Binary COPY into <see cref="CandleStage"/>, columns in the order the sink writes them.</summary>
    public const string CopyCandles = $"COPY {CandleStage} (open_time, open, high, low, close, volume, quote_volume, trade_count) FROM STDIN (FORMAT BINARY)";

    /// <summary>
    /// Moves the staged candles into <paramref name="table"/> (series from <c>$1..$5</c>), replacing rows with the same
    /// key, and returns one row: (inserted, updated) counts (<c>xmax = 0</c> marks a row the statement inserted).
    /// </summary>
    public static string UpsertCandles(string table) => Counted(
        $"INSERT INTO {Quote(table)} (exchange, symbol, market_type, timeframe, price, open_time, open, high, low, close, volume, quote_volume, trade_count) " +
        $"SELECT $1, $2, $3, $4, $5, open_time, open, high, low, close, volume, quote_volume, trade_count FROM {CandleStage} " +
        "ON CONFLICT (exchange, symbol, market_type, timeframe, price, open_time) DO UPDATE SET " +
        "open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume, " +
        "quote_volume = EXCLUDED.quote_volume, trade_count = EXCLUDED.trade_count");

    /// <summary>Session-local staging table of trade rows.</summary>
    public const string TradeStage = "coinlake_stage_trades";

    /// <summary>Creates <see cref="TradeStage"/> on a connection.</summary>
    public const string CreateTradeStage =
        $"CREATE TEMP TABLE IF NOT EXISTS {TradeStage} (trade_id text COLLATE \"C\", \"timestamp\" bigint, price numeric, amount numeric, cost numeric, side text) ON COMMIT DELETE ROWS";

    /// <summary>Binary COPY into <see cref="TradeStage"/>.</summary>
    public const string CopyTrades = $"COPY {TradeStage} (trade_id, \"timestamp\", price, amount, cost, side) FROM STDIN (FORMAT BINARY)";

    /// <summary>Moves the staged trades into <paramref name="table"/> (series from <c>$1..$3</c>); returns (inserted, updated).</summary>
    /// <param name="table">Trade table.</param>
    /// <param name="keyedByTime">True when the table's key includes <c>timestamp</c> (a TimescaleDB hypertable).</param>
    public static string UpsertTrades(string table, bool keyedByTime) => Counted(
        $"INSERT INTO {Quote(table)} (exchange, symbol, market_type, trade_id, \"timestamp\", price, amount, cost, side) " +
        $"SELECT $1, $2, $3, trade_id, \"timestamp\", price, amount, cost, side FROM {TradeStage} " +
        $"ON CONFLICT (exchange, symbol, market_type, trade_id{(keyedByTime ? ", \"timestamp\"" : "")}) DO UPDATE SET " +
        (keyedByTime ? "" : "\"timestamp\" = EXCLUDED.\"timestamp\", ") +
        "price = EXCLUDED.price, amount = EXCLUDED.amount, cost = EXCLUDED.cost, side = EXCLUDED.side");

    /// <summary>Session-local staging table of ticker rows.</summary>
    public const string TickerStage = "coinlake_stage_tickers";

    /// <summary>Creates <see cref="TickerStage"/> on a connection.</summary>
    public const string CreateTickerStage =
        $"CREATE TEMP TABLE IF NOT EXISTS {TickerStage} (symbol text COLLATE \"C\", \"timestamp\" bigint, last numeric, bid numeric, ask numeric, high numeric, low numeric, open numeric, " +
        "base_volume numeric, quote_volume numeric, change numeric, change_percent numeric) ON COMMIT DELETE ROWS";

    /// <summary>Binary COPY into <see cref="TickerStage"/>.</summary>
    public const string CopyTickers =
        $"COPY {TickerStage} (symbol, \"timestamp\", last, bid, ask, high, low, open, base_volume, quote_volume, change, change_percent) FROM STDIN (FORMAT BINARY)";

    /// <summary>Moves the staged tickers into <paramref name="table"/> (exchange <c>$1</c>, market type <c>$2</c>); returns (inserted, updated).</summary>
    public static string UpsertTickers(string table) => Counted(
        $"INSERT INTO {Quote(table)} (exchange, symbol, market_type, \"timestamp\", last, bid, ask, high, low, open, base_volume, quote_volume, change, change_percent) " +
        $"SELECT $1, symbol, $2, \"timestamp\", last, bid, ask, high, low, open, base_volume, quote_volume, change, change_percent FROM {TickerStage} " +
        "ON CONFLICT (exchange, symbol, market_type, \"timestamp\") DO UPDATE SET " +
        "last = EXCLUDED.last, bid = EXCLUDED.bid, ask = EXCLUDED.ask, high = EXCLUDED.high, low = EXCLUDED.low, open = EXCLUDED.open, " +
        "base_volume = EXCLUDED.base_volume, quote_volume = EXCLUDED.quote_volume, change = EXCLUDED.change, change_percent = EXCLUDED.change_percent");

    private static IEnumerable<(string Table, string Column, TimeSpan? Retention, long ChunkMs)> Hypertables(PostgresStoreOptions options) =>
    [
        (options.CandleTable, "open_time", options.CandleRetention, CandleChunkMs),
        (options.TradeTable, "\"timestamp\"", options.TradeRetention, TradeChunkMs),
        (options.TickerTable, "\"timestamp\"", options.TickerRetention, TickerChunkMs),
    ];

    private static string Counted(string upsert) =>
        $"WITH up AS ({upsert} RETURNING (xmax = 0) AS inserted) SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up";
}
