using System.Globalization;
using System.Runtime.CompilerServices;
using Coinlake.Markets;
using Coinlake.Storage.Alerts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Storage.Sqlite;

/// <summary>
/// Stores price alerts of ticker streams in one SQLite table.
/// <para>
/// Table (default name <c>alerts</c>, the task key <c>alert_table</c>): <c>exchange symbol market_type</c> TEXT,
/// <c>window_start window_end</c> INTEGER (ms since epoch UTC: when the reference price and the crossing price were
/// seen), <c>from_price to_price</c> REAL (quote currency), <c>change_percent</c> REAL (percent, negative for a fall),
/// <c>direction</c> TEXT (<c>up</c>/<c>down</c>), <c>exact</c> TEXT; primary key (exchange, symbol, market_type,
/// window_end, direction), WITHOUT ROWID.
/// </para>
/// <para>
/// Decimals as in <see cref="SqliteTickerSink"/>: REAL, exact up to 15 significant digits; a row with a value that is
/// not holds <c>from_price|to_price|change_percent</c> as decimal strings in <c>exact</c>. One <c>BEGIN IMMEDIATE</c>
/// transaction per call, WAL and <c>busy_timeout</c> as the candle sink.
/// </para>
/// </summary>
public sealed partial class SqliteAlertSink : IAlertSink
{
    /// <summary>The default table name.</summary>
    public const string DefaultTable = "alerts";

    private const int ValueCount = 3;

    private static readonly string[] Columns =
        ["exchange", "symbol", "market_type", "window_start", "window_end", "from_price", "to_price", "change_percent", "direction", "exact"];

    private readonly ILogger _logger;
    private readonly string _table;
    private readonly string _quoted;
    private readonly int _busyTimeoutMs;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private SqliteCommand? _upsert;
    private SqliteCommand? _exists;

    /// <summary>Creates a sink on <paramref name="databasePath"/>; the folder, database and table are created on first use.</summary>
    /// <param name="databasePath">Database file, e.g. <c>data/coinlake.db</c>.</param>
    /// <param name="table">Alert table name (<c>^[A-Za-z_][A-Za-z0-9_]{0,62}$</c>).</param>
    /// <param name="busyTimeoutMs">How long a write waits for another connection's write lock, ms.</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">Empty path, invalid table name or negative timeout.</exception>
    public SqliteAlertSink(string databasePath, string table = DefaultTable, int busyTimeoutMs = 30_000, ILogger? logger = null)
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
    /// <exception cref="SqliteException">The database stayed locked longer than the busy timeout, or another database error.</exception>
    public async ValueTask<UpsertResult> WriteAlertsAsync(IReadOnlyList<PriceAlert> alerts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        if (alerts.Count == 0)
        {
            return default;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken);
            await using var transaction = await SqliteWriting.BeginImmediateAsync(connection, DatabasePath, _logger, cancellationToken);
            long inserted = 0, updated = 0;
            var exists = _exists!;
            var upsert = _upsert!;
            exists.Transaction = transaction;
            upsert.Transaction = transaction;
            foreach (var a in alerts)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var key = new object[] { a.Exchange, a.Symbol.ToString(), a.MarketType.ToName(), a.WindowEnd, a.Direction.ToName() };
                for (var k = 0; k < key.Length; k++)
                {
                    exists.Parameters[k].Value = key[k];
                }

                var found = await exists.ExecuteScalarAsync(cancellationToken) is not null;
                var p = upsert.Parameters;
                p[0].Value = a.Exchange;
                p[1].Value = a.Symbol.ToString();
                p[2].Value = a.MarketType.ToName();
                p[3].Value = a.WindowStart;
                p[4].Value = a.WindowEnd;
                p[5].Value = (double)a.FromPrice;
                p[6].Value = (double)a.ToPrice;
                p[7].Value = (double)a.ChangePercent;
                p[8].Value = a.Direction.ToName();
                p[9].Value = (object?)SqliteValues.ExactText(a.FromPrice, a.ToPrice, a.ChangePercent) ?? DBNull.Value;
                await upsert.ExecuteNonQueryAsync(cancellationToken);
                if (found)
                {
                    updated++;
                }
                else
                {
                    inserted++;
                }
            }

