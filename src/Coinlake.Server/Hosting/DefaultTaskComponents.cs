using Coinlake.Exchanges;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Pipeline.Backfill;
using Coinlake.Pipeline.Streaming;
using Coinlake.Pipeline.Tickers;
using Coinlake.Storage.Alerts;
using Coinlake.Pipeline.Tasks;
using Coinlake.Storage;
using Coinlake.Storage.Csv;
using Coinlake.Storage.Json;
using Coinlake.Storage.Parquet;
using Coinlake.Storage.Postgres;
using Coinlake.Storage.Sqlite;
using Microsoft.Extensions.Logging;

namespace Coinlake.Server.Hosting;

/// <summary>
/// Wires the concrete exchange connectors (<see cref="ExchangeRegistry.Shared"/>) and sinks (SQLite, Parquet, CSV,
/// JSON, PostgreSQL) a task names; shared by the CLI (<c>coinlake run</c>, <c>trades-to-ohlcv</c>) and the server's
/// jobs. A postgres sink's output (a connection string or <c>env:NAME</c>) is resolved through
/// <paramref name="environment"/> (the process environment when null) when the sink is opened; its table is the candle,
/// trade or ticker table depending on what the task stores.
/// </summary>
/// <param name="time">Clock for connectors and stores.</param>
/// <param name="loggers">Loggers for connectors and sinks.</param>
/// <param name="environment">Environment lookup for <c>env:NAME</c> outputs; null = the process environment.</param>
/// <param name="clients">Replaces the exchange registry (tests: scripted stream clients; replays: capture clients); null = the real connectors.</param>
public sealed class DefaultTaskComponents(TimeProvider time, ILoggerFactory loggers, Func<string, string?>? environment = null, Func<TaskDefinition, IExchangeClient>? clients = null) : ITaskComponents
{
    /// <summary>Called with each ticker collector a stream task creates (the CLI shows it as a live table).</summary>
    public Action<TickerStreamCollector>? OnTickerCollector { get; init; }

    /// <inheritdoc/>
    public IExchangeClient CreateClient(TaskDefinition task) =>
        clients?.Invoke(task) ?? ExchangeRegistry.Shared.Create(task.Exchange, task.BaseUrl, time, loggers);

    /// <summary>Records the stream's raw frames to <see cref="TaskDefinition.Capture"/> (appending; replay with <c>coinlake replay</c>).</summary>
    public IStreamCapture? CreateCapture(TaskDefinition task) => task.Capture is { } path ? new CaptureWriter(path) : null;

    /// <summary>Parquet outputs of a stream get rotating part files (<c>{task}.part-{yyyyMMdd_HHmmss}.parquet</c>, rotated by
    /// <c>rotate</c>/<c>rotate_rows</c>); every other format is the backfill sink.</summary>
    public ICandleSink CreateStreamSink(TaskDefinition task, SinkDefinition sink) => sink.Format == SinkFormat.Parquet
        ? new ParquetCandlePartSink(sink.Output, task.Name, new PartRotationOptions(task.Rotation.Every, task.Rotation.MaxRows), time)
        : CreateSink(sink);

    /// <summary>Trades of a stream: Parquet part files as for candles, else the backfill sink.</summary>
    public ITradeSink CreateStreamTradeSink(TaskDefinition task, SinkDefinition sink) => sink.Format == SinkFormat.Parquet
        ? new ParquetTradePartSink(sink.Output, task.Name, new PartRotationOptions(task.Rotation.Every, task.Rotation.MaxRows), time)
        : CreateTradeSink(sink);

    /// <summary>
    /// <c>stream: tickers</c>: the latest-price cache with snapshots every <c>interval</c> and, with <c>alert_percent</c>,
    /// price-move alerts logged and written to an alerts table beside each SQLite ticker sink.
    /// </summary>
    public ITickerStreamHandler CreateTickerStreamHandler(TaskDefinition task, IReadOnlyList<ITickerSink> sinks)
    {
        var alertSinks = new List<IAlertSink>();
        if (task.Alerts is { } alerts)
        {
            alertSinks.AddRange(task.Sinks.Where(s => s.Format == SinkFormat.Sqlite).Select(s => (IAlertSink)new SqliteAlertSink(s.Output, alerts.Table)));
        }

        var collector = new TickerStreamCollector(task.Exchange, sinks, alertSinks, TickerStreamOptions.FromTask(task), time, loggers.CreateLogger<TickerStreamCollector>());
        collector.StartSnapshots();
        OnTickerCollector?.Invoke(collector);
        return collector;
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">An unknown sink format.</exception>
    public ICandleSink CreateSink(SinkDefinition sink) => sink.Format switch
    {
        SinkFormat.Sqlite => new SqliteCandleSink(sink.Output, sink.Table ?? "candles", loggers.CreateLogger<SqliteCandleSink>()),
        SinkFormat.Parquet => new ParquetCandleSink(sink.Output, sink.PathTemplate),
        SinkFormat.Csv => new CsvCandleSink(sink.Output, sink.PathTemplate),
        SinkFormat.Json => new JsonCandleSink(sink.Output, sink.PathTemplate),
        SinkFormat.Postgres => new PostgresCandleSink(PostgresStore(sink, new PostgresStoreOptions { CandleTable = sink.Table ?? "candles" })),
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
        SinkFormat.Postgres => new PostgresTradeSink(PostgresStore(sink, new PostgresStoreOptions { TradeTable = sink.Table ?? "trades" })),
        _ => throw new NotSupportedException($"Sink format '{sink.Format}' is not supported for trades."),
    };

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Tickers go to sqlite, postgres or csv only.</exception>
    public ITickerSink CreateTickerSink(SinkDefinition sink) => sink.Format switch
    {
        SinkFormat.Sqlite => new SqliteTickerSink(sink.Output, sink.Table ?? "tickers", logger: loggers.CreateLogger<SqliteTickerSink>()),
        SinkFormat.Csv => new CsvTickerSink(sink.Output, sink.PathTemplate),
        SinkFormat.Postgres => new PostgresTickerSink(PostgresStore(sink, new PostgresStoreOptions { TickerTable = sink.Table ?? "tickers" })),
        _ => throw new NotSupportedException($"Ticker snapshots are stored in sqlite, postgres or csv; '{sink.FormatName}' is not supported for tickers (use format: sqlite, postgres or csv)."),
    };

    private PostgresStore PostgresStore(SinkDefinition sink, PostgresStoreOptions options) =>
        new(PostgresConnection.Resolve(sink.Output, environment), options, time, loggers.CreateLogger<PostgresStore>());
}
