using System.Runtime.CompilerServices;
using Coinlake.Markets;
using Coinlake.Tickers;
using Coinlake.Time;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Coinlake.Storage.Postgres;

/// <summary>
/// 24h ticker snapshots in a PostgreSQL table.
/// <para>
/// Table (default <c>tickers</c>): <c>exchange symbol market_type</c> text, <c>timestamp</c> bigint (ms UTC, the
/// exchange's snapshot time), <c>last bid ask high low open change</c> numeric (quote currency), <c>base_volume</c>
/// numeric (base currency), <c>quote_volume</c> numeric (quote currency), <c>change_percent</c> numeric (percent); NULL
/// where the exchange gives no value; primary key (exchange, symbol, market_type, timestamp) as the SQLite sink. Writes:
/// binary COPY into a staging table, then one <c>INSERT ... ON CONFLICT DO UPDATE</c>, one transaction per call. Rows
/// older than <see cref="PostgresStoreOptions.TickerRetention"/> are removed by the retention policy or job.
/// </para>
/// </summary>
public sealed class PostgresTickerSink : ITickerSink, ITickerReader
{
    private readonly PostgresStore _store;
    private readonly PostgresSession _session;
    private readonly string _table;

    /// <summary>Creates a sink on its own <see cref="PostgresStore"/>.</summary>
    /// <exception cref="ArgumentException">Invalid connection string or options.</exception>
    public PostgresTickerSink(string connectionString, PostgresStoreOptions? options = null, ILogger? logger = null)
        : this(new PostgresStore(connectionString, options, logger: logger))
    {
    }

    /// <summary>Creates a sink on <paramref name="store"/>'s ticker table.</summary>
    public PostgresTickerSink(PostgresStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _table = store.Options.TickerTable;
        _session = new PostgresSession(store, PostgresSql.CreateTickerStage);
        Description = $"postgres {store.Where} ({_table})";
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <inheritdoc/>
    /// <remarks>A (symbol, timestamp) repeated within the batch is stored once (the last wins) and counted as updated.</remarks>
    /// <exception cref="ArgumentException">Empty exchange id.</exception>
    /// <exception cref="NpgsqlException">The server cannot be reached, or another database error.</exception>
    public ValueTask<UpsertResult> UpsertTickersAsync(string exchange, MarketType marketType, IReadOnlyList<Ticker> tickers, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(exchange);
        ArgumentNullException.ThrowIfNull(tickers);
        if (tickers.Count == 0)
        {
            return ValueTask.FromResult(default(UpsertResult));
        }

        var last = new Dictionary<(string Symbol, long Timestamp), int>(tickers.Count);
        for (var i = 0; i < tickers.Count; i++)
        {
            last[(tickers[i].Symbol.ToString(), tickers[i].Timestamp)] = i;
        }

        var repeated = tickers.Count - last.Count;
        return _session.RunAsync(
            async (connection, _, ct) =>
            {
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await using (var copy = await connection.BeginBinaryImportAsync(PostgresSql.CopyTickers, ct))
                {
                    foreach (var ((symbol, timestamp), index) in last)
                    {
                        var t = tickers[index];
                        await copy.StartRowAsync(ct);
                        await copy.WriteAsync(symbol, NpgsqlDbType.Text, ct);
                        await copy.WriteAsync(timestamp, NpgsqlDbType.Bigint, ct);
                        foreach (var value in (decimal?[])[t.Last, t.Bid, t.Ask, t.High, t.Low, t.Open, t.BaseVolume, t.QuoteVolume, t.Change, t.ChangePercent])
                        {
                            await PostgresCandleSink.WriteNullableAsync(copy, value, ct);
                        }
                    }

                    await copy.CompleteAsync(ct);
                }

                var result = await PostgresSession.CountedUpsertAsync(connection, transaction, PostgresSql.UpsertTickers(_table), ct, exchange, marketType.ToName());
                await transaction.CommitAsync(ct);
                return result + new UpsertResult(0, repeated);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Empty when the table does not exist.</remarks>
    public async IAsyncEnumerable<Ticker> ReadTickersAsync(string exchange, MarketType marketType, TimeRange? range = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(exchange);
        await using var connection = await _store.OpenConnectionAsync(cancellationToken);
        if (!await PostgresStore.TableExistsAsync(connection, _table, cancellationToken))
        {
            yield break;
        }

        await using var command = new NpgsqlCommand(
            "SELECT symbol, \"timestamp\", last, bid, ask, high, low, open, base_volume, quote_volume, change, change_percent " +
            $"FROM {PostgresSql.Quote(_table)} WHERE exchange = $1 AND market_type = $2 AND \"timestamp\" >= $3 AND \"timestamp\" < $4 ORDER BY \"timestamp\", symbol",
            connection);
        foreach (var value in (object[])[exchange, marketType.ToName(), range?.Start ?? long.MinValue, range?.End ?? long.MaxValue])
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var text = reader.GetString(0);
            var symbol = Symbol.TryParse(text, out var s)
                ? s
                : throw new InvalidDataException($"postgres {_store.Where} table {_table}: symbol '{text}' is not a unified symbol such as BTC/USDT.");
            decimal? At(int i) => reader.IsDBNull(i) ? null : reader.GetDecimal(i);
            yield return new Ticker(symbol, reader.GetInt64(1), At(2), At(3), At(4), At(5), At(6), At(7), At(8), At(9), At(10), At(11));
        }
    }

    /// <summary>Closes the sink's connection.</summary>
    public ValueTask DisposeAsync() => _session.DisposeAsync();
}
