using Npgsql;

namespace Coinlake.Storage.Postgres;

/// <summary>
/// The one connection a sink writes through: opened on first use (after the store's schema exists), with the
/// sink's temp staging table created once (<c>ON COMMIT DELETE ROWS</c>, so each batch starts empty). Calls are
/// serialised; a failed call closes the connection and the next call opens a fresh one.
/// </summary>
internal sealed class PostgresSession(PostgresStore store, string createStage) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _connection;

    /// <summary>Runs <paramref name="work"/> on the session's connection.</summary>
    public async ValueTask<T> RunAsync<T>(Func<NpgsqlConnection, PostgresLayout, CancellationToken, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var layout = await store.EnsureSchemaAsync(cancellationToken);
            var connection = _connection ??= await OpenAsync(cancellationToken);
            try
            {
                return await work(connection, layout, cancellationToken);
            }
            catch
            {
                _connection = null;
                await connection.DisposeAsync();
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs a counted upsert (<see cref="PostgresSql.UpsertCandles"/> and its kin) with positional parameters.</summary>
    public static async ValueTask<UpsertResult> CountedUpsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new UpsertResult(reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Closes the connection (back to the pool).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }

        _gate.Dispose();
    }

    private async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await store.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand(createStage, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
