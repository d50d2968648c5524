using System.Data;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Coinlake.Storage.Sqlite;

/// <summary>
/// The write-side machinery every SQLite sink shares (candles, trades, tickers): one connection per sink opened
/// with <c>journal_mode=WAL</c>, <c>synchronous=NORMAL</c>, <c>busy_timeout</c>, a 64 MiB page cache and
/// <c>wal_autocheckpoint</c> 16384 pages; <c>BEGIN IMMEDIATE</c> retried while another connection holds the write
/// lock; prepared commands; and a check that an existing table has the columns a sink writes.
/// </summary>
internal static partial class SqliteWriting
{
    private const int MaxBeginAttempts = 10;

    /// <summary>Opens (creating the folder and file when missing) a read-write connection with the shared PRAGMAs.</summary>
    /// <exception cref="SqliteException">The file is not a database or cannot be opened.</exception>
    public static async ValueTask<SqliteConnection> OpenAsync(string databasePath, int busyTimeoutMs, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(databasePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = Math.Max(1, (busyTimeoutMs + 999) / 1000),
        }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {busyTimeoutMs};"), cancellationToken);
            await ExecuteAsync(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 16384;", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a write transaction (<c>BEGIN IMMEDIATE</c>), retrying with a growing pause while the database is locked.</summary>
    /// <exception cref="SqliteException">Still locked after the busy timeout and 10 attempts.</exception>
    public static async ValueTask<SqliteTransaction> BeginImmediateAsync(SqliteConnection connection, string databasePath, ILogger logger, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6 && attempt < MaxBeginAttempts)
            {
                LogBusy(logger, databasePath, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), cancellationToken);
            }
        }
    }

    /// <summary>Runs SQL that returns no rows.</summary>
    public static async ValueTask ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A command with typed parameters, to be reused for every row of a batch.</summary>
    public static SqliteCommand Prepare(SqliteConnection connection, string sql, params ReadOnlySpan<(string Name, SqliteType Type)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }

        return command;
    }

    /// <summary>Throws unless <paramref name="table"/> has every column of <paramref name="required"/>.</summary>
    /// <exception cref="InvalidOperationException">A column is missing: the table was made by something else; the message says to choose another name.</exception>
    public static async ValueTask RequireColumnsAsync(SqliteConnection connection, string table, string databasePath, string kind, IReadOnlyList<string> required, CancellationToken cancellationToken)
    {
        var columns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM pragma_table_info($table)";
            command.Parameters.AddWithValue("$table", table);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                columns.Add(reader.GetString(0));
            }
        }

        var missing = required.Where(c => !columns.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Table '{table}' of {databasePath} exists but is not a Coinlake {kind} table (it lacks {string.Join(", ", missing)}); choose another table name.");
        }
    }

    /// <summary>The columns of every table of the database, by table name, in table then column order.</summary>
    public static async ValueTask<List<(string Name, HashSet<string> Columns)>> TablesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var tables = new List<(string Name, HashSet<string> Columns)>();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (tables.Count == 0 || tables[^1].Name != name)
            {
                tables.Add((name, new HashSet<string>(StringComparer.OrdinalIgnoreCase)));
            }

            tables[^1].Columns.Add(reader.GetString(1));
        }

        return tables;
    }

    /// <summary>
    /// Picks the table a reader reads: <paramref name="requested"/> when given (it must have <paramref name="required"/>),
    /// else the one named <paramref name="defaultName"/>, else the only table with the required columns.
    /// </summary>
    /// <exception cref="InvalidOperationException">No such table, missing columns, or several candidates; the message lists them.</exception>
    public static (string Name, HashSet<string> Columns) ChooseTable(
        List<(string Name, HashSet<string> Columns)> tables, string? requested, string defaultName, IReadOnlyList<string> required, string kind, string databasePath)
    {
        var usable = tables.Where(c => required.All(c.Columns.Contains)).ToList();
        string Names() => usable.Count == 0 ? "none" : string.Join(", ", usable.Select(t => t.Name));
        if (requested is not null)
        {
            var chosen = tables.FirstOrDefault(c => string.Equals(c.Name, requested, StringComparison.OrdinalIgnoreCase));
            if (chosen.Name is null)
            {
                throw new InvalidOperationException($"{databasePath} has no table '{requested}'; {kind} tables there: {Names()}.");
            }

            var missing = required.Where(c => !chosen.Columns.Contains(c)).ToList();
            return missing.Count > 0
                ? throw new InvalidOperationException($"Table '{chosen.Name}' of {databasePath} lacks the {kind} columns {string.Join(", ", missing)}.")
                : chosen;
        }

        var named = usable.FirstOrDefault(c => string.Equals(c.Name, defaultName, StringComparison.OrdinalIgnoreCase));
        if (named.Name is not null)
        {
            return named;
        }

        return usable.Count == 1
            ? usable[0]
            : throw new InvalidOperationException(usable.Count == 0
                ? $"{databasePath} has no table with {kind} columns ({string.Join(", ", required)})."
                : $"{databasePath} has several {kind} tables ({Names()}); pass ReaderHints.Table to choose one.");
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "SQLite database {Path} is locked by another writer; retrying BEGIN IMMEDIATE (attempt {Attempt})")]
    private static partial void LogBusy(ILogger logger, string path, int attempt);
}
