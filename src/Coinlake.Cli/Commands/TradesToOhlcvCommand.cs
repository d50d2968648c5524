using System.CommandLine;
using System.Globalization;
using Coinlake.Candles;
using Coinlake.Cli.Hosting;
using Coinlake.Markets;
using Coinlake.Pipeline.Tasks;
using Coinlake.Storage;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Cli.Commands;

/// <summary>
/// <c>coinlake trades-to-ohlcv SOURCE --timeframe 1m [--output PATH] [--format F] [--table T]</c>: builds last-price
/// candles from stored trades (open = first trade, high/low = extremes, close = last trade, volume = Σ amount,
/// quote volume = Σ price × amount, trade count) and upserts them into a candle sink. SOURCE is where a
/// <c>stream: trades</c> task stored trades (SQLite database, Parquet folder, CSV or JSON file).
/// </summary>
internal static class TradesToOhlcvCommand
{
    private const int Batch = 5_000;

    public static Command Create(CliContext context)
    {
        var source = new Argument<string>("source") { Description = "Stored trades: SQLite database, Parquet file or folder, CSV or JSON file." };
        var timeframes = new Option<string[]>("--timeframe", "-t") { Description = "Candle timeframe(s), e.g. 1m (repeat for several).", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--output", "-o") { Description = "Where candles go (default: the SOURCE database when it is SQLite)." };
        var format = new Option<string?>("--format") { Description = "sqlite | parquet | csv | json (default: from the output's extension; a folder means parquet)." };
        var table = new Option<string?>("--table") { Description = "SQLite table for the candles (default: candles)." };
        var command = new Command("trades-to-ohlcv", "Build OHLCV candles from stored trades.") { source, timeframes, output, format, table };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var sourcePath = context.Resolve(parse.GetValue(source)!);
            var frames = new List<Timeframe>();
            foreach (var text in parse.GetValue(timeframes) ?? [])
            {
                if (!Timeframe.TryParse(text, out var tf))
                {
                    await context.Error.WriteLineAsync($"error: --timeframe '{text}' is not a timeframe; use one of {string.Join(" ", Timeframe.All)}.").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                frames.Add(tf);
            }

            var outputPath = parse.GetValue(output) is { } o ? context.Resolve(o) : IsSqlite(sourcePath) ? sourcePath : null;
            if (outputPath is null)
            {
                await context.Error.WriteLineAsync("error: --output is required when SOURCE is not a SQLite database (e.g. --output data/candles.db).").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var sinkFormat = ParseFormat(parse.GetValue(format), outputPath);
            if (sinkFormat is null)
            {
                await context.Error.WriteLineAsync($"error: cannot tell the format of '{outputPath}'; pass --format sqlite|parquet|csv|json.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            ITradeReader reader;
            try
            {
                reader = TradeStores.OpenReader(sourcePath);
            }
            catch (Exception ex) when (ex is ArgumentException or FileNotFoundException or DirectoryNotFoundException or FormatException or NotSupportedException or InvalidOperationException)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var components = new Coinlake.Server.Hosting.DefaultTaskComponents(context.Time, NullLoggerFactory.Instance);
            var sink = components.CreateSink(new SinkDefinition(sinkFormat.Value, outputPath, parse.GetValue(table), null));
            long candles = 0;
            await using (sink.ConfigureAwait(false))
            {
                try
                {
                    await foreach (var series in reader.ListTradeSeriesAsync(cancellationToken).ConfigureAwait(false))
                    {
                        foreach (var timeframe in frames)
                        {
                            var (t, c) = await AggregateAsync(reader, series, timeframe, sink, cancellationToken).ConfigureAwait(false);
                            candles += c;
                            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{series} {timeframe}: {t:N0} trades -> {c:N0} candles")).ConfigureAwait(false);
                        }
                    }

                    await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    (reader as IDisposable)?.Dispose();
                }
            }

            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{candles:N0} candles written to {sink.Description}")).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Streams one series' trades (in time order) through a <see cref="CandleBuilder"/> into the sink, in batches.</summary>
    private static async Task<(long Trades, long Candles)> AggregateAsync(ITradeReader reader, TradeSeriesKey series, Timeframe timeframe, ICandleSink sink, CancellationToken cancellationToken)
    {
        var key = new SeriesKey(series.Exchange, series.Symbol, series.MarketType, timeframe, PriceType.Last);
        var builder = new CandleBuilder(timeframe);
        var batch = new List<Candle>(Batch);
        long trades = 0, candles = 0;
        await foreach (var trade in reader.ReadTradesAsync(series, null, cancellationToken).ConfigureAwait(false))
        {
            trades++;
            if (builder.Add(trade) is { } closed)
            {
                batch.Add(closed);
                if (batch.Count == Batch)
                {
                    await sink.UpsertAsync(key, batch, cancellationToken).ConfigureAwait(false);
                    candles += batch.Count;
                    batch.Clear();
                }
            }
        }

        if (builder.Current is { } last)
        {
            batch.Add(last);
        }

        if (batch.Count > 0)
        {
            await sink.UpsertAsync(key, batch, cancellationToken).ConfigureAwait(false);
            candles += batch.Count;
        }

        return (trades, candles);
    }

    private static bool IsSqlite(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".db" or ".sqlite" or ".sqlite3";

    /// <summary>The sink format named by <paramref name="format"/>, else told by <paramref name="output"/>'s extension (none: a Parquet folder); null when unknown.</summary>
    internal static SinkFormat? ParseFormat(string? format, string output) =>
        format?.Trim().ToLowerInvariant() switch
        {
            "sqlite" => SinkFormat.Sqlite,
            "parquet" => SinkFormat.Parquet,
            "csv" => SinkFormat.Csv,
            "json" => SinkFormat.Json,
            null => IsSqlite(output) ? SinkFormat.Sqlite
                : Path.GetExtension(output).ToLowerInvariant() switch
                {
                    ".parquet" or "" => SinkFormat.Parquet,
                    ".csv" => SinkFormat.Csv,
                    ".json" => SinkFormat.Json,
                    _ => null,
                },
            _ => null,
        };
}