            await transaction.CommitAsync(cancellationToken);
            return new UpsertResult(inserted, updated);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Every stored alert, ordered by window end then symbol (for reports and tests).</summary>
    /// <exception cref="InvalidDataException">A row holds a symbol or direction Coinlake cannot read.</exception>
    public async IAsyncEnumerable<PriceAlert> ReadAlertsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!File.Exists(DatabasePath))
        {
            yield break;
        }

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        if ((await SqliteWriting.TablesAsync(connection, cancellationToken)).All(t => !string.Equals(t.Name, _table, StringComparison.OrdinalIgnoreCase)))
        {
            yield break;
        }

        await using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT exchange, symbol, market_type, window_start, window_end, from_price, to_price, change_percent, direction, exact FROM {_quoted} ORDER BY window_end, symbol";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var symbolText = reader.GetString(1);
            var windowEnd = reader.GetInt64(4);
            var where = string.Create(CultureInfo.InvariantCulture, $"{DatabasePath} table {_table} {symbolText} window_end {windowEnd}");
            var values = new decimal?[ValueCount];
            if (!reader.IsDBNull(9))
            {
                var parts = SqliteValues.SplitExact(reader.GetString(9), ValueCount, where);
                for (var k = 0; k < ValueCount; k++)
                {
                    values[k] = SqliteValues.ParseExactPart(parts[k], where);
                }
            }
            else
            {
                for (var k = 0; k < ValueCount; k++)
                {
                    values[k] = SqliteValues.Read(reader, 5 + k, where);
                }
            }

            var symbol = Symbol.TryParse(symbolText, out var s) ? s : throw new InvalidDataException($"{where}: symbol '{symbolText}' is not a unified symbol such as BTC/USDT.");
            var marketText = reader.GetString(2);
            var market = MarketNames.TryParseMarketType(marketText, out var m) ? m : throw new InvalidDataException($"{where}: market_type '{marketText}' is not spot, swap or future.");
            PriceDirection direction;
            try
            {
                direction = PriceDirectionNames.Parse(reader.GetString(8));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{where}: {e.Message}", e);
            }

            yield return new PriceAlert(
                reader.GetString(0), symbol, market, reader.GetInt64(3), windowEnd,
                values[0] ?? throw new InvalidDataException($"{where}: from_price is null."),
                values[1] ?? throw new InvalidDataException($"{where}: to_price is null."),
                values[2] ?? throw new InvalidDataException($"{where}: change_percent is null."),
                direction);
        }
    }

    /// <summary>Closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_upsert is not null)
        {
            await _upsert.DisposeAsync();
        }

        if (_exists is not null)
        {
            await _exists.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _gate.Dispose();
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
                    window_start INTEGER NOT NULL,
                    window_end INTEGER NOT NULL,
                    from_price REAL NOT NULL,
                    to_price REAL NOT NULL,
                    change_percent REAL NOT NULL,
                    direction TEXT NOT NULL,
                    exact TEXT,
                    PRIMARY KEY (exchange, symbol, market_type, window_end, direction)
                ) WITHOUT ROWID;
                """,
                cancellationToken);
            await SqliteWriting.RequireColumnsAsync(connection, _table, DatabasePath, "alert", Columns, cancellationToken);
            _exists = SqliteWriting.Prepare(
                connection,
                $"SELECT 1 FROM {_quoted} WHERE exchange = $exchange AND symbol = $symbol AND market_type = $market_type AND window_end = $window_end AND direction = $direction",
                ("$exchange", SqliteType.Text),
                ("$symbol", SqliteType.Text),
                ("$market_type", SqliteType.Text),
                ("$window_end", SqliteType.Integer),
                ("$direction", SqliteType.Text));
            _upsert = SqliteWriting.Prepare(
                connection,
                $"INSERT INTO {_quoted} (exchange, symbol, market_type, window_start, window_end, from_price, to_price, change_percent, direction, exact) " +
                "VALUES ($exchange, $symbol, $market_type, $window_start, $window_end, $from_price, $to_price, $change_percent, $direction, $exact) " +
                "ON CONFLICT (exchange, symbol, market_type, window_end, direction) DO UPDATE SET " +
                "window_start = excluded.window_start, from_price = excluded.from_price, to_price = excluded.to_price, " +
                "change_percent = excluded.change_percent, exact = excluded.exact",
                ("$exchange", SqliteType.Text),
                ("$symbol", SqliteType.Text),
                ("$market_type", SqliteType.Text),
                ("$window_start", SqliteType.Integer),
                ("$window_end", SqliteType.Integer),
                ("$from_price", SqliteType.Real),
                ("$to_price", SqliteType.Real),
                ("$change_percent", SqliteType.Real),
                ("$direction", SqliteType.Text),
                ("$exact", SqliteType.Text));
            LogOpened(_logger, DatabasePath, _table);
            return _connection = connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    [LoggerMessage(EventId = 31, Level = LogLevel.Debug, Message = "Opened SQLite alert store {Path} (table {Table})")]
    private static partial void LogOpened(ILogger logger, string path, string table);
}
