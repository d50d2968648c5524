using System.CommandLine;
using System.Globalization;
using Coinlake.Cli.Hosting;
using Coinlake.Exchanges;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Pipeline.Backfill;
using Coinlake.Pipeline.Reports;
using Coinlake.Pipeline.Streaming;
using Coinlake.Pipeline.Tasks;
using Coinlake.Cli.Rendering;
using Coinlake.Server.Hosting;
using Coinlake.Storage;
using Microsoft.Extensions.Logging;

namespace Coinlake.Cli.Commands;

/// <summary>
/// <c>coinlake replay CAPTURE... --exchange NAME (--output PATH [--format F] | --tasks FILE [--task NAME])</c>: runs
/// capture files (the line format <c>capture:</c> writes, or cryptofeed's) through the exchange's own stream parsers and
/// the same writer as a live stream, at full speed, and stores every candle, trade and ticker they hold. Symbols are
/// resolved from the recorded market list (<c>--markets</c>; by default the capture's sibling <c>NAME.0</c> file, as
/// cryptofeed names it).
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(CliContext context)
    {
        var captures = new Argument<string[]>("capture") { Description = "Capture file(s), played in order.", Arity = ArgumentArity.OneOrMore };
        var exchange = new Option<string>("--exchange", "-e") { Description = "Exchange whose parsers read the frames: " + string.Join(", ", ExchangeRegistry.KnownExchanges) + ".", Required = true };
        var markets = new Option<string[]>("--markets") { Description = "File(s) with the exchange's recorded market list ('URL -> T: BODY' lines). Default: the capture's NAME.0 sibling.", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--output", "-o") { Description = "Where to store: a SQLite database (candles, trades, tickers tables), or a Parquet folder / CSV / JSON file for candles (trades and tickers beside it)." };
        var format = new Option<string?>("--format") { Description = "sqlite | parquet | csv | json (default: from the output's extension; a folder means parquet)." };
        var tasks = new Option<string?>("--tasks") { Description = "A task file: store through a stream task's sinks and settings instead of --output." };
        var task = new Option<string?>("--task") { Description = "The task of --tasks to use (default: its only stream task for the exchange)." };
        var includeCurrent = new Option<bool>("--include-current") { Description = "Also store candles the capture never shows closed (as a stream with exclude_current_candle: false)." };
        var command = new Command("replay", "Store what capture files hold, through the same parsers and writer as a live stream.")
        {
            captures, exchange, markets, output, format, tasks, task, includeCurrent,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var paths = (parse.GetValue(captures) ?? []).Select(context.Resolve).ToList();
            foreach (var path in paths.Where(p => !File.Exists(p)))
            {
                await context.Error.WriteLineAsync($"error: capture file '{path}' does not exist.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var exchangeId = parse.GetValue(exchange)!.Trim().ToLowerInvariant();
            if (!ExchangeRegistry.IsKnown(exchangeId))
            {
                await context.Error.WriteLineAsync($"error: unknown exchange '{exchangeId}'; use one of {string.Join(", ", ExchangeRegistry.KnownExchanges)}.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if ((parse.GetValue(output) is null) == (parse.GetValue(tasks) is null))
            {
                await context.Error.WriteLineAsync("error: give either --output PATH (e.g. --output data/replay.db) or --tasks FILE, not both.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var marketFiles = (parse.GetValue(markets) is { Length: > 0 } given ? given.Select(context.Resolve) : paths.SelectMany(MarketSiblings)).Distinct(StringComparer.Ordinal).ToList();
            foreach (var path in marketFiles.Where(p => !File.Exists(p)))
            {
                await context.Error.WriteLineAsync($"error: market list file '{path}' does not exist.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            using var loggers = LoggerFactory.Create(b => b.AddProvider(new TextWriterLoggerProvider(context.Error, LogLevel.Warning, context.Time)));
            CaptureHttpHandler handler;
            try
            {
                handler = await CaptureHttpHandler.LoadAsync(marketFiles, cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException ex)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            using var registry = new ExchangeRegistry(handler);
            var client = registry.Create(exchangeId, null, context.Time, loggers);
            try
            {
                if (client is not IStreamProtocolClient streaming)
                {
                    await context.Error.WriteLineAsync($"error: {exchangeId} has no WebSocket stream in Coinlake, so there is no parser to replay its captures with.").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                StreamSymbols symbols;
                try
                {
                    symbols = await streaming.GetStreamSymbolsAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ExchangeException ex)
                {
                    var from = marketFiles.Count == 0 ? "no market list file was found next to the capture" : "read " + string.Join(", ", marketFiles);
                    await context.Error.WriteLineAsync($"error: cannot resolve {exchangeId} symbols ({from}): {ex.Message}. Pass --markets FILE with the exchange's recorded market list (e.g. the capture's NAME.0 file).").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                var replay = new CaptureReplayClient(paths, streaming.Protocol, symbols);
                StreamReport report;
                string name;
                if (parse.GetValue(tasks) is { } taskFile)
                {
                    var selected = await SelectTaskAsync(context, context.Resolve(taskFile), parse.GetValue(task), exchangeId).ConfigureAwait(false);
                    if (selected is null)
                    {
                        return ExitCodes.Usage;
                    }

                    name = selected.Name;
                    var replayTask = selected with { HealLookback = TimeSpan.Zero, Duration = null, Capture = null };
                    var components = new DefaultTaskComponents(context.Time, loggers, context.GetEnvironmentVariable, _ => replay);
                    report = await new StreamTaskRunner(components, context.Time, loggers).RunAsync(replayTask, null, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var outputPath = context.Resolve(parse.GetValue(output)!);
                    if (TradesToOhlcvCommand.ParseFormat(parse.GetValue(format), outputPath) is not { } sinkFormat)
                    {
                        await context.Error.WriteLineAsync($"error: cannot tell the format of '{outputPath}'; pass --format sqlite|parquet|csv|json.").ConfigureAwait(false);
                        return ExitCodes.Usage;
                    }

                    name = Path.GetFileName(paths[0]);
                    report = await ReplayToOutputAsync(context, loggers, replay, exchangeId, sinkFormat, outputPath, parse.GetValue(includeCurrent), cancellationToken).ConfigureAwait(false);
                }

                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"replay {name}: {replay.Replay.Frames:N0} frames ({replay.Replay.DataFrames:N0} market data, {replay.Replay.Malformed:N0} malformed) on {replay.Replay.Connections:N0} connection(s)")).ConfigureAwait(false);
                await context.Out.WriteLineAsync(ReportRenderer.StreamSummary(name, report)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (FormatException ex)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            finally
            {
                (client as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    /// <summary>cryptofeed names a feed's files NAME.ws.N.M (WebSocket) and NAME.0 (the REST answers at start-up, market lists among them).</summary>
    private static IEnumerable<string> MarketSiblings(string capture)
    {
        var directory = Path.GetDirectoryName(capture)!;
        var file = Path.GetFileName(capture);
        var feed = file.Split('.')[0];
        var start = Path.Combine(directory, feed + ".0");
        if (File.Exists(start) && !string.Equals(start, capture, StringComparison.Ordinal))
        {
            yield return start;
        }
    }

    private static async Task<StreamReport> ReplayToOutputAsync(CliContext context, ILoggerFactory loggers, CaptureReplayClient replay, string exchange,
        SinkFormat format, string output, bool includeCurrent, CancellationToken cancellationToken)
    {
        var components = new DefaultTaskComponents(context.Time, loggers, context.GetEnvironmentVariable);
        var candles = components.CreateSink(new SinkDefinition(format, output));
        var trades = components.CreateTradeSink(new SinkDefinition(format, format == SinkFormat.Sqlite ? output : Beside(output, "trades")));
        var tickers = components.CreateTickerSink(format == SinkFormat.Sqlite
            ? new SinkDefinition(SinkFormat.Sqlite, output)
            : new SinkDefinition(SinkFormat.Csv, Path.ChangeExtension(Beside(output, "tickers"), ".csv")));
        await using (candles.ConfigureAwait(false))
        await using (trades.ConfigureAwait(false))
        await using (tickers.ConfigureAwait(false))
        {
            var report = new StreamReport();
            var targets = new StreamTargets(exchange)
            {
                CandleSinks = [candles],
                TradeSinks = [trades],
                Tickers = new TickerSinkStreamHandler(exchange, [tickers]),
            };
            var writer = new MarketStreamWriter(targets, new StreamWriterOptions { ExcludeCurrentCandle = !includeCurrent }, report, context.Time, loggers.CreateLogger<MarketStreamWriter>());
            return await writer.WriteAllAsync(replay.StreamAsync([], new Exchanges.StreamOptions(), cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>data/x.csv</c> -&gt; <c>data/x-trades.csv</c>; a folder <c>data/pq</c> -&gt; <c>data/pq-trades</c>.</summary>
    private static string Beside(string output, string what) =>
        Path.Combine(Path.GetDirectoryName(output)!, Path.GetFileNameWithoutExtension(output) + "-" + what + Path.GetExtension(output));

    private static async Task<TaskDefinition?> SelectTaskAsync(CliContext context, string file, string? name, string exchange)
    {
        TaskFile loaded;
        try
        {
            loaded = TaskFileLoader.Load(file, TaskFiles.Options());
        }
        catch (TaskFileException ex)
        {
            await TaskFiles.WriteErrorsAsync(context, ex).ConfigureAwait(false);
            return null;
        }

        var candidates = loaded.Tasks.Where(t => name is null ? t.Mode == TaskMode.Stream && t.Exchange == exchange : t.Name == name).ToList();
        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        await context.Error.WriteLineAsync(name is null
            ? $"error: {file} has {candidates.Count} stream tasks for {exchange}; choose one with --task NAME ({string.Join(", ", loaded.Tasks.Select(t => t.Name))})."
            : $"error: {file} has no task named '{name}'; its tasks: {string.Join(", ", loaded.Tasks.Select(t => t.Name))}.").ConfigureAwait(false);
        return null;
    }
}
