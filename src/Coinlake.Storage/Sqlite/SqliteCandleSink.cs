using System.Globalization;
using Coinlake.Candles;
using Coinlake.Storage.Internal;
using Coinlake.Time;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Storage.Sqlite;

/// <summary>
/// The default candle store: one SQLite database file, one table of candles that plain SQL can query.
/// <para>
/// Table (default name <c>candles</c>): <c>exchange symbol market_type timeframe price</c> TEXT (<c>binance</c>,
/// <c>BTC/USDT</c>, <c>spot</c>, <c>1m</c>, <c>last</c>), <c>open_time</c> INTEGER (ms since the epoch, UTC),
/// <c>open high low close volume quote_volume</c> REAL, <c>trade_count</c> INTEGER, <c>exact</c> TEXT; primary key
/// (exchange, symbol, market_type, timeframe, price, open_time), WITHOUT ROWID.
/// </para>
/// <para>
/// Decimals: REAL columns make <c>WHERE close &gt; 20000</c>, <c>ORDER BY</c> and <c>SUM(volume)</c> numeric, and
/// a REAL is exact for every decimal of up to 15 significant digits (all Binance 8-decimal prices and most
/// volumes): such values read back as the same decimal (trailing zeros dropped: <c>23140.48000000</c> reads as
/// <c>23140.48</c>). TEXT columns would compare as text, and NUMERIC affinity silently rounds to 15 digits. When a
/// row has a value that a double cannot hold exactly (16+ significant digits, e.g. a quote volume
/// <c>123456789.12345678</c>), its REAL columns hold the nearest double for SQL and <c>exact</c> holds the six
/// decimal strings <c>open|high|low|close|volume|quote_volume</c>, which readers use; otherwise <c>exact</c> is NULL.
/// </para>
/// <para>
/// Writes: one transaction per <see cref="UpsertAsync"/> (<c>BEGIN IMMEDIATE</c>, retried while another
/// connection holds the lock), multi-row <c>INSERT ... VALUES (...),(...) ... ON CONFLICT DO UPDATE</c> statements of 64 rows (the remainder in one
/// shorter statement), prepared once per size and bound by ordinal (<see cref="SqliteChunkedUpsert"/>); inserted
/// and updated rows are told apart by one range query of the batch's existing open times. PRAGMAs:
/// <c>journal_mode=WAL</c>, <c>synchronous=NORMAL</c>, <c>busy_timeout</c> (<see cref="SqliteCandleSinkOptions.BusyTimeoutMs"/>),
/// so several processes can write one database; <c>cache_size</c> 64 MiB and <c>wal_autocheckpoint</c> 16384 pages
/// so large backfills do not checkpoint every few thousand rows. Known-empty ranges go to <c>coinlake_empty_ranges</c>
/// (<c>candle_table</c>, the series columns, <c>start_ms</c>, <c>end_ms</c>), merged on insert.
/// </para>
/// </summary>
public sealed partial class SqliteCandleSink : ICandleSink, ICandleReader
{
    /// <summary>SQL condition selecting one series; parameters <c>$exchange $symbol $market_type $timeframe $price</c>.</summary>
    internal const string SeriesWhere = "exchange = $exchange AND symbol = $symbol AND market_type = $market_type AND timeframe = $timeframe AND price = $price";

    private readonly SqliteCandleSinkOptions _options;
    private readonly ILogger _logger;
    private readonly string _table;
    private readonly string _quoted;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private SqliteChunkedUpsert? _upsert;
    private SqliteCandleReader? _reader;

    /// <summary>Creates a sink on <paramref name="databasePath"/>; the folder and database are created on first use.</summary>
    /// <param name="databasePath">Database file, e.g. <c>data/coinlake.db</c>.</param>
    /// <param name="table">Candle table name (<c>^[A-Za-z_][A-Za-z0-9_]{0,62}$</c>).</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">Empty path or invalid table name (the message says what is allowed).</exception>
    public SqliteCandleSink(string databasePath, string table = "candles", ILogger? logger = null)
        : this(databasePath, new SqliteCandleSinkOptions { Table = table }, logger)
    {
    }

    /// <summary>Creates a sink on <paramref name="databasePath"/> with <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">Empty path or invalid options.</exception>
    public SqliteCandleSink(string databasePath, SqliteCandleSinkOptions options, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _table = options.Table;
        _quoted = SqliteNames.Quote(_table);
        DatabasePath = Path.GetFullPath(databasePath);
        Description = $"sqlite {databasePath} ({_table})";
    }

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc/>
    public string Description { get; }

