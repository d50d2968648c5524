using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coinlake.Server.Jobs;

/// <summary>
/// Coinlake's job records (<c>coinlake_jobs</c>) and job logs (<c>coinlake_job_logs</c>), kept in the job store's
/// database (SQLite file or PostgreSQL) so every node answers <c>GET /api/jobs</c> alike. Plain ADO.NET with one SQL
/// dialect both engines accept; every method opens and closes its own connection (pooled).
/// </summary>
public sealed class JobRecordStore : IAsyncDisposable
{
    private const string Columns =
        "id, kind, task_name, request, state, created_at, started_at, finished_at, attempts, progress_done, progress_expected, rows_fetched, rows_inserted, rows_updated, error, node, cancel_requested";

    private readonly DbDataSource _dataSource;
    private readonly JobStoreProvider _provider;

    /// <summary>Opens the store (no I/O until the first call).</summary>
    /// <param name="provider">SQLite or PostgreSQL.</param>
    /// <param name="connectionString">The job store's connection string.</param>
    public JobRecordStore(JobStoreProvider provider, string connectionString)
    {
        _provider = provider;
        if (provider == JobStoreProvider.Postgres)
        {
            _dataSource = NpgsqlDataSource.Create(connectionString);
        }
        else
        {
            var builder = new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = 60 };
            if (Path.GetDirectoryName(Path.GetFullPath(builder.DataSource)) is { } folder)
            {
                Directory.CreateDirectory(folder);
            }

            _dataSource = new SqliteFileDataSource(builder.ToString());
        }
    }

    /// <summary>Creates the tables when missing (idempotent; safe from several nodes at once).</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var sequence = _provider == JobStoreProvider.Postgres ? "seq BIGSERIAL PRIMARY KEY" : "seq INTEGER PRIMARY KEY AUTOINCREMENT";
        string[] statements =
        [
            .. _provider == JobStoreProvider.Sqlite ? new[] { "PRAGMA journal_mode=WAL" } : [],
            """
            CREATE TABLE IF NOT EXISTS coinlake_jobs (
              id TEXT PRIMARY KEY, kind TEXT NOT NULL, task_name TEXT NOT NULL, request TEXT NOT NULL, state TEXT NOT NULL,
              created_at BIGINT NOT NULL, started_at BIGINT NULL, finished_at BIGINT NULL, attempts INTEGER NOT NULL DEFAULT 0,
              progress_done BIGINT NOT NULL DEFAULT 0, progress_expected BIGINT NOT NULL DEFAULT 0,
              rows_fetched BIGINT NOT NULL DEFAULT 0, rows_inserted BIGINT NOT NULL DEFAULT 0, rows_updated BIGINT NOT NULL DEFAULT 0,
              error TEXT NULL, node TEXT NULL, cancel_requested INTEGER NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX IF NOT EXISTS ix_coinlake_jobs_created ON coinlake_jobs (created_at DESC, id)",
            $"CREATE TABLE IF NOT EXISTS coinlake_job_logs ({sequence}, job_id TEXT NOT NULL, time BIGINT NOT NULL, level TEXT NOT NULL, category TEXT NOT NULL, message TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS ix_coinlake_job_logs_job ON coinlake_job_logs (job_id, seq)",
        ];
        foreach (var sql in statements)
        {
            try
            {
                await using var command = Command(connection, sql);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject)
            {
                // Another node created it at the same moment (CREATE ... IF NOT EXISTS races in PostgreSQL).
            }
        }
    }

    /// <summary>True when the database answers <c>SELECT 1</c>.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(connection, "SELECT 1");
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }
        catch (DbException)
        {
            return false;
        }
    }

    /// <summary>Stores a new job.</summary>
    public async Task InsertAsync(JobRecord job, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection,
            "INSERT INTO coinlake_jobs (id, kind, task_name, request, state, created_at) VALUES (@id, @kind, @task, @request, @state, @created)",
            ("@id", job.Id), ("@kind", job.Kind), ("@task", job.TaskName), ("@request", job.Request), ("@state", job.State.ToName()), ("@created", job.CreatedAt));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The job, or null.</summary>
    public async Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, $"SELECT {Columns} FROM coinlake_jobs WHERE id = @id", ("@id", id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    /// <summary>Jobs newest first, optionally of one state; with the total count of matching jobs.</summary>
    /// <param name="state">Only this state; null = all.</param>
    /// <param name="limit">Page size (1..).</param>
    /// <param name="offset">Jobs to skip.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<(IReadOnlyList<JobRecord> Jobs, long Total)> ListAsync(JobState? state, int limit, int offset, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var where = state is null ? "" : " WHERE state = @state";
        var parameters = state is null ? [] : new (string, object?)[] { ("@state", state.Value.ToName()) };
        long total;
        await using (var count = Command(connection, $"SELECT COUNT(*) FROM coinlake_jobs{where}", parameters))
        {
            total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }

        await using var command = Command(connection,
            $"SELECT {Columns} FROM coinlake_jobs{where} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset",
            [.. parameters, ("@limit", limit), ("@offset", offset)]);
        var jobs = new List<JobRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            jobs.Add(Read(reader));
        }

        return (jobs, total);
    }

    /// <summary>
    /// Marks a queued or running (recovered) job running on <paramref name="node"/> and counts the attempt; returns the
    /// updated record, or null when the job is unknown or already final (cancelled before it started).
    /// </summary>
    public async Task<JobRecord?> StartAttemptAsync(string id, string node, long now, CancellationToken cancellationToken = default)
    {
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var command = Command(connection,
            "UPDATE coinlake_jobs SET state = 'running', started_at = @now, attempts = attempts + 1, node = @node WHERE id = @id AND state IN ('queued', 'running') AND cancel_requested = 0",
            ("@id", id), ("@node", node), ("@now", now)))
        {
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return null;
            }
        }

        return await GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records progress and row counts of a running job.</summary>
    public async Task UpdateProgressAsync(string id, long done, long expected, long fetched, long inserted, long updated, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection,
            "UPDATE coinlake_jobs SET progress_done = @done, progress_expected = @expected, rows_fetched = @fetched, rows_inserted = @inserted, rows_updated = @updated WHERE id = @id AND state = 'running'",
            ("@id", id), ("@done", done), ("@expected", expected), ("@fetched", fetched), ("@inserted", inserted), ("@updated", updated));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves a job to <paramref name="state"/> with its error (null clears it); final states also set
    /// <c>finished_at</c>. A job already final is left alone (a cancel wins over a late finish). Returns whether it changed.
    /// </summary>
    public async Task<bool> SetStateAsync(string id, JobState state, string? error, long now, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection,
            "UPDATE coinlake_jobs SET state = @state, error = @error, finished_at = @finished WHERE id = @id AND state NOT IN ('succeeded', 'failed', 'cancelled')",
            ("@id", id), ("@state", state.ToName()), ("@error", error), ("@finished", state.IsFinal() ? now : null));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <summary>
    /// The newest unfinished (queued or running) record of scheduled task <paramref name="taskName"/>, or null. Records of
    /// it flagged for cancellation are marked cancelled on the way (no firing of the task runs while this is asked).
    /// </summary>
    public async Task<JobRecord?> FindOpenScheduledAsync(string taskName, long now, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var cancel = Command(connection,
            "UPDATE coinlake_jobs SET state = 'cancelled', error = 'cancelled', finished_at = @now WHERE kind = 'schedule' AND task_name = @task AND state IN ('queued', 'running') AND cancel_requested = 1",
            ("@task", taskName), ("@now", now)))
        {
            await cancel.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var command = Command(connection,
            $"SELECT {Columns} FROM coinlake_jobs WHERE kind = 'schedule' AND task_name = @task AND state IN ('queued', 'running') ORDER BY created_at DESC, id DESC LIMIT 1",
            ("@task", taskName));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    /// <summary>Flags a job to stop; returns the record as it was before (null when unknown).</summary>
    public async Task<JobRecord?> RequestCancelAsync(string id, CancellationToken cancellationToken = default)
    {
        var job = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (job is null || job.State.IsFinal())
        {
            return job;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, "UPDATE coinlake_jobs SET cancel_requested = 1 WHERE id = @id", ("@id", id));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return job;
    }

    /// <summary>Appends log lines (one transaction).</summary>
    public async Task AppendLogsAsync(IReadOnlyList<JobLogEntry> entries, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            await using var command = Command(connection,
                "INSERT INTO coinlake_job_logs (job_id, time, level, category, message) VALUES (@job, @time, @level, @category, @message)",
                ("@job", entry.JobId), ("@time", entry.Time), ("@level", entry.Level), ("@category", entry.Category), ("@message", entry.Message));
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Log lines in ascending order after <paramref name="after"/> (a sequence number), of one job or of all.</summary>
    public async Task<IReadOnlyList<JobLogEntry>> GetLogsAsync(string? jobId, long after, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var where = jobId is null ? "seq > @after" : "job_id = @job AND seq > @after";
        (string, object?)[] parameters = jobId is null
            ? [("@after", after), ("@limit", limit)]
            : [("@job", jobId), ("@after", after), ("@limit", limit)];
        await using var command = Command(connection,
            $"SELECT seq, job_id, time, level, category, message FROM coinlake_job_logs WHERE {where} ORDER BY seq LIMIT @limit", parameters);
        var list = new List<JobLogEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new JobLogEntry(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        }

        return list;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            if (value is null)
            {
                parameter.DbType = name is "@error" or "@job" ? System.Data.DbType.String : System.Data.DbType.Int64;
            }

            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static JobRecord Read(DbDataReader reader)
    {
        JobStates.TryParse(reader.GetString(4), out var state);
        return new JobRecord
        {
            Id = reader.GetString(0),
            Kind = reader.GetString(1),
            TaskName = reader.GetString(2),
            Request = reader.GetString(3),
            State = state,
            CreatedAt = reader.GetInt64(5),
            StartedAt = reader.IsDBNull(6) ? null : reader.GetInt64(6),
            FinishedAt = reader.IsDBNull(7) ? null : reader.GetInt64(7),
            Attempts = Convert.ToInt32(reader.GetValue(8), System.Globalization.CultureInfo.InvariantCulture),
            ProgressDone = reader.GetInt64(9),
            ProgressExpected = reader.GetInt64(10),
            RowsFetched = reader.GetInt64(11),
            RowsInserted = reader.GetInt64(12),
            RowsUpdated = reader.GetInt64(13),
            Error = reader.IsDBNull(14) ? null : reader.GetString(14),
            Node = reader.IsDBNull(15) ? null : reader.GetString(15),
            CancelRequested = Convert.ToInt64(reader.GetValue(16), System.Globalization.CultureInfo.InvariantCulture) != 0,
        };
    }
}

/// <summary>A <see cref="DbDataSource"/> over Microsoft.Data.Sqlite (which ships none).</summary>
internal sealed class SqliteFileDataSource(string connectionString) : DbDataSource
{
    public override string ConnectionString { get; } = connectionString;

    protected override DbConnection CreateDbConnection() => new SqliteConnection(ConnectionString);
}
