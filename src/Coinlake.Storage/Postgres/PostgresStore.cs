using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Coinlake.Storage.Postgres;

/// <summary>How the store's tables were laid out on the server.</summary>
/// <param name="Timescale">True when the tables are TimescaleDB hypertables with retention policies.</param>
/// <param name="TradesKeyedByTime">True when the trade table's key includes <c>timestamp</c> (a hypertable's requirement).</param>
public sealed record PostgresLayout(bool Timescale, bool TradesKeyedByTime);

/// <summary>Rows a retention run deleted, per table.</summary>
/// <param name="Candles">Candle rows deleted (0 unless a candle retention is set).</param>
/// <param name="Trades">Trade rows deleted.</param>
/// <param name="Tickers">Ticker snapshots deleted.</param>
/// <param name="ByTimescale">True when nothing was deleted here because TimescaleDB's retention policies do the work.</param>
public readonly record struct RetentionResult(long Candles, long Trades, long Tickers, bool ByTimescale = false);

/// <summary>
/// One PostgreSQL database holding Coinlake's candles, trades and tickers (the tables named in
/// <see cref="PostgresStoreOptions"/>, in the connection's <c>search_path</c> schema). Creates the schema on first use
/// (idempotent, serialised across processes by a transaction-scoped advisory lock, so two processes starting at once are
/// safe). When TimescaleDB is available (<c>pg_available_extensions</c>) and <see cref="PostgresStoreOptions.Timescale"/>
/// allows it, the tables become hypertables on their bigint ms time columns with retention policies; otherwise they are
/// plain tables with time indexes and <see cref="ApplyRetentionAsync"/> deletes old rows (a job the scheduler or server
/// calls). Connections come from one shared <see cref="NpgsqlDataSource"/> per connection string.
/// </summary>
public sealed partial class PostgresStore
{
    private readonly Lock _lock = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private Task<PostgresLayout>? _schema;

    /// <summary>Creates a store on <paramref name="connectionString"/>; nothing connects until first use.</summary>
    /// <param name="connectionString">Keyword (<c>Host=...;Database=...</c>) or URL (<c>postgres://user:pw@host:5432/db</c>) form; resolve <c>env:NAME</c> with <see cref="PostgresConnection.Resolve"/> first.</param>
    /// <param name="options">Table names, TimescaleDB use and retentions; defaults when null.</param>
    /// <param name="timeProvider">Clock of <see cref="ApplyRetentionAsync"/>; system clock when null.</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">An invalid connection string or options; the message says how to fix it.</exception>
    public PostgresStore(string connectionString, PostgresStoreOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        var builder = PostgresConnection.Parse(connectionString);
        Options = options ?? new PostgresStoreOptions();
        Options.Validate();
        Where = PostgresConnection.Describe(builder);
        DataSource = PostgresConnection.DataSource(builder.ConnectionString);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The tables and retention settings.</summary>
    public PostgresStoreOptions Options { get; }

    /// <summary>Where the store is, without credentials: <c>host:port/database</c>.</summary>
    public string Where { get; }

    internal NpgsqlDataSource DataSource { get; }

    internal ILogger Logger => _logger;

    /// <summary>
    /// Creates the tables (and, with TimescaleDB, hypertables and retention policies) unless they exist; runs once per
    /// store instance (again after a failure). Safe when several processes call it at once.
    /// </summary>
    /// <exception cref="NpgsqlException">The server cannot be reached or refused the login (the message names the server and what to check), or a table of that name exists with other columns.</exception>
    /// <exception cref="InvalidOperationException">TimescaleDB is <see cref="TimescaleMode.Required"/> but not available.</exception>
    public async ValueTask<PostgresLayout> EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        Task<PostgresLayout> task;
        lock (_lock)
        {
            if (_schema is null || _schema.IsFaulted || _schema.IsCanceled)
            {
                _schema = CreateSchemaAsync(cancellationToken);
            }

            task = _schema;
        }

        return await task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Deletes rows older than their table's retention (<see cref="PostgresStoreOptions"/>; tables without one are kept),
    /// measured from the injected clock's now: candles by open time, trades and tickers by timestamp. With TimescaleDB
    /// the policies drop old chunks on their own and this returns <see cref="RetentionResult.ByTimescale"/>.
    /// </summary>
    /// <exception cref="NpgsqlException">A database error.</exception>
    public async ValueTask<RetentionResult> ApplyRetentionAsync(CancellationToken cancellationToken = default)
    {
        var layout = await EnsureSchemaAsync(cancellationToken);
        if (layout.Timescale)
        {
            return new RetentionResult(0, 0, 0, ByTimescale: true);
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var deleted = new long[3];
        var i = 0;
        await using var connection = await OpenConnectionAsync(cancellationToken);
        foreach (var (table, column, retention) in PostgresSql.Retained(Options))
        {
            if (retention is { } keep)
            {
                await using var command = new NpgsqlCommand(PostgresSql.RetentionDelete(table, column), connection);
                command.Parameters.Add(new NpgsqlParameter { Value = now - (long)keep.TotalMilliseconds });
                deleted[i] = await command.ExecuteNonQueryAsync(cancellationToken);
                LogRetention(_logger, Where, table, deleted[i]);
            }

            i++;
        }

        return new RetentionResult(deleted[0], deleted[1], deleted[2]);
    }

    /// <summary>Opens a pooled connection.</summary>
    /// <exception cref="NpgsqlException">Cannot connect or log in; the message names the server and what to check.</exception>
    internal async ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await DataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw new NpgsqlException(
                $"Cannot connect to PostgreSQL at {Where} ({e.Message}). Check that the server is running and reachable, that the database exists and that " +
                "the user and password are right: they come from the postgres sink's output (a connection string or env:NAME).",
                e);
        }
    }

