using System.Runtime.CompilerServices;
using Coinlake.Candles;
using Coinlake.Storage.Internal;
using Coinlake.Time;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Coinlake.Storage.Postgres;

/// <summary>
/// Candles in a PostgreSQL table that plain SQL can query.
/// <para>
/// Table (default <c>candles</c>): <c>exchange symbol market_type timeframe price</c> text (<c>binance</c>,
/// <c>BTC/USDT</c>, <c>spot</c>, <c>1m</c>, <c>last</c>; <c>COLLATE "C"</c>), <c>open_time</c> bigint (ms since the
/// epoch, UTC), <c>open high low close</c> numeric (quote currency), <c>volume</c> numeric (base currency),
/// <c>quote_volume</c> numeric (quote currency, NULL when the exchange gives none), <c>trade_count</c> bigint; primary
/// key (exchange, symbol, market_type, timeframe, price, open_time), as the SQLite sink. <c>numeric</c> is exact and
/// keeps the exchange's scale: <c>23140.48000000</c> and Kraken's 10-decimal values read back digit for digit.
/// Known-empty ranges go to <c>coinlake_empty_ranges</c> (<c>candle_table</c>, the series columns, <c>start_ms</c>,
/// <c>end_ms</c>), merged on insert.
/// </para>
/// <para>
/// Writes: one transaction per <see cref="UpsertAsync"/>: binary <c>COPY</c> into a temp staging table, then one
/// <c>INSERT ... SELECT ... ON CONFLICT DO UPDATE</c> that also counts inserted and updated rows. Several writers
/// (threads or processes, each with its own sink) may write one table at once.
/// </para>
/// </summary>
public sealed class PostgresCandleSink : ICandleSink, ICandleReader
{
    private readonly PostgresStore _store;
    private readonly PostgresSession _session;
    private readonly string _table;
    private readonly string _quoted;

    /// <summary>Creates a sink on its own <see cref="PostgresStore"/>.</summary>
    /// <param name="connectionString">Keyword or <c>postgres://</c> URL form (resolve <c>env:NAME</c> with <see cref="PostgresConnection.Resolve"/> first).</param>
    /// <param name="options">Tables and retentions; defaults when null.</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">Invalid connection string or options.</exception>
    public PostgresCandleSink(string connectionString, PostgresStoreOptions? options = null, ILogger? logger = null)
        : this(new PostgresStore(connectionString, options, logger: logger))
    {
    }

    /// <summary>Creates a sink on <paramref name="store"/>'s candle table.</summary>
    public PostgresCandleSink(PostgresStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _table = store.Options.CandleTable;
        _quoted = PostgresSql.Quote(_table);
        _session = new PostgresSession(store, PostgresSql.CreateCandleStage);
        Description = $"postgres {store.Where} ({_table})";
    }

    /// <summary>The store the sink writes to.</summary>
    public PostgresStore Store => _store;

    /// <inheritdoc/>
    public string Description { get; }

