using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Coinlake.Markets;
using Coinlake.Storage.Internal;
using Coinlake.Tickers;
using Coinlake.Time;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Storage.Sqlite;

/// <summary>
/// Stores 24h ticker snapshots in one SQLite table.
/// <para>
/// Table (default name <c>tickers</c>): <c>exchange symbol market_type</c> TEXT, <c>timestamp</c> INTEGER (ms UTC,
/// the exchange's snapshot time), <c>last bid ask high low open</c> REAL (quote currency), <c>base_volume</c> REAL
/// (base currency), <c>quote_volume</c> REAL (quote currency), <c>change</c> REAL (quote currency),
/// <c>change_percent</c> REAL (percent); NULL where the exchange gives no value; <c>exact</c> TEXT; primary key
/// (exchange, symbol, market_type, timestamp), WITHOUT ROWID.
/// </para>
/// <para>
/// Decimals as in <see cref="SqliteCandleSink"/>: REAL, exact up to 15 significant digits; a row with a value that
/// is not holds the ten values <c>last|bid|ask|high|low|open|base_volume|quote_volume|change|change_percent</c> as
/// decimal strings in <c>exact</c>. Writes: one <c>BEGIN IMMEDIATE</c> transaction per call, one prepared upsert,
/// WAL and <c>busy_timeout</c> as the candle sink.
/// </para>
/// </summary>
public sealed partial class SqliteTickerSink : ITickerSink, ITickerReader
{
    private const int ValueCount = 10;

    private static readonly string[] Columns =
        ["exchange", "symbol", "market_type", "timestamp", "last", "bid", "ask", "high", "low", "open", "base_volume", "quote_volume", "change", "change_percent", "exact"];

    private readonly ILogger _logger;
    private readonly string _table;
    private readonly string _quoted;
    private readonly int _busyTimeoutMs;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private SqliteCommand? _upsert;
    private SqliteCommand? _existing;