    /// <summary>True when <paramref name="table"/> exists in the connection's search path.</summary>
    internal static async ValueTask<bool> TableExistsAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = PostgresSql.Quote(table) });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<PostgresLayout> CreateSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = PostgresSql.SchemaLockKey });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var timescale = Options.Timescale != TimescaleMode.Off && await TryCreateTimescaleAsync(connection, transaction, cancellationToken);
        var tradesExisted = await TableExistsAsync(connection, Options.TradeTable, cancellationToken);
        var tradesKeyedByTime = tradesExisted
            ? await PrimaryKeyHasAsync(connection, Options.TradeTable, "timestamp", cancellationToken)
            : timescale;
        foreach (var sql in PostgresSql.CreateTables(Options, tradesKeyedByTime))
        {
            await ExecuteAsync(connection, transaction, sql, cancellationToken);
        }

        await RequireColumnsAsync(connection, Options.CandleTable, ["exchange", "symbol", "market_type", "timeframe", "price", "open_time", "open", "high", "low", "close", "volume", "quote_volume", "trade_count"], cancellationToken);
        await RequireColumnsAsync(connection, Options.TradeTable, ["exchange", "symbol", "market_type", "trade_id", "timestamp", "price", "amount", "cost", "side"], cancellationToken);
        await RequireColumnsAsync(connection, Options.TickerTable, ["exchange", "symbol", "market_type", "timestamp", "last", "bid", "ask", "high", "low", "open", "base_volume", "quote_volume", "change", "change_percent"], cancellationToken);
        if (timescale && !tradesKeyedByTime)
        {
            LogTradesNotHypertable(_logger, Where, Options.TradeTable);
        }

        var setup = timescale
            ? PostgresSql.TimescaleSetup(Options, includeTrades: tradesKeyedByTime)
            : PostgresSql.PlainTimeIndexes(Options);
        foreach (var sql in setup)
        {
            await ExecuteAsync(connection, transaction, sql, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        var layout = new PostgresLayout(timescale, tradesKeyedByTime);
        LogSchema(_logger, Where, timescale);
        return layout;
    }

    private async ValueTask<bool> TryCreateTimescaleAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        bool available;
        await using (var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')", connection, transaction))
        {
            available = (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        if (!available)
        {
            return Options.Timescale == TimescaleMode.Required
                ? throw new InvalidOperationException(
                    $"TimescaleDB is required (PostgresStoreOptions.Timescale = Required) but the server at {Where} does not offer the timescaledb extension; install it or use TimescaleMode.Auto.")
                : false;
        }

        await transaction.SaveAsync("coinlake_timescale", cancellationToken);
        try
        {
            await ExecuteAsync(connection, transaction, "CREATE EXTENSION IF NOT EXISTS timescaledb", cancellationToken);
            await transaction.ReleaseAsync("coinlake_timescale", cancellationToken);
            return true;
        }
        catch (PostgresException e) when (Options.Timescale == TimescaleMode.Auto)
        {
            await transaction.RollbackAsync("coinlake_timescale", cancellationToken);
            LogTimescaleUnavailable(_logger, Where, e.MessageText);
            return false;
        }
    }

    private static async ValueTask<bool> PrimaryKeyHasAsync(NpgsqlConnection connection, string table, string column, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) " +
            "WHERE i.indrelid = to_regclass($1) AND i.indisprimary AND a.attname = $2)",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = PostgresSql.Quote(table) });
        command.Parameters.Add(new NpgsqlParameter { Value = column });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async ValueTask RequireColumnsAsync(NpgsqlConnection connection, string table, IReadOnlyList<string> required, CancellationToken cancellationToken)
    {
        var columns = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = PostgresSql.Quote(table) });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                columns.Add(reader.GetString(0));
            }
        }

        var missing = required.Where(c => !columns.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Table '{table}' of PostgreSQL database {Where} exists but is not a Coinlake table (it lacks {string.Join(", ", missing)}); choose another table name.");
        }
    }

    private static async ValueTask ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "PostgreSQL store {Where} ready (TimescaleDB: {Timescale})")]
    private static partial void LogSchema(ILogger logger, string where, bool timescale);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "TimescaleDB is offered by {Where} but could not be created ({Reason}); using plain tables and the retention job")]
    private static partial void LogTimescaleUnavailable(ILogger logger, string where, string reason);

    [LoggerMessage(EventId = 43, Level = LogLevel.Warning, Message = "Trade table {Table} of {Where} existed before TimescaleDB and is keyed by trade id only; it stays a plain table")]
    private static partial void LogTradesNotHypertable(ILogger logger, string where, string table);

    [LoggerMessage(EventId = 44, Level = LogLevel.Information, Message = "Retention on {Where}: deleted {Rows} old rows from {Table}")]
    private static partial void LogRetention(ILogger logger, string where, string table, long rows);
}
