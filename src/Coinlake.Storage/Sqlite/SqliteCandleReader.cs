using System.Globalization;
using System.Runtime.CompilerServices;
using Coinlake.Candles;
using Coinlake.Storage.Internal;
using Coinlake.Time;
using Microsoft.Data.Sqlite;

namespace Coinlake.Storage.Sqlite;

/// <summary>
/// Reads candles from a SQLite database written by <see cref="SqliteCandleSink"/> (or any table with the columns
/// <c>exchange symbol market_type timeframe price open_time open high low close volume</c>, optional
/// <c>quote_volume trade_count exact</c>; values as REAL, INTEGER or decimal TEXT). Each enumeration opens its own
/// read-only connection, so reading never blocks a writer (WAL).
/// </summary>
public sealed class SqliteCandleReader : ICandleReader
{
    private static readonly string[] RequiredColumns =
        ["exchange", "symbol", "market_type", "timeframe", "price", "open_time", "open", "high", "low", "close", "volume"];

    private readonly SqliteReadSource _source;

    /// <summary>Opens <paramref name="databasePath"/> for reading.</summary>
    /// <param name="databasePath">An existing database file.</param>
    /// <param name="table">The candle table; null picks <c>candles</c>, else the only table with candle columns.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="databasePath"/>.</exception>
    /// <exception cref="ArgumentException">Invalid table name.</exception>
    public SqliteCandleReader(string databasePath, string? table = null) =>
        _source = new SqliteReadSource(databasePath, table, "candles", RequiredColumns, "candle");

    /// <summary>Full path of the database.</summary>
    public string DatabasePath => _source.DatabasePath;

    /// <inheritdoc/>
    public async IAsyncEnumerable<SeriesKey> ListSeriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await _source.OpenAsync(cancellationToken);
        var table = await _source.ResolveTableAsync(connection, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT DISTINCT exchange, symbol, market_type, timeframe, price FROM {SqliteNames.Quote(table)} ORDER BY 1, 2, 3, 4, 5";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new SeriesColumns(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4))
                .ToKey($"{DatabasePath} table {table}");
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<Candle> ReadAsync(SeriesKey series, TimeRange? range = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await _source.OpenAsync(cancellationToken);
        var table = await _source.ResolveTableAsync(connection, cancellationToken);
        var hasQuoteVolume = _source.Columns.Contains("quote_volume");
        var hasTrades = _source.Columns.Contains("trade_count");
        var hasExact = _source.Columns.Contains("exact");
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT open_time, open, high, low, close, volume, {(hasQuoteVolume ? "quote_volume" : "NULL")}, {(hasTrades ? "trade_count" : "NULL")}, {(hasExact ? "exact" : "NULL")} " +
            $"FROM {SqliteNames.Quote(table)} WHERE {SqliteCandleSink.SeriesWhere} AND open_time >= $start AND open_time < $end ORDER BY open_time";
        SqliteCandleSink.BindSeries(command, series);
        command.Parameters.AddWithValue("$start", range?.Start ?? long.MinValue);
        command.Parameters.AddWithValue("$end", range?.End ?? long.MaxValue);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return ReadCandle(reader, table);
        }
    }

    internal Candle ReadCandle(SqliteDataReader reader, string table)
    {
        var time = reader.GetInt64(0);
        var where = string.Create(CultureInfo.InvariantCulture, $"{DatabasePath} table {table} open_time {time}");
        if (!reader.IsDBNull(8))
        {
            var exact = reader.GetString(8);
            return new Candle(
                time,
                SqliteValues.ReadExact(exact, 0, where)!.Value,
                SqliteValues.ReadExact(exact, 1, where)!.Value,
                SqliteValues.ReadExact(exact, 2, where)!.Value,
                SqliteValues.ReadExact(exact, 3, where)!.Value,
                SqliteValues.ReadExact(exact, 4, where)!.Value,
                SqliteValues.ReadExact(exact, 5, where),
                reader.IsDBNull(7) ? null : reader.GetInt64(7));
        }

        return new Candle(
            time,
            SqliteValues.Read(reader, 1, where) ?? throw new InvalidDataException($"{where}: open is NULL."),
            SqliteValues.Read(reader, 2, where) ?? throw new InvalidDataException($"{where}: high is NULL."),
            SqliteValues.Read(reader, 3, where) ?? throw new InvalidDataException($"{where}: low is NULL."),
            SqliteValues.Read(reader, 4, where) ?? throw new InvalidDataException($"{where}: close is NULL."),
            SqliteValues.Read(reader, 5, where) ?? throw new InvalidDataException($"{where}: volume is NULL."),
            SqliteValues.Read(reader, 6, where),
            reader.IsDBNull(7) ? null : reader.GetInt64(7));
    }
}