    /// <inheritdoc/>
    public async ValueTask<SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken);
            var builder = new CoverageBuilder(series.Timeframe);
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT open_time FROM {_quoted} WHERE {SeriesWhere} AND open_time >= $start AND open_time < $end ORDER BY open_time";
                BindSeries(command, series);
                command.Parameters.AddWithValue("$start", series.Timeframe.Floor(range.Start));
                command.Parameters.AddWithValue("$end", range.End);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    builder.Add(reader.GetInt64(0));
                }
            }

            var empty = new List<TimeRange>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT start_ms, end_ms FROM {SqliteNames.EmptyRangesTable} WHERE candle_table = $table AND {SeriesWhere} AND end_ms > $start AND start_ms < $end";
                BindSeries(command, series);
                command.Parameters.AddWithValue("$table", _table);
                command.Parameters.AddWithValue("$start", range.Start);
                command.Parameters.AddWithValue("$end", range.End);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    empty.Add(new TimeRange(reader.GetInt64(0), reader.GetInt64(1)));
                }
            }

            var window = RangeSet.Of(range);
            return new SeriesCoverage(builder.Build().Intersect(window), RangeSet.Of(empty).Intersect(window));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Candles out of order or with repeated open times.</exception>
    /// <exception cref="SqliteException">The database stayed locked longer than the busy timeout, or another database error.</exception>
    public async ValueTask<UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken = default)
    {
        SeriesText.EnsureAscending(series, candles);
        if (candles.Count == 0)
        {
            return default;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken);
            await using var transaction = await BeginImmediateAsync(connection, cancellationToken);
            var updated = await CountStoredAsync(connection, transaction, series, candles, cancellationToken);
            var upsert = _upsert!;
            var columns = SeriesColumns.Of(series);
            ReadOnlySpan<string> shared = [columns.Exchange, columns.Symbol, columns.MarketType, columns.Timeframe, columns.Price];
            for (var start = 0; start < candles.Count; start += SqliteChunkedUpsert.ChunkRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rows = Math.Min(SqliteChunkedUpsert.ChunkRows, candles.Count - start);
                var statement = upsert.Statement(rows, shared);
                for (var r = 0; r < rows; r++)
                {
                    var c = candles[start + r];
                    var i = upsert.Index(r, 0);
                    upsert.Bind(statement, i, c.OpenTime);
                    upsert.Bind(statement, i + 1, (double)c.Open);
                    upsert.Bind(statement, i + 2, (double)c.High);
                    upsert.Bind(statement, i + 3, (double)c.Low);
                    upsert.Bind(statement, i + 4, (double)c.Close);
                    upsert.Bind(statement, i + 5, (double)c.Volume);
                    upsert.Bind(statement, i + 6, c.QuoteVolume is { } qv ? (double)qv : null);
                    upsert.Bind(statement, i + 7, c.TradeCount);
                    upsert.Bind(statement, i + 8, SqliteValues.ExactText(c.Open, c.High, c.Low, c.Close, c.Volume, c.QuoteVolume));
                }

                upsert.Execute(statement);
            }

            await transaction.CommitAsync(cancellationToken);
            return new UpsertResult(candles.Count - updated, updated);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask MarkEmptyAsync(SeriesKey series, IReadOnlyList<TimeRange> ranges, CancellationToken cancellationToken = default)
    {
        var added = RangeSet.Of(ranges);
        if (added.IsEmpty)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken);
            await using var transaction = await BeginImmediateAsync(connection, cancellationToken);
            var touching = new List<TimeRange>();
            await using (var select = connection.CreateCommand())
            {
                select.Transaction = transaction;
                select.CommandText = $"SELECT start_ms, end_ms FROM {SqliteNames.EmptyRangesTable} WHERE candle_table = $table AND {SeriesWhere} AND start_ms <= $end AND end_ms >= $start";
                BindSeries(select, series);
                select.Parameters.AddWithValue("$table", _table);
                var start = select.Parameters.Add("$start", SqliteType.Integer);
                var end = select.Parameters.Add("$end", SqliteType.Integer);
                foreach (var range in added.Ranges)
                {
                    start.Value = range.Start;
                    end.Value = range.End;
                    await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        touching.Add(new TimeRange(reader.GetInt64(0), reader.GetInt64(1)));
                    }
                }
            }

            await using (var delete = connection.CreateCommand())
            {
                delete.Transaction = transaction;
                delete.CommandText = $"DELETE FROM {SqliteNames.EmptyRangesTable} WHERE candle_table = $table AND {SeriesWhere} AND start_ms = $start";
                BindSeries(delete, series);
                delete.Parameters.AddWithValue("$table", _table);
                var start = delete.Parameters.Add("$start", SqliteType.Integer);
                foreach (var range in touching)
                {
                    start.Value = range.Start;
                    await delete.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText =
                    $"INSERT OR REPLACE INTO {SqliteNames.EmptyRangesTable} (candle_table, exchange, symbol, market_type, timeframe, price, start_ms, end_ms) " +
                    "VALUES ($table, $exchange, $symbol, $market_type, $timeframe, $price, $start, $end)";
                BindSeries(insert, series);
                insert.Parameters.AddWithValue("$table", _table);
                var start = insert.Parameters.Add("$start", SqliteType.Integer);
                var end = insert.Parameters.Add("$end", SqliteType.Integer);
                foreach (var range in added.Union(RangeSet.Of(touching)).Ranges)
                {
                    start.Value = range.Start;
                    end.Value = range.End;
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    /// <remarks>Every <see cref="UpsertAsync"/> is committed when it returns; nothing is buffered.</remarks>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public async IAsyncEnumerable<SeriesKey> ListSeriesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var series in (await GetReaderAsync(cancellationToken)).ListSeriesAsync(cancellationToken))
        {
            yield return series;
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<Candle> ReadAsync(SeriesKey series, TimeRange? range = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var candle in (await GetReaderAsync(cancellationToken)).ReadAsync(series, range, cancellationToken))
        {
            yield return candle;
        }
    }

    /// <summary>Closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _upsert?.Dispose();

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _gate.Dispose();
    }

    internal static void BindSeries(SqliteCommand command, SeriesKey series)
    {
        var columns = SeriesColumns.Of(series);
        command.Parameters.AddWithValue("$exchange", columns.Exchange);
        command.Parameters.AddWithValue("$symbol", columns.Symbol);
        command.Parameters.AddWithValue("$market_type", columns.MarketType);
        command.Parameters.AddWithValue("$timeframe", columns.Timeframe);
        command.Parameters.AddWithValue("$price", columns.Price);
    }

    /// <summary>
    /// How many of <paramref name="candles"/> (ascending, distinct open times) the table holds already: one range
    /// query of the batch's open times, walked against the batch in step (both ascending).
    /// </summary>
    private async ValueTask<long> CountStoredAsync(SqliteConnection connection, SqliteTransaction transaction, SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken)
    {
        await using var check = connection.CreateCommand();
        check.Transaction = transaction;
        check.CommandText = $"SELECT open_time FROM {_quoted} WHERE {SeriesWhere} AND open_time >= $first AND open_time <= $last ORDER BY open_time";
        BindSeries(check, series);
        check.Parameters.AddWithValue("$first", candles[0].OpenTime);
        check.Parameters.AddWithValue("$last", candles[^1].OpenTime);
        await using var reader = await check.ExecuteReaderAsync(cancellationToken);
        long stored = 0;
        var next = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var time = reader.GetInt64(0);
            while (next < candles.Count && candles[next].OpenTime < time)
            {
                next++;
            }

            if (next < candles.Count && candles[next].OpenTime == time)
            {
                stored++;
                next++;
            }
        }

        return stored;
    }

    private async ValueTask<SqliteCandleReader> GetReaderAsync(CancellationToken cancellationToken)
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

            _reader = new SqliteCandleReader(DatabasePath, _table);
        }

        return _reader;
    }

    private ValueTask<SqliteTransaction> BeginImmediateAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        SqliteWriting.BeginImmediateAsync(connection, DatabasePath, _logger, cancellationToken);

    private async ValueTask<SqliteConnection> EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var connection = await SqliteWriting.OpenAsync(DatabasePath, _options.BusyTimeoutMs, cancellationToken);
        try
        {
            await ExecuteAsync(
                connection,
                $"""
                CREATE TABLE IF NOT EXISTS {_quoted} (
                    exchange TEXT NOT NULL,
                    symbol TEXT NOT NULL,
                    market_type TEXT NOT NULL,
                    timeframe TEXT NOT NULL,
                    price TEXT NOT NULL,
                    open_time INTEGER NOT NULL,
                    open REAL NOT NULL,
                    high REAL NOT NULL,
                    low REAL NOT NULL,
                    close REAL NOT NULL,
                    volume REAL NOT NULL,
                    quote_volume REAL,
                    trade_count INTEGER,
                    exact TEXT,
                    PRIMARY KEY (exchange, symbol, market_type, timeframe, price, open_time)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS {SqliteNames.EmptyRangesTable} (
                    candle_table TEXT NOT NULL,
                    exchange TEXT NOT NULL,
                    symbol TEXT NOT NULL,
                    market_type TEXT NOT NULL,
                    timeframe TEXT NOT NULL,
                    price TEXT NOT NULL,
                    start_ms INTEGER NOT NULL,
                    end_ms INTEGER NOT NULL,
                    PRIMARY KEY (candle_table, exchange, symbol, market_type, timeframe, price, start_ms)
                ) WITHOUT ROWID;
                """,
                cancellationToken);
            await CheckColumnsAsync(connection, cancellationToken);
            _upsert = new SqliteChunkedUpsert(
                connection,
                _quoted,
                ["exchange", "symbol", "market_type", "timeframe", "price"],
                ["open_time", "open", "high", "low", "close", "volume", "quote_volume", "trade_count", "exact"],
                "ON CONFLICT (exchange, symbol, market_type, timeframe, price, open_time) DO UPDATE SET " +
                "open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume, " +
                "quote_volume = excluded.quote_volume, trade_count = excluded.trade_count, exact = excluded.exact");
            LogOpened(_logger, DatabasePath, _table);
            return _connection = connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private ValueTask CheckColumnsAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        SqliteWriting.RequireColumnsAsync(
            connection,
            _table,
            DatabasePath,
            "candle",
            ["exchange", "symbol", "market_type", "timeframe", "price", "open_time", "open", "high", "low", "close", "volume", "quote_volume", "trade_count", "exact"],
            cancellationToken);

    private static ValueTask ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken) =>
        SqliteWriting.ExecuteAsync(connection, sql, cancellationToken);

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Opened SQLite candle store {Path} (table {Table})")]
    private static partial void LogOpened(ILogger logger, string path, string table);
}
