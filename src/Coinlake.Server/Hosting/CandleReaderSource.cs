using Coinlake.Storage;
using Coinlake.Storage.Postgres;
using Coinlake.Storage.Sqlite;

namespace Coinlake.Server.Hosting;

/// <summary>
/// The candle store the API reads (<see cref="ServerOptions.CandleStore"/>): the SQLite database (a reader per request,
/// none while the file does not exist) or one shared PostgreSQL reader.
/// </summary>
public sealed class CandleReaderSource(ServerOptions options) : IAsyncDisposable
{
    private readonly Lazy<PostgresCandleSink> _postgres = new(() =>
        new PostgresCandleSink(PostgresConnection.Resolve(options.CandleConnectionString), new PostgresStoreOptions { CandleTable = options.CandleTable }));

    /// <summary>Short description for documents, e.g. the SQLite path or <c>postgres (candles)</c>.</summary>
    public string Description => options.CandleStore == CandleStoreKind.Postgres ? $"postgres ({options.CandleTable})" : options.DatabasePath;

    /// <summary>The reader, or null when nothing is stored yet (no SQLite file).</summary>
    public ICandleReader? Open() => options.CandleStore == CandleStoreKind.Postgres
        ? _postgres.Value
        : File.Exists(options.DatabasePath) ? new SqliteCandleReader(options.DatabasePath, options.CandleTable) : null;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_postgres.IsValueCreated)
        {
            await _postgres.Value.DisposeAsync().ConfigureAwait(false);
        }
    }
}
