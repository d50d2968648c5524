using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Coinlake.Storage.Sqlite;

/// <summary>
/// A multi-row <c>INSERT ... VALUES (...),(...) ... ON CONFLICT DO UPDATE</c> written in chunks of
/// <see cref="ChunkRows"/> rows, with parameters bound by ordinal on SQLite statements prepared once per chunk size.
/// <para>
/// Why not <see cref="SqliteCommand"/>: Microsoft.Data.Sqlite looks every parameter up by name
/// (<c>sqlite3_bind_parameter_index</c>, a linear scan of the statement's names) and converts every value again on
/// each execution, and runs a data reader per <c>ExecuteNonQuery</c>; that per-execution work dominated the
/// one-row-per-statement upsert (bench/README.md, "Analysis of the misses"). Here a statement of 64 rows is
/// stepped once, every value is bound by its index, and the values shared by every row (the series columns) are
/// bound once per statement of 64 rows, not per row.
/// </para>
/// <para>
/// Parameter layout of a statement of <c>n</c> rows: <c>?1 .. ?s</c> are the shared values (the same in every row
/// tuple), then row <c>r</c> (0-based) column <c>k</c> (0-based) is <c>?(s + r × perRow + k + 1)</c>; see
/// <see cref="Index"/>. The statements run on the connection's handle, so they take part in the transaction the
/// caller opened on the <see cref="SqliteConnection"/>.
/// </para>
/// </summary>
internal sealed class SqliteChunkedUpsert : IDisposable
{
    /// <summary>Rows per full statement: 64 rows amortise the per-statement work while the SQL stays a few KB.</summary>
    public const int ChunkRows = 64;

    private readonly SqliteConnection _connection;
    private readonly string _head;
    private readonly string _tail;
    private readonly string[] _sharedColumns;
    private readonly string[] _rowColumns;
    private readonly sqlite3_stmt?[] _statements = new sqlite3_stmt?[ChunkRows + 1];

    /// <summary>Builds the upsert of <paramref name="table"/> (already quoted); statements are prepared on first use.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="table">Quoted table name.</param>
    /// <param name="sharedColumns">Columns with one value per batch (bound once), e.g. the series columns.</param>
    /// <param name="rowColumns">Columns with one value per row.</param>
    /// <param name="conflict">The clause after the VALUES, e.g. <c>ON CONFLICT (...) DO UPDATE SET ...</c>.</param>
    public SqliteChunkedUpsert(SqliteConnection connection, string table, string[] sharedColumns, string[] rowColumns, string conflict)
    {
        _connection = connection;
        _sharedColumns = sharedColumns;
        _rowColumns = rowColumns;
        _head = $"INSERT INTO {table} ({string.Join(", ", sharedColumns.Concat(rowColumns))}) VALUES ";
        _tail = " " + conflict;
    }

    /// <summary>Number of per-row columns.</summary>
    public int RowColumns => _rowColumns.Length;

    /// <summary>The SQL of a statement of <paramref name="rows"/> rows (for tests and diagnostics).</summary>
    public string Sql(int rows)
    {
        var sql = new StringBuilder(_head);
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var k = 0; k < _sharedColumns.Length; k++)
            {
                sql.Append('?').Append((k + 1).ToString(CultureInfo.InvariantCulture)).Append(", ");
            }

            for (var k = 0; k < _rowColumns.Length; k++)
            {
                sql.Append(k == 0 ? "?" : ", ?").Append(Index(r, k).ToString(CultureInfo.InvariantCulture));
            }

            sql.Append(')');
        }

        return sql.Append(_tail).ToString();
    }

    /// <summary>The 1-based parameter index of row <paramref name="row"/>, per-row column <paramref name="column"/>.</summary>
    public int Index(int row, int column) => _sharedColumns.Length + (row * _rowColumns.Length) + column + 1;

    /// <summary>
    /// The statement for <paramref name="rows"/> rows (1..<see cref="ChunkRows"/>), prepared on first use and kept;
    /// its shared values are bound with <paramref name="shared"/> (one text per shared column) for this batch.
    /// </summary>
    /// <exception cref="SqliteException">The SQL does not prepare (e.g. the table lost a column).</exception>
    public sqlite3_stmt Statement(int rows, ReadOnlySpan<string> shared)
    {
        var statement = _statements[rows];
        if (statement is null)
        {
            var db = _connection.Handle!;
            Check(raw.sqlite3_prepare_v2(db, Sql(rows), out statement));
            _statements[rows] = statement;
        }

        for (var k = 0; k < shared.Length; k++)
        {
            Check(raw.sqlite3_bind_text(statement, k + 1, shared[k]));
        }

        return statement;
    }

    /// <summary>Binds an INTEGER.</summary>
    public void Bind(sqlite3_stmt statement, int index, long value) => Check(raw.sqlite3_bind_int64(statement, index, value));

    /// <summary>Binds a REAL.</summary>
    public void Bind(sqlite3_stmt statement, int index, double value) => Check(raw.sqlite3_bind_double(statement, index, value));

    /// <summary>Binds a TEXT, or NULL when <paramref name="value"/> is null.</summary>
    public void Bind(sqlite3_stmt statement, int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(statement, index) : raw.sqlite3_bind_text(statement, index, value));

    /// <summary>Binds an INTEGER, or NULL when <paramref name="value"/> is null.</summary>
    public void Bind(sqlite3_stmt statement, int index, long? value) =>
        Check(value is { } v ? raw.sqlite3_bind_int64(statement, index, v) : raw.sqlite3_bind_null(statement, index));

    /// <summary>Binds a REAL, or NULL when <paramref name="value"/> is null.</summary>
    public void Bind(sqlite3_stmt statement, int index, double? value) =>
        Check(value is { } v ? raw.sqlite3_bind_double(statement, index, v) : raw.sqlite3_bind_null(statement, index));

    /// <summary>Runs a bound statement once and resets it for the next chunk.</summary>
    /// <exception cref="SqliteException">SQLite refused the statement (constraint, I/O, full disk ...).</exception>
    public void Execute(sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        if (rc == raw.SQLITE_DONE)
        {
            raw.sqlite3_reset(statement);
            return;
        }

        try
        {
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }
    }

    /// <summary>Finalizes the prepared statements (before the connection closes).</summary>
    public void Dispose()
    {
        for (var i = 0; i < _statements.Length; i++)
        {
            _statements[i]?.Dispose();
            _statements[i] = null;
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
    }
}
