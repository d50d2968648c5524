using Coinlake.Storage.Postgres;

namespace Coinlake.Storage.Tests.Postgres;

/// <summary>The SQL the store would run (TimescaleDB included, which this machine's PostgreSQL lacks), and connection strings.</summary>
public sealed class PostgresSqlTests
{
    [Fact]
    public void TimescaleSetup_DefaultOptions_HypertablesIntegerNowAndSeedRetentions()
    {
        var sql = PostgresSql.TimescaleSetup(new PostgresStoreOptions());

        sql[0].ShouldBe("CREATE EXTENSION IF NOT EXISTS timescaledb");
        sql[1].ShouldContain("FUNCTION coinlake_now_ms() RETURNS bigint");
        sql.ShouldContain("""SELECT create_hypertable('"candles"', 'open_time', chunk_time_interval => 2592000000::bigint, if_not_exists => TRUE, migrate_data => TRUE)""");
        sql.ShouldContain("""SELECT create_hypertable('"trades"', 'timestamp', chunk_time_interval => 86400000::bigint, if_not_exists => TRUE, migrate_data => TRUE)""");
        sql.ShouldContain("""SELECT create_hypertable('"tickers"', 'timestamp', chunk_time_interval => 604800000::bigint, if_not_exists => TRUE, migrate_data => TRUE)""");
        sql.ShouldContain("""SELECT set_integer_now_func('"trades"', 'coinlake_now_ms', replace_if_exists => TRUE)""");
        sql.ShouldContain("""SELECT add_retention_policy('"trades"', drop_after => 2592000000::bigint)""");   // 30 days
        sql.ShouldContain("""SELECT add_retention_policy('"tickers"', drop_after => 7776000000::bigint)""");  // 90 days
        sql.ShouldNotContain(s => s.Contains("add_retention_policy('\"candles\"", StringComparison.Ordinal));
        sql.Count(s => s.StartsWith("SELECT remove_retention_policy(", StringComparison.Ordinal)).ShouldBe(3);
    }

    [Fact]
    public void TimescaleSetup_CustomTablesAndRetentions_UsesThem()
    {
        var options = new PostgresStoreOptions { CandleTable = "ohlcv", TickerTable = "tick", CandleRetention = TimeSpan.FromDays(1), TradeRetention = null };

        var sql = PostgresSql.TimescaleSetup(options, includeTrades: false);

        sql.ShouldContain("""SELECT add_retention_policy('"ohlcv"', drop_after => 86400000::bigint)""");
        sql.ShouldContain("""SELECT add_retention_policy('"tick"', drop_after => 7776000000::bigint)""");
        sql.ShouldNotContain(s => s.Contains("\"trades\"", StringComparison.Ordinal));
    }

    [Fact]
    public void CreateTables_Timescale_TradeKeyIncludesTimestampAndValuesAreNumeric()
    {
        var plain = PostgresSql.CreateTables(new PostgresStoreOptions(), timescale: false);
        var timescale = PostgresSql.CreateTables(new PostgresStoreOptions(), timescale: true);

        plain[2].ShouldContain("PRIMARY KEY (exchange, symbol, market_type, trade_id))");
        timescale[2].ShouldContain("PRIMARY KEY (exchange, symbol, market_type, trade_id, \"timestamp\"))");
        plain[0].ShouldContain("PRIMARY KEY (exchange, symbol, market_type, timeframe, price, open_time)");
        plain[0].ShouldContain("close numeric NOT NULL");
        plain[1].ShouldContain("CREATE TABLE IF NOT EXISTS coinlake_empty_ranges");
    }

    [Fact]
    public void UpsertTrades_KeyedByTime_ConflictTargetMatchesTheKey()
    {
        PostgresSql.UpsertTrades("trades", keyedByTime: true).ShouldContain("ON CONFLICT (exchange, symbol, market_type, trade_id, \"timestamp\") DO UPDATE SET price");
        PostgresSql.UpsertTrades("trades", keyedByTime: false).ShouldContain("ON CONFLICT (exchange, symbol, market_type, trade_id) DO UPDATE SET \"timestamp\" = EXCLUDED.\"timestamp\"");
    }

