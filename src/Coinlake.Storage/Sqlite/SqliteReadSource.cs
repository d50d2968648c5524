using Microsoft.Data.Sqlite;

namespace Coinlake.Storage.Sqlite;

/// <summary>
/// A read-only SQLite database and the table a reader uses in it: the one asked for, else the default name, else the
/// only table with the required columns (resolved once, on first use, with its column set).
/// </summary>
internal sealed class SqliteReadSource
{
    private readonly string _connectionString;
    private readonly string? _requestedTable;
    private readonly string _defaultTable;
    private readonly string[] _requiredColumns;
    private readonly string _kind;
    private string? _table;
    private HashSet<string>? _columns;

    /// <exception cref="FileNotFoundException">No file at <paramref name="databasePath"/>.</exception>
    /// <exception cref="ArgumentException">Invalid table name.</exception>
    public SqliteReadSource(string databasePath, string? table, string defaultTable, string[] requiredColumns, string kind)
    {
        var full = Path.GetFullPath(databasePath);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"No SQLite database at {full}.", full);
        }

        _requestedTable = table is null ? null : SqliteNames.ValidateTable(table);
        _defaultTable = defaultTable;
        _requiredColumns = requiredColumns;
        _kind = kind;
        DatabasePath = full;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
    }

    /// <summary>Full path of the database.</summary>
    public string DatabasePath { get; }

    /// <summary>Columns of the resolved table (after <see cref="ResolveTableAsync"/>).</summary>
    public IReadOnlySet<string> Columns => _columns ?? throw new InvalidOperationException("The table is not resolved yet.");

    public async ValueTask<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <exception cref="InvalidOperationException">No matching table, or several and none chosen.</exception>
    public async ValueTask<string> ResolveTableAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        if (_table is not null)
        {
            return _table;
        }

        var chosen = SqliteWriting.ChooseTable(
            await SqliteWriting.TablesAsync(connection, cancellationToken).ConfigureAwait(false), _requestedTable, _defaultTable, _requiredColumns, _kind, DatabasePath);
        _columns = chosen.Columns;
        return _table = chosen.Name;
    }
}
