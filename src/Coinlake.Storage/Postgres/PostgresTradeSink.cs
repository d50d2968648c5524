using System.Runtime.CompilerServices;
using Coinlake.Storage.Internal;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Coinlake.Storage.Postgres;

/// <summary>
/// Public trades in a PostgreSQL table.
/// <para>
/// Table (default <c>trades</c>): <c>exchange symbol market_type trade_id</c> text, <c>timestamp</c> bigint (ms UTC),
/// <c>price</c> numeric (quote currency), <c>amount</c> numeric (base currency), <c>cost</c> numeric (quote currency,
/// price × amount), <c>side</c> text (<c>buy</c>, <c>sell</c> or NULL); primary key (exchange, symbol, market_type,
/// trade_id) as the SQLite sink (plus <c>timestamp</c> when the table is a TimescaleDB hypertable), and an index on
/// (exchange, symbol, market_type, timestamp). Writes: binary COPY into a staging table, then one
/// <c>INSERT ... ON CONFLICT DO UPDATE</c>, one transaction per call. Rows older than
/// <see cref="PostgresStoreOptions.TradeRetention"/> are removed by the retention policy or job.
/// </para>
/// </summary>
public sealed class PostgresTradeSink : ITradeSink, ITradeReader
{
    private readonly PostgresStore _store;
    private readonly PostgresSession _session;
    private readonly string _table;
    private readonly string _quoted;

    /// <summary>Creates a sink on its own <see cref="PostgresStore"/>.</summary>
    /// <exception cref="ArgumentException">Invalid connection string or options.</exception>
    public PostgresTradeSink(string connectionString, PostgresStoreOptions? options = null, ILogger? logger = null)
        : this(new PostgresStore(connectionString, options, logger: logger))
    {
    }

    /// <summary>Creates a sink on <paramref name="store"/>'s trade table.</summary>
    public PostgresTradeSink(PostgresStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _table = store.Options.TradeTable;
        _quoted = PostgresSql.Quote(_table);
        _session = new PostgresSession(store, PostgresSql.CreateTradeStage);
        Description = $"postgres {store.Where} ({_table})";
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <inheritdoc/>
    /// <remarks>The batch may be in any order; an id repeated within it is stored once (the last wins) and counted as updated.</remarks>
    /// <exception cref="ArgumentException">A trade without id.</exception>
    /// <exception cref="NpgsqlException">The server cannot be reached, or another database error (nothing of the batch is stored).</exception>
    public ValueTask<UpsertResult> UpsertTradesAsync(TradeSeriesKey series, IReadOnlyList<Trade> trades, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(trades);
        TradeText.EnsureIds(series, trades);
        if (trades.Count == 0)
        {
            return ValueTask.FromResult(default(UpsertResult));
        }

        var last = new Dictionary<string, int>(trades.Count, StringComparer.Ordinal);
        for (var i = 0; i < trades.Count; i++)
        {
            last[trades[i].Id] = i;
        }

        var repeated = trades.Count - last.Count;
        return _session.RunAsync(
            async (connection, layout, ct) =>
            {
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await using (var copy = await connection.BeginBinaryImportAsync(PostgresSql.CopyTrades, ct))
                {
                    foreach (var index in last.Values)
                    {
                        var t = trades[index];
                        await copy.StartRowAsync(ct);
                        await copy.WriteAsync(t.Id, NpgsqlDbType.Text, ct);
                        await copy.WriteAsync(t.Timestamp, NpgsqlDbType.Bigint, ct);
                        await copy.WriteAsync(t.Price, NpgsqlDbType.Numeric, ct);
                        await copy.WriteAsync(t.Amount, NpgsqlDbType.Numeric, ct);
                        await copy.WriteAsync(t.Cost, NpgsqlDbType.Numeric, ct);
                        if (TradeText.Side(t.Side) is { } side)
                        {
                            await copy.WriteAsync(side, NpgsqlDbType.Text, ct);
                        }
                        else
                        {
                            await copy.WriteNullAsync(ct);
                        }
                    }

                    await copy.CompleteAsync(ct);
                }

                var columns = TradeSeriesColumns.Of(series);
                var result = await PostgresSession.CountedUpsertAsync(
                    connection, transaction, PostgresSql.UpsertTrades(_table, layout.TradesKeyedByTime), ct, columns.Exchange, columns.Symbol, columns.MarketType);
                await transaction.CommitAsync(ct);
                return result + new UpsertResult(0, repeated);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<long?> LastTradeTimeAsync(TradeSeriesKey series, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        return _session.RunAsync(
            async (connection, _, ct) =>
            {
                await using var command = SeriesCommand($"SELECT max(\"timestamp\") FROM {_quoted} WHERE {SeriesWhere}", connection, series);
                var value = await command.ExecuteScalarAsync(ct);
                return value is long ms ? ms : (long?)null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Every <see cref="UpsertTradesAsync"/> is committed when it returns; nothing is buffered.</remarks>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    /// <remarks>Empty when the table does not exist.</remarks>
    public async IAsyncEnumerable<TradeSeriesKey> ListTradeSeriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await _store.OpenConnectionAsync(cancellationToken);
        if (!await PostgresStore.TableExistsAsync(connection, _table, cancellationToken))
        {
            yield break;
        }

        await using var command = new NpgsqlCommand($"SELECT DISTINCT exchange, symbol, market_type FROM {_quoted} ORDER BY 1, 2, 3", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new TradeSeriesColumns(reader.GetString(0), reader.GetString(1), reader.GetString(2)).ToKey($"postgres {_store.Where} table {_table}");
        }
    }

    /// <inheritdoc/>
    /// <remarks>Ordered by timestamp, then id (shorter first, then ordinal), as <see cref="TradeAggregator"/> orders trades.</remarks>
    public async IAsyncEnumerable<Trade> ReadTradesAsync(TradeSeriesKey series, TimeRange? range = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        await using var connection = await _store.OpenConnectionAsync(cancellationToken);
        if (!await PostgresStore.TableExistsAsync(connection, _table, cancellationToken))
        {
            yield break;
        }

        await using var command = SeriesCommand(
            $"SELECT trade_id, \"timestamp\", price, amount, side FROM {_quoted} WHERE {SeriesWhere} AND \"timestamp\" >= $4 AND \"timestamp\" < $5 " +
            "ORDER BY \"timestamp\", length(trade_id), trade_id",
            connection,
            series,
            range?.Start ?? long.MinValue,
            range?.End ?? long.MaxValue);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetString(0);
            yield return new Trade(
                id,
                reader.GetInt64(1),
                reader.GetDecimal(2),
                reader.GetDecimal(3),
                TradeText.ParseSide(reader.IsDBNull(4) ? null : reader.GetString(4), $"postgres {_store.Where} table {_table} trade {id}"));
        }
    }

    /// <summary>Closes the sink's connection.</summary>
    public ValueTask DisposeAsync() => _session.DisposeAsync();

    private const string SeriesWhere = "exchange = $1 AND symbol = $2 AND market_type = $3";

    private static NpgsqlCommand SeriesCommand(string sql, NpgsqlConnection connection, TradeSeriesKey series, params object[] more)
    {
        var columns = TradeSeriesColumns.Of(series);
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in (object[])[columns.Exchange, columns.Symbol, columns.MarketType, .. more])
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