    [Fact]
    public void PlainTimeIndexes_DefaultOptions_TradesAndTickersOnly()
    {
        PostgresSql.PlainTimeIndexes(new PostgresStoreOptions()).ShouldBe([
            "CREATE INDEX IF NOT EXISTS \"trades_by_time\" ON \"trades\" (\"timestamp\")",
            "CREATE INDEX IF NOT EXISTS \"tickers_by_time\" ON \"tickers\" (\"timestamp\")",
        ]);
    }

    [Theory]
    [InlineData("pg_candles")]
    [InlineData("coinlake_empty_ranges")]
    [InlineData("bad-name")]
    [InlineData("a_table_name_that_is_much_too_long_for_postgres_indexes")]
    public void Validate_BadTableName_Throws(string table)
    {
        var error = Should.Throw<ArgumentException>(() => new PostgresStoreOptions { TradeTable = table }.Validate());

        error.Message.ShouldContain(table);
    }

    [Fact]
    public void Validate_NonPositiveRetention_Throws() =>
        Should.Throw<ArgumentException>(() => new PostgresStoreOptions { TickerRetention = TimeSpan.Zero }.Validate()).Message.ShouldContain("TickerRetention");

    [Fact]
    public void Parse_UrlForm_BecomesKeywordsWithEscapesAndSslMode()
    {
        var builder = PostgresConnection.Parse("postgres://coin%40lake:p%3Ass@db.example:6543/market_data?sslmode=require");

        (builder.Host, builder.Port, builder.Username, builder.Password, builder.Database).ShouldBe(("db.example", 6543, "coin@lake", "p:ss", "market_data"));
        builder.SslMode.ShouldBe(Npgsql.SslMode.Require);
        PostgresConnection.Describe(builder).ShouldBe("db.example:6543/market_data");
    }

    [Theory]
    [InlineData("Hots=localhost;Database=x", "not a valid PostgreSQL connection string")]
    [InlineData("Database=x;Password=secret", "has no Host")]
    [InlineData("Host=localhost;Port=abc;Password=secret", "not a valid PostgreSQL connection string")]
    public void Parse_BadConnectionString_ClearErrorWithoutThePassword(string text, string expected)
    {
        var error = Should.Throw<ArgumentException>(() => new PostgresCandleSink(text));

        error.Message.ShouldContain(expected);
        error.Message.ShouldContain("Host=localhost;Port=5432;Database=coinlake");
        error.Message.ShouldNotContain("secret");
    }

    [Fact]
    public void Resolve_EnvironmentReference_ReadsTheVariableOrSaysWhatToSet()
    {
        var env = new Dictionary<string, string?> { ["PG_URL"] = "Host=h;Database=d" };

        PostgresConnection.Resolve("env:PG_URL", n => env.GetValueOrDefault(n)).ShouldBe("Host=h;Database=d");
        PostgresConnection.Resolve("Host=h", n => null).ShouldBe("Host=h");
        Should.Throw<ArgumentException>(() => PostgresConnection.Resolve("env:MISSING", n => null)).Message.ShouldContain("environment variable MISSING");
        Should.Throw<ArgumentException>(() => PostgresConnection.Resolve("env:1bad", n => null)).Message.ShouldContain("env:COINLAKE_POSTGRES");
    }

    [Theory]
    [InlineData("Host=db;Username=u;Password=hunter2;Database=x", "Host=db;Username=u;Password=***;Database=x")]
    [InlineData("postgres://u:hunter2@db:5432/x", "postgres://u:***@db:5432/x")]
    public void Redact_Password_IsMasked(string text, string expected) => PostgresConnection.Redact(text).ShouldBe(expected);

    [Theory]
    [InlineData("postgres://u@h/db", true)]
    [InlineData("Host=localhost;Database=x", true)]
    [InlineData("server = h; database = x", true)]
    [InlineData("env:COINLAKE_POSTGRES", true)]
    [InlineData("data/coinlake.db", false)]
    [InlineData("hosts.csv", false)]
    public void LooksLikeConnectionString_PathsAndConnectionStrings_AreToldApart(string text, bool expected) =>
        PostgresConnection.LooksLikeConnectionString(text).ShouldBe(expected);
}
