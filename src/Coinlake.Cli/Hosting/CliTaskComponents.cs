using Coinlake.Exchanges;
using Coinlake.Pipeline.Backfill;
using Coinlake.Pipeline.Tasks;
using Coinlake.Storage;
using Coinlake.Storage.Csv;
using Coinlake.Storage.Json;
using Coinlake.Storage.Parquet;
using Coinlake.Storage.Sqlite;
using Microsoft.Extensions.Logging;

namespace Coinlake.Cli.Hosting;

/// <summary>Wires the concrete exchange connectors and sinks a task file names.</summary>
internal sealed class CliTaskComponents(TimeProvider time, ILoggerFactory loggers) : ITaskComponents
{
    public IExchangeClient CreateClient(TaskDefinition task) =>
        ExchangeRegistry.Shared.Create(task.Exchange, task.BaseUrl, time, loggers);

    public ICandleSink CreateSink(SinkDefinition sink) => sink.Format switch
    {
        SinkFormat.Sqlite => new SqliteCandleSink(sink.Output, sink.Table ?? "candles", loggers.CreateLogger<SqliteCandleSink>()),
        SinkFormat.Parquet => new ParquetCandleSink(sink.Output, sink.PathTemplate),
        SinkFormat.Csv => new CsvCandleSink(sink.Output, sink.PathTemplate),
        SinkFormat.Json => new JsonCandleSink(sink.Output, sink.PathTemplate),
        _ => throw new NotSupportedException($"Sink format '{sink.Format}' is not supported."),
    };

    public ITradeSink CreateTradeSink(SinkDefinition sink) => sink.Format switch
    {
        SinkFormat.Sqlite => new SqliteTradeSink(sink.Output, sink.Table ?? "trades", logger: loggers.CreateLogger<SqliteTradeSink>()),
        SinkFormat.Parquet => new ParquetTradeSink(sink.Output, sink.PathTemplate),
        SinkFormat.Csv => new CsvTradeSink(sink.Output, sink.PathTemplate),
        SinkFormat.Json => new JsonTradeSink(sink.Output, sink.PathTemplate),
        _ => throw new NotSupportedException($"Sink format '{sink.Format}' is not supported for trades."),
    };

    public ITickerSink CreateTickerSink(SinkDefinition sink) => sink.Format switch
    {
        SinkFormat.Sqlite => new SqliteTickerSink(sink.Output, sink.Table ?? "tickers", logger: loggers.CreateLogger<SqliteTickerSink>()),
        SinkFormat.Csv => new CsvTickerSink(sink.Output, sink.PathTemplate),
        _ => throw new NotSupportedException($"Ticker snapshots are stored in sqlite or csv; '{sink.FormatName}' is not supported for tickers (use format: sqlite or csv)."),
    };
}