    /// <summary>Creates a sink on <paramref name="databasePath"/>; the folder, database and table are created on first use.</summary>
    /// <param name="databasePath">Database file, e.g. <c>data/coinlake.db</c>.</param>
    /// <param name="table">Ticker table name (<c>^[A-Za-z_][A-Za-z0-9_]{0,62}$</c>).</param>
    /// <param name="busyTimeoutMs">How long a write waits for another connection's write lock, ms.</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">Empty path, invalid table name or negative timeout.</exception>
    public SqliteTickerSink(string databasePath, string table = "tickers", int busyTimeoutMs = 30_000, ILogger? logger = null)
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
    /// <remarks>A (symbol, timestamp) repeated within the batch is stored once (the last wins) and counted as updated.</remarks>
    /// <exception cref="ArgumentException">Empty exchange id.</exception>
    /// <exception cref="SqliteException">The database stayed locked longer than the busy timeout, or another database error.</exception>
    public async ValueTask<UpsertResult> UpsertTickersAsync(string exchange, MarketType marketType, IReadOnlyList<Ticker> tickers, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(exchange);
        ArgumentNullException.ThrowIfNull(tickers);
        if (tickers.Count == 0)
        {
            return default;
        }

        var last = new Dictionary<(string Symbol, long Timestamp), int>(tickers.Count);
        for (var i = 0; i < tickers.Count; i++)
        {
            last[(tickers[i].Symbol.ToString(), tickers[i].Timestamp)] = i;
        }

        long updated = tickers.Count - last.Count;
        var market = marketType.ToName();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken);
            await using var transaction = await SqliteWriting.BeginImmediateAsync(connection, DatabasePath, _logger, cancellationToken);
            var existing = _existing!;
            existing.Transaction = transaction;
            existing.Parameters[0].Value = exchange;
            existing.Parameters[1].Value = market;
            existing.Parameters[2].Value = KeysJson(last.Keys);
            await using (var reader = await existing.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    updated++;
                }
            }

            var upsert = _upsert!;
            upsert.Transaction = transaction;
            var p = upsert.Parameters;
            p[0].Value = exchange;
            p[2].Value = market;
            foreach (var ((symbol, timestamp), index) in last)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var t = tickers[index];
                p[1].Value = symbol;
                p[3].Value = timestamp;
                ReadOnlySpan<decimal?> values = [t.Last, t.Bid, t.Ask, t.High, t.Low, t.Open, t.BaseVolume, t.QuoteVolume, t.Change, t.ChangePercent];
                for (var k = 0; k < ValueCount; k++)
                {
                    p[4 + k].Value = values[k] is { } v ? (double)v : DBNull.Value;
                }

                p[14].Value = (object?)SqliteValues.ExactText(values) ?? DBNull.Value;
                upsert.ExecuteNonQuery();
            }

            await transaction.CommitAsync(cancellationToken);
            return new UpsertResult(tickers.Count - updated, updated);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<Ticker> ReadTickersAsync(string exchange, MarketType marketType, TimeRange? range = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
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
            $"SELECT symbol, timestamp, last, bid, ask, high, low, open, base_volume, quote_volume, change, change_percent, exact FROM {_quoted} " +
            "WHERE exchange = $exchange AND market_type = $market_type AND timestamp >= $start AND timestamp < $end ORDER BY timestamp, symbol";
        command.Parameters.AddWithValue("$exchange", exchange);
        command.Parameters.AddWithValue("$market_type", marketType.ToName());
        command.Parameters.AddWithValue("$start", range?.Start ?? long.MinValue);
        command.Parameters.AddWithValue("$end", range?.End ?? long.MaxValue);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new decimal?[ValueCount];
        while (await reader.ReadAsync(cancellationToken))
        {
            var symbolText = reader.GetString(0);
            var timestamp = reader.GetInt64(1);
            var where = string.Create(CultureInfo.InvariantCulture, $"{DatabasePath} table {_table} {symbolText} timestamp {timestamp}");
            if (!reader.IsDBNull(12))
            {
                var parts = SqliteValues.SplitExact(reader.GetString(12), ValueCount, where);
                for (var k = 0; k < ValueCount; k++)
                {
                    values[k] = SqliteValues.ParseExactPart(parts[k], where);
                }
            }
            else
            {
                for (var k = 0; k < ValueCount; k++)
                {
                    values[k] = SqliteValues.Read(reader, 2 + k, where);
                }
            }

            var symbol = Symbol.TryParse(symbolText, out var s) ? s : throw new InvalidDataException($"{where}: symbol '{symbolText}' is not a unified symbol such as BTC/USDT.");
            yield return new Ticker(symbol, timestamp, values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8], values[9]);
        }
    }

    /// <summary>Closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_upsert is not null)
        {
            await _upsert.DisposeAsync();
        }

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

    /// <summary>The keys as a JSON array of <c>[symbol, timestamp]</c> pairs, for <c>json_each</c>.</summary>
    private static string KeysJson(IEnumerable<(string Symbol, long Timestamp)> keys)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var (symbol, timestamp) in keys)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(symbol);
                writer.WriteNumberValue(timestamp);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
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
                    timestamp INTEGER NOT NULL,
                    last REAL,
                    bid REAL,
                    ask REAL,
                    high REAL,
                    low REAL,
                    open REAL,
                    base_volume REAL,
                    quote_volume REAL,
                    change REAL,
                    change_percent REAL,
                    exact TEXT,
                    PRIMARY KEY (exchange, symbol, market_type, timestamp)
                ) WITHOUT ROWID;
                """,
                cancellationToken);
            await SqliteWriting.RequireColumnsAsync(connection, _table, DatabasePath, "ticker", Columns, cancellationToken);
            _existing = SqliteWriting.Prepare(
                connection,
                $"SELECT 1 FROM json_each($keys) j JOIN {_quoted} t ON t.exchange = $exchange AND t.symbol = json_extract(j.value, '$[0]') " +
                "AND t.market_type = $market_type AND t.timestamp = json_extract(j.value, '$[1]')",
                ("$exchange", SqliteType.Text),
                ("$market_type", SqliteType.Text),
                ("$keys", SqliteType.Text));
            _upsert = SqliteWriting.Prepare(
                connection,
                $"INSERT INTO {_quoted} (exchange, symbol, market_type, timestamp, last, bid, ask, high, low, open, base_volume, quote_volume, change, change_percent, exact) " +
                "VALUES ($exchange, $symbol, $market_type, $timestamp, $last, $bid, $ask, $high, $low, $open, $base_volume, $quote_volume, $change, $change_percent, $exact) " +
                "ON CONFLICT (exchange, symbol, market_type, timestamp) DO UPDATE SET " +
                "last = excluded.last, bid = excluded.bid, ask = excluded.ask, high = excluded.high, low = excluded.low, open = excluded.open, " +
                "base_volume = excluded.base_volume, quote_volume = excluded.quote_volume, change = excluded.change, change_percent = excluded.change_percent, exact = excluded.exact",
                ("$exchange", SqliteType.Text),
                ("$symbol", SqliteType.Text),
                ("$market_type", SqliteType.Text),
                ("$timestamp", SqliteType.Integer),
                ("$last", SqliteType.Real),
                ("$bid", SqliteType.Real),
                ("$ask", SqliteType.Real),
                ("$high", SqliteType.Real),
                ("$low", SqliteType.Real),
                ("$open", SqliteType.Real),
                ("$base_volume", SqliteType.Real),
                ("$quote_volume", SqliteType.Real),
                ("$change", SqliteType.Real),
                ("$change_percent", SqliteType.Real),
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

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Opened SQLite ticker store {Path} (table {Table})")]
    private static partial void LogOpened(ILogger logger, string path, string table);
}