    /// <inheritdoc/>
    /// <exception cref="NpgsqlException">The server cannot be reached, or another database error.</exception>
    public ValueTask<SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        return _session.RunAsync(
            async (connection, _, ct) =>
            {
                var columns = SeriesColumns.Of(series);
                var builder = new CoverageBuilder(series.Timeframe);
                await using (var command = SeriesCommand(
                    $"SELECT open_time FROM {_quoted} WHERE {SeriesWhere} AND open_time >= $6 AND open_time < $7 ORDER BY open_time", connection, columns, series.Timeframe.Floor(range.Start), range.End))
                await using (var reader = await command.ExecuteReaderAsync(ct))
                {
                    while (await reader.ReadAsync(ct))
                    {
                        builder.Add(reader.GetInt64(0));
                    }
                }

                var empty = new List<TimeRange>();
                await using (var command = SeriesCommand(
                    $"SELECT start_ms, end_ms FROM {PostgresSql.EmptyRangesTable} WHERE candle_table = $6 AND {SeriesWhere} AND end_ms > $7 AND start_ms < $8", connection, columns, _table, range.Start, range.End))
                await using (var reader = await command.ExecuteReaderAsync(ct))
                {
                    while (await reader.ReadAsync(ct))
                    {
                        empty.Add(new TimeRange(reader.GetInt64(0), reader.GetInt64(1)));
                    }
                }

                var window = RangeSet.Of(range);
                return new SeriesCoverage(builder.Build().Intersect(window), RangeSet.Of(empty).Intersect(window));
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Committed when the call returns (one transaction: COPY into the staging table, then the upsert).</remarks>
    /// <exception cref="ArgumentException">Candles out of order or with repeated open times.</exception>
    /// <exception cref="NpgsqlException">The server cannot be reached, or another database error (nothing of the batch is stored).</exception>
    public ValueTask<UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(candles);
        SeriesText.EnsureAscending(series, candles);
        if (candles.Count == 0)
        {
            return ValueTask.FromResult(default(UpsertResult));
        }

        return _session.RunAsync(
            async (connection, _, ct) =>
            {
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await using (var copy = await connection.BeginBinaryImportAsync(PostgresSql.CopyCandles, ct))
                {
                    for (var i = 0; i < candles.Count; i++)
                    {
                        var c = candles[i];
                        await copy.StartRowAsync(ct);
                        await copy.WriteAsync(c.OpenTime, NpgsqlDbType.Bigint, ct);
                        await copy.WriteAsync(c.Open, NpgsqlDbType.Numeric, ct);
                        await copy.WriteAsync(c.High, NpgsqlDbType.Numeric, ct);
                        await copy.WriteAsync(c.Low, NpgsqlDbType.Numeric, ct);
                        await copy.WriteAsync(c.Close, NpgsqlDbType.Numeric, ct);
                        await copy.WriteAsync(c.Volume, NpgsqlDbType.Numeric, ct);
                        await WriteNullableAsync(copy, c.QuoteVolume, ct);
                        if (c.TradeCount is { } n)
                        {
                            await copy.WriteAsync(n, NpgsqlDbType.Bigint, ct);
                        }
                        else
                        {
                            await copy.WriteNullAsync(ct);
                        }
                    }

                    await copy.CompleteAsync(ct);
                }

                var columns = SeriesColumns.Of(series);
                var result = await PostgresSession.CountedUpsertAsync(
                    connection, transaction, PostgresSql.UpsertCandles(_table), ct, columns.Exchange, columns.Symbol, columns.MarketType, columns.Timeframe, columns.Price);
                await transaction.CommitAsync(ct);
                return result;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Ranges touching or overlapping stored ones are merged; a per-series advisory lock keeps concurrent writers consistent.</remarks>
    public async ValueTask MarkEmptyAsync(SeriesKey series, IReadOnlyList<TimeRange> ranges, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        var added = RangeSet.Of(ranges);
        if (added.IsEmpty)
        {
            return;
        }

        await _session.RunAsync(
            async (connection, _, ct) =>
            {
                var columns = SeriesColumns.Of(series);
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction))
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = $"coinlake_empty_ranges|{_table}|{series}" });
                    await command.ExecuteNonQueryAsync(ct);
                }

                var touching = new List<TimeRange>();
                var first = added.Ranges[0].Start;
                var last = added.Ranges[^1].End;
                await using (var command = SeriesCommand(
                    $"DELETE FROM {PostgresSql.EmptyRangesTable} WHERE candle_table = $6 AND {SeriesWhere} AND start_ms <= $7 AND end_ms >= $8 RETURNING start_ms, end_ms", connection, columns, _table, last, first))
                {
                    command.Transaction = transaction;
                    await using var reader = await command.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        touching.Add(new TimeRange(reader.GetInt64(0), reader.GetInt64(1)));
                    }
                }

                await using (var command = SeriesCommand(
                    $"INSERT INTO {PostgresSql.EmptyRangesTable} (exchange, symbol, market_type, timeframe, price, candle_table, start_ms, end_ms) SELECT $1, $2, $3, $4, $5, $6, s, e FROM unnest($7::bigint[], $8::bigint[]) AS r(s, e)",
                    connection,
                    columns,
                    _table,
                    added.Union(RangeSet.Of(touching)).Ranges.Select(r => r.Start).ToArray(),
                    added.Union(RangeSet.Of(touching)).Ranges.Select(r => r.End).ToArray()))
                {
                    command.Transaction = transaction;
                    await command.ExecuteNonQueryAsync(ct);
                }

                await transaction.CommitAsync(ct);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Every <see cref="UpsertAsync"/> is committed when it returns; nothing is buffered.</remarks>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    /// <remarks>Empty when the table does not exist (reading never creates the schema).</remarks>
    public async IAsyncEnumerable<SeriesKey> ListSeriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await _store.OpenConnectionAsync(cancellationToken);
        if (!await PostgresStore.TableExistsAsync(connection, _table, cancellationToken))
        {
            yield break;
        }

        await using var command = new NpgsqlCommand($"SELECT DISTINCT exchange, symbol, market_type, timeframe, price FROM {_quoted} ORDER BY 1, 2, 3, 4, 5", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new SeriesColumns(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4))
                .ToKey($"postgres {_store.Where} table {_table}");
        }
    }

    /// <inheritdoc/>
    /// <remarks>Values come back with the scale they were stored with; empty when the table does not exist.</remarks>
    public async IAsyncEnumerable<Candle> ReadAsync(SeriesKey series, TimeRange? range = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        await using var connection = await _store.OpenConnectionAsync(cancellationToken);
        if (!await PostgresStore.TableExistsAsync(connection, _table, cancellationToken))
        {
            yield break;
        }

        await using var command = SeriesCommand(
            $"SELECT open_time, open, high, low, close, volume, quote_volume, trade_count FROM {_quoted} WHERE {SeriesWhere} AND open_time >= $6 AND open_time < $7 ORDER BY open_time",
            connection,
            SeriesColumns.Of(series),
            range?.Start ?? long.MinValue,
            range?.End ?? long.MaxValue);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new Candle(
                reader.GetInt64(0),
                reader.GetDecimal(1),
                reader.GetDecimal(2),
                reader.GetDecimal(3),
                reader.GetDecimal(4),
                reader.GetDecimal(5),
                reader.IsDBNull(6) ? null : reader.GetDecimal(6),
                reader.IsDBNull(7) ? null : reader.GetInt64(7));
        }
    }

    /// <summary>Closes the sink's connection.</summary>
    public ValueTask DisposeAsync() => _session.DisposeAsync();

    /// <summary>SQL condition selecting one series: parameters <c>$1..$5</c>.</summary>
    private const string SeriesWhere = "exchange = $1 AND symbol = $2 AND market_type = $3 AND timeframe = $4 AND price = $5";

    private static NpgsqlCommand SeriesCommand(string sql, NpgsqlConnection connection, SeriesColumns columns, params object[] more)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in (object[])[columns.Exchange, columns.Symbol, columns.MarketType, columns.Timeframe, columns.Price, .. more])
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    internal static async ValueTask WriteNullableAsync(NpgsqlBinaryImporter copy, decimal? value, CancellationToken cancellationToken)
    {
        if (value is { } v)
        {
            await copy.WriteAsync(v, NpgsqlDbType.Numeric, cancellationToken);
        }
        else
        {
            await copy.WriteNullAsync(cancellationToken);
        }
    }
}
