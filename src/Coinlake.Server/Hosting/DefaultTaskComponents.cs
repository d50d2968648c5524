using Coinlake.Exchanges;
using Coinlake.Pipeline.Backfill;
using Coinlake.Pipeline.Tasks;
using Coinlake.Storage;
using Coinlake.Storage.Csv;
using Coinlake.Storage.Json;
using Coinlake.Storage.Parquet;
using Coinlake.Storage.Sqlite;
using Microsoft.Extensions.Logging;

namespace Coinlake.Server.Hosting;

/// <summary>
/// Wires the concrete exchange connectors (<see cref="ExchangeRegistry.Shared"/>) and sinks (SQLite, Parquet, CSV,
/// JSON) a task names; the server's jobs use it, and any other host may.
/// </summary>
/// <param name="time">Clock for connectors.</param>
/// <param name="loggers">Loggers for connectors and SQLite sinks.</param>
public sealed class DefaultTaskComponents(TimeProvider time, ILoggerFactory loggers) : ITaskComponents
{
    /// <inheritdoc/>
    public IExchangeClient CreateClient(TaskDefinition task) =>
        ExchangeRegistry.Shared.Create(task.Exchange, task.BaseUrl, time, loggers);

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">An unknown sink format.</exception>
    public ICandleSink CreateSink(SinkDefinition sink) => sink.Format switch
    {
        SinkFormat.Sqlite => new SqliteCandleSink(sink.Output, sink.Table ?? "candles", loggers.CreateLogger<SqliteCandleSink>()),
        SinkFormat.Parquet => new ParquetCandleSink(sink.Output, sink.PathTemplate),
        SinkFormat.Csv => new CsvCandleSink(sink.Output, sink.PathTemplate),
        SinkFormat.Json => new JsonCandleSink(sink.Output, sink.PathTemplate),
        _ => throw new NotSupportedException($"Sink format '{sink.Format}' is not supported."),
    };

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">An unknown sink format.</exception>
    public ITradeSink CreateTradeSink(SinkDefinition sink) => sink.Format switch
    {
        SinkFormat.Sqlite => new SqliteTradeSink(sink.Output, sink.Table ?? "trades", logger: loggers.CreateLogger<SqliteTradeSink>()),
        SinkFormat.Parquet => new ParquetTradeSink(sink.Output, sink.PathTemplate),
        SinkFormat.Csv => new CsvTradeSink(sink.Output, sink.PathTemplate),
        SinkFormat.Json => new JsonTradeSink(sink.Output, sink.PathTemplate),
        _ => throw new NotSupportedException($"Sink format '{sink.Format}' is not supported for trades."),
    };

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Tickers go to sqlite or csv only.</exception>
    public ITickerSink CreateTickerSink(SinkDefinition sink) => sink.Format switch
    {
        SinkFormat.Sqlite => new SqliteTickerSink(sink.Output, sink.Table ?? "tickers", logger: loggers.CreateLogger<SqliteTickerSink>()),
        SinkFormat.Csv => new CsvTickerSink(sink.Output, sink.PathTemplate),
        _ => throw new NotSupportedException($"Ticker snapshots are stored in sqlite or csv; '{sink.FormatName}' is not supported for tickers (use format: sqlite or csv)."),
    };
}
