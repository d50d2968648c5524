using System.Globalization;
using System.Runtime.CompilerServices;
using Coinlake.Storage.Internal;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Data.Sqlite;

namespace Coinlake.Storage.Sqlite;

/// <summary>
/// Reads trades from a SQLite database written by <see cref="SqliteTradeSink"/> (or any table with the columns
/// <c>exchange symbol market_type trade_id timestamp price amount</c>, optional <c>side exact</c>; values as REAL,
/// INTEGER or decimal TEXT, timestamps as INTEGER ms UTC). Each enumeration opens its own read-only connection, so
/// reading never blocks a writer (WAL).
/// </summary>
public sealed class SqliteTradeReader : ITradeReader
{
    private static readonly string[] RequiredColumns = ["exchange", "symbol", "market_type", "trade_id", "timestamp", "price", "amount"];

    private readonly SqliteReadSource _source;

    /// <summary>Opens <paramref name="databasePath"/> for reading.</summary>
    /// <param name="databasePath">An existing database file.</param>
    /// <param name="table">The trade table; null picks <c>trades</c>, else the only table with trade columns.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="databasePath"/>.</exception>
    /// <exception cref="ArgumentException">Invalid table name.</exception>
    public SqliteTradeReader(string databasePath, string? table = null) =>
        _source = new SqliteReadSource(databasePath, table, "trades", RequiredColumns, "trade");

    /// <summary>Full path of the database.</summary>
    public string DatabasePath => _source.DatabasePath;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">No trade table, or several and none chosen.</exception>
    public async IAsyncEnumerable<TradeSeriesKey> ListTradeSeriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await _source.OpenAsync(cancellationToken);
        var table = await _source.ResolveTableAsync(connection, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT DISTINCT exchange, symbol, market_type FROM {SqliteNames.Quote(table)} ORDER BY 1, 2, 3";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new TradeSeriesColumns(reader.GetString(0), reader.GetString(1), reader.GetString(2)).ToKey($"{DatabasePath} table {table}");
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">A stored value is NULL or not a number.</exception>
    public async IAsyncEnumerable<Trade> ReadTradesAsync(TradeSeriesKey series, TimeRange? range = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await _source.OpenAsync(cancellationToken);
        var table = await _source.ResolveTableAsync(connection, cancellationToken);
        var side = _source.Columns.Contains("side") ? "side" : "NULL";
        var exact = _source.Columns.Contains("exact") ? "exact" : "NULL";
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT trade_id, timestamp, price, amount, {side}, {exact} FROM {SqliteNames.Quote(table)} " +
            $"WHERE {SqliteTradeSink.SeriesWhere} AND timestamp >= $start AND timestamp < $end ORDER BY timestamp, length(trade_id), trade_id";
        SqliteTradeSink.BindSeries(command, series);
        command.Parameters.AddWithValue("$start", range?.Start ?? long.MinValue);
        command.Parameters.AddWithValue("$end", range?.End ?? long.MaxValue);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return ReadTrade(reader, table);
        }
    }

    private Trade ReadTrade(SqliteDataReader reader, string table)
    {
        var id = reader.GetString(0);
        var where = string.Create(CultureInfo.InvariantCulture, $"{DatabasePath} table {table} trade_id {id}");
        var time = reader.GetInt64(1);
        var side = TradeText.ParseSide(reader.IsDBNull(4) ? null : reader.GetString(4), where);
        if (!reader.IsDBNull(5))
        {
            var parts = SqliteValues.SplitExact(reader.GetString(5), 2, where);
            return new Trade(
                id,
                time,
                SqliteValues.ParseExactPart(parts[0], where) ?? throw new InvalidDataException($"{where}: exact price is empty."),
                SqliteValues.ParseExactPart(parts[1], where) ?? throw new InvalidDataException($"{where}: exact amount is empty."),
                side);
        }

        return new Trade(
            id,
            time,
            SqliteValues.Read(reader, 2, where) ?? throw new InvalidDataException($"{where}: price is NULL."),
            SqliteValues.Read(reader, 3, where) ?? throw new InvalidDataException($"{where}: amount is NULL."),
            side);
    }
}
