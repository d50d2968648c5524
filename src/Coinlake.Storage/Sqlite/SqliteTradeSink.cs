using System.Buffers;
using System.Text.Json;
using Coinlake.Storage.Internal;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Storage.Sqlite;

/// <summary>
/// Stores public trades in one SQLite table that plain SQL can query.
/// <para>
/// Table (default name <c>trades</c>): <c>exchange symbol market_type</c> TEXT (<c>binance</c>, <c>BTC/USDT</c>,
/// <c>spot</c>), <c>trade_id</c> TEXT (the exchange's id), <c>timestamp</c> INTEGER (ms since the epoch, UTC),
/// <c>price amount cost</c> REAL (quote currency, base currency, quote currency = price × amount), <c>side</c> TEXT
/// (<c>buy</c>, <c>sell</c> or NULL when the exchange does not say), <c>exact</c> TEXT; primary key
/// (exchange, symbol, market_type, trade_id), WITHOUT ROWID, and an index on (exchange, symbol, market_type, timestamp).
/// </para>
/// <para>
/// Decimals follow <see cref="SqliteCandleSink"/>: REAL keeps SQL numeric and is exact for every value of up to 15
/// significant digits; when the price or amount of a row is not, <c>exact</c> holds <c>price|amount</c> as decimal
/// strings and readers use them. <c>cost</c> is for SQL only (the nearest double of price × amount); readers compute
/// <see cref="Trade.Cost"/> from the exact price and amount.
/// </para>
/// <para>
/// Writes: one transaction per <see cref="UpsertTradesAsync"/> (<c>BEGIN IMMEDIATE</c>, retried while another
/// connection holds the lock), multi-row <c>INSERT ... VALUES (...),(...) ... ON CONFLICT DO UPDATE</c> statements of 64 rows bound by ordinal
/// (<see cref="SqliteChunkedUpsert"/>); which ids
/// were stored already is found by one primary-key query over the batch's ids. Same PRAGMAs as the candle sink
/// (WAL, <c>synchronous=NORMAL</c>, <c>busy_timeout</c>), so several processes can write one database.
/// </para>
/// </summary>
public sealed partial class SqliteTradeSink : ITradeSink, ITradeReader
{
    /// <summary>SQL condition selecting one trade series; parameters <c>$exchange $symbol $market_type</c>.</summary>
    internal const string SeriesWhere = "exchange = $exchange AND symbol = $symbol AND market_type = $market_type";

    private static readonly string[] Columns = ["exchange", "symbol", "market_type", "trade_id", "timestamp", "price", "amount", "cost", "side", "exact"];

    private readonly ILogger _logger;
    private readonly string _table;
    private readonly string _quoted;
    private readonly int _busyTimeoutMs;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private SqliteChunkedUpsert? _upsert;
    private SqliteCommand? _existing;
    private SqliteTradeReader? _reader;

    /// <summary>Creates a sink on <paramref name="databasePath"/>; the folder, database and table are created on first use.</summary>
    /// <param name="databasePath">Database file, e.g. <c>data/coinlake.db</c> (may be the candle database).</param>
    /// <param name="table">Trade table name (<c>^[A-Za-z_][A-Za-z0-9_]{0,62}$</c>).</param>
    /// <param name="busyTimeoutMs">How long a write waits for another connection's write lock, ms (SQLite <c>busy_timeout</c>).</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">Empty path, invalid table name or negative timeout (the message says what is allowed).</exception>
    public SqliteTradeSink(string databasePath, string table = "trades", int busyTimeoutMs = 30_000, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        _table = SqliteNames.ValidateTable(table);
        if (busyTimeoutMs < 0)
        {
            throw new ArgumentException($"busyTimeoutMs must be 0 or more (ms); got {busyTimeoutMs}.", nameof(busyTimeoutMs));
        }

        _busyTimeoutMs = busyTimeoutMs;
        _quoted = SqliteNames.Quote(_table);
        _logger = logger ?? NullLogger.Instance;
        DatabasePath = Path.GetFullPath(databasePath);
        Description = $"sqlite {databasePath} ({_table})";
    }

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc/>
    public string Description { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// The batch may be in any order; a trade id repeated within the batch is stored once (the last one wins) and
    /// counted as updated. Committed when the call returns.
    /// </remarks>
    /// <exception cref="ArgumentException">A trade without id.</exception>
    /// <exception cref="SqliteException">The database stayed locked longer than the busy timeout, or another database error.</exception>
    public async ValueTask<UpsertResult> UpsertTradesAsync(TradeSeriesKey series, IReadOnlyList<Trade> trades, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        TradeText.EnsureIds(series, trades);
        if (trades.Count == 0)
        {
            return default;
        }

        var last = new Dictionary<string, int>(trades.Count, StringComparer.Ordinal);
        for (var i = 0; i < trades.Count; i++)
        {
            last[trades[i].Id] = i;
        }

        long updated = trades.Count - last.Count;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken);
            await using var transaction = await SqliteWriting.BeginImmediateAsync(connection, DatabasePath, _logger, cancellationToken);
            var columns = TradeSeriesColumns.Of(series);
            var existing = _existing!;
            existing.Transaction = transaction;
            existing.Parameters[0].Value = columns.Exchange;
            existing.Parameters[1].Value = columns.Symbol;
            existing.Parameters[2].Value = columns.MarketType;
            existing.Parameters[3].Value = IdsJson(last.Keys);
            await using (var reader = await existing.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    updated++;
                }
            }

            var upsert = _upsert!;
            ReadOnlySpan<string> shared = [columns.Exchange, columns.Symbol, columns.MarketType];
            var indexes = last.Values.ToArray();
            for (var start = 0; start < indexes.Length; start += SqliteChunkedUpsert.ChunkRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rows = Math.Min(SqliteChunkedUpsert.ChunkRows, indexes.Length - start);
                var statement = upsert.Statement(rows, shared);
                for (var r = 0; r < rows; r++)
                {
                    var t = trades[indexes[start + r]];
                    var i = upsert.Index(r, 0);
                    upsert.Bind(statement, i, t.Id);
                    upsert.Bind(statement, i + 1, t.Timestamp);
                    upsert.Bind(statement, i + 2, (double)t.Price);
                    upsert.Bind(statement, i + 3, (double)t.Amount);
                    upsert.Bind(statement, i + 4, (double)t.Cost);
                    upsert.Bind(statement, i + 5, TradeText.Side(t.Side));
                    upsert.Bind(statement, i + 6, SqliteValues.ExactText(t.Price, t.Amount));
                }

                upsert.Execute(statement);
            }

            await transaction.CommitAsync(cancellationToken);
            return new UpsertResult(trades.Count - updated, updated);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask<long?> LastTradeTimeAsync(TradeSeriesKey series, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT MAX(timestamp) FROM {_quoted} WHERE {SeriesWhere}";
            BindSeries(command, series);
            var value = await command.ExecuteScalarAsync(cancellationToken);
            return value is long ms ? ms : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    /// <remarks>Every <see cref="UpsertTradesAsync"/> is committed when it returns; nothing is buffered.</remarks>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public async IAsyncEnumerable<TradeSeriesKey> ListTradeSeriesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var series in (await GetReaderAsync(cancellationToken)).ListTradeSeriesAsync(cancellationToken))
        {
            yield return series;
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<Trade> ReadTradesAsync(TradeSeriesKey series, TimeRange? range = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var trade in (await GetReaderAsync(cancellationToken)).ReadTradesAsync(series, range, cancellationToken))
        {
            yield return trade;
        }
    }

    /// <summary>Closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _upsert?.Dispose();

        if (_existing is not null)
        {
            await _existing.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _gate.Dispose();
    }

    internal static void BindSeries(SqliteCommand command, TradeSeriesKey series)
    {
        var columns = TradeSeriesColumns.Of(series);
        command.Parameters.AddWithValue("$exchange", columns.Exchange);
        command.Parameters.AddWithValue("$symbol", columns.Symbol);
        command.Parameters.AddWithValue("$market_type", columns.MarketType);
    }

    /// <summary>The ids as a JSON array of strings, for <c>json_each</c>.</summary>
    private static string IdsJson(IEnumerable<string> ids)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var id in ids)
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private async ValueTask<SqliteTradeReader> GetReaderAsync(CancellationToken cancellationToken)
    {
        if (_reader is null)
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                await EnsureOpenAsync(cancellationToken);
            }
            finally
            {
                _gate.Release();
            }

            _reader = new SqliteTradeReader(DatabasePath, _table);
        }

        return _reader;
    }

    private async ValueTask<SqliteConnection> EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var connection = await SqliteWriting.OpenAsync(DatabasePath, _busyTimeoutMs, cancellationToken);
        try
        {
            await SqliteWriting.ExecuteAsync(
                connection,
                $"""
                CREATE TABLE IF NOT EXISTS {_quoted} (
                    exchange TEXT NOT NULL,
                    symbol TEXT NOT NULL,
                    market_type TEXT NOT NULL,
                    trade_id TEXT NOT NULL,
                    timestamp INTEGER NOT NULL,
                    price REAL NOT NULL,
                    amount REAL NOT NULL,
                    cost REAL NOT NULL,
                    side TEXT,
                    exact TEXT,
                    PRIMARY KEY (exchange, symbol, market_type, trade_id)
                ) WITHOUT ROWID;
                """,
                cancellationToken);
            await SqliteWriting.RequireColumnsAsync(connection, _table, DatabasePath, "trade", Columns, cancellationToken);
            await SqliteWriting.ExecuteAsync(
                connection,
                $"CREATE INDEX IF NOT EXISTS {SqliteNames.Quote(_table + "_by_time")} ON {_quoted} (exchange, symbol, market_type, timestamp);",
                cancellationToken);
            _existing = SqliteWriting.Prepare(
                connection,
                $"SELECT trade_id FROM {_quoted} WHERE {SeriesWhere} AND trade_id IN (SELECT value FROM json_each($ids))",
                ("$exchange", SqliteType.Text),
                ("$symbol", SqliteType.Text),
                ("$market_type", SqliteType.Text),
                ("$ids", SqliteType.Text));
            _upsert = new SqliteChunkedUpsert(
                connection,
                _quoted,
                ["exchange", "symbol", "market_type"],
                ["trade_id", "timestamp", "price", "amount", "cost", "side", "exact"],
                "ON CONFLICT (exchange, symbol, market_type, trade_id) DO UPDATE SET " +
                "timestamp = excluded.timestamp, price = excluded.price, amount = excluded.amount, cost = excluded.cost, side = excluded.side, exact = excluded.exact");
            LogOpened(_logger, DatabasePath, _table);
            return _connection = connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Opened SQLite trade store {Path} (table {Table})")]
    private static partial void LogOpened(ILogger logger, string path, string table);
}
