using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Cli.Hosting;
using Coinlake.Cli.Rendering;
using Coinlake.Storage;
using Coinlake.Time;
using Spectre.Console;

namespace Coinlake.Cli.Commands;

/// <summary>
/// <c>coinlake audit PATH</c>: per stored series, rows, first and last open time, missing candles and their ranges,
/// duplicates and invalid rows (low &lt;= open, close &lt;= high; volume &gt;= 0; aligned open time). PATH is a SQLite
/// database, a Parquet file or folder, or a CSV/JSON file.
/// </summary>
internal static class AuditCommand
{
    public static Command Create(CliContext context)
    {
        var path = new Argument<string>("path") { Description = "SQLite database, Parquet file or folder, CSV or JSON file." };
        var strict = new Option<bool>("--strict") { Description = "Exit with code 1 when a series has missing candles, duplicates or invalid rows." };
        var table = new Option<string?>("--table") { Description = "SQLite table (default: candles)." };
        var exchange = new Option<string?>("--exchange") { Description = "Exchange of a file without series columns (e.g. binance)." };
        var symbol = new Option<string?>("--symbol") { Description = "Unified symbol of a file without series columns (e.g. BTC/USDT)." };
        var timeframe = new Option<string?>("--timeframe") { Description = "Timeframe of a file without series columns (e.g. 1m)." };
        var maxGaps = new Option<int>("--max-gaps") { Description = "Gap ranges listed per series (default 20; all are counted).", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Write the audit as JSON (for scripts) instead of a table." };
        var command = new Command("audit", "Check stored candles: gaps, duplicates, invalid rows.") { path, strict, table, exchange, symbol, timeframe, maxGaps, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var fullPath = context.Resolve(parse.GetValue(path)!);
            Timeframe? tf = null;
            var tfText = parse.GetValue(timeframe);
            if (tfText is not null)
            {
                if (!Timeframe.TryParse(tfText, out var parsed))
                {
                    await context.Error.WriteLineAsync($"error: --timeframe '{tfText}' is not a timeframe; use one of {string.Join(" ", Timeframe.All)}.").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                tf = parsed;
            }

            Coinlake.Markets.Symbol? sym = null;
            var symbolText = parse.GetValue(symbol);
            if (symbolText is not null && !Coinlake.Markets.Symbol.TryParse(symbolText, out sym))
            {
                await context.Error.WriteLineAsync($"error: --symbol '{symbolText}' is not a unified symbol; write it as BASE/QUOTE (BTC/USDT) or BASE/QUOTE:SETTLE (BTC/USDT:USDT).").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            ICandleReader reader;
            try
            {
                reader = CandleStores.OpenReader(fullPath, new ReaderHints { Table = parse.GetValue(table), Exchange = parse.GetValue(exchange), Symbol = sym, Timeframe = tf });
            }
            catch (Exception ex) when (ex is ArgumentException or FileNotFoundException or DirectoryNotFoundException or FormatException or NotSupportedException or InvalidOperationException)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var results = new List<SeriesAudit>();
            try
            {
                await foreach (var series in reader.ListSeriesAsync(cancellationToken).ConfigureAwait(false))
                {
                    results.Add(await AuditAsync(reader, series, cancellationToken).ConfigureAwait(false));
                }
            }
            finally
            {
                switch (reader)
                {
                    case IAsyncDisposable d: await d.DisposeAsync().ConfigureAwait(false); break;
                    case IDisposable d: d.Dispose(); break;
                }
            }

            if (parse.GetValue(json))
            {
                await WriteJsonAsync(context.Out, fullPath, results, parse.GetValue(maxGaps)).ConfigureAwait(false);
            }
            else
            {
                Write(Consoles.For(context), fullPath, results, parse.GetValue(maxGaps));
            }

            var problems = results.Any(r => r.HasProblems);
            return parse.GetValue(strict) && problems ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Streams one series once: coverage, duplicates, invalid rows.</summary>
    internal static async Task<SeriesAudit> AuditAsync(ICandleReader reader, SeriesKey series, CancellationToken cancellationToken)
    {
        var builder = new CoverageBuilder(series.Timeframe);
        long invalid = 0;
        long? firstInvalid = null;
        await foreach (var candle in reader.ReadAsync(series, null, cancellationToken).ConfigureAwait(false))
        {
            builder.Add(candle.OpenTime);
            if (CandleValidator.Validate(candle, series.Timeframe) != CandleProblems.None)
            {
                invalid++;
                firstInvalid ??= candle.OpenTime;
            }
        }

        var gaps = builder.Rows == 0
            ? []
            : CandleCoverage.FindGaps(builder.Build(), new TimeRange(builder.First!.Value, series.Timeframe.Next(builder.Last!.Value)), series.Timeframe);
        return new SeriesAudit(series, builder.Rows, builder.First, builder.Last, gaps, builder.Duplicates, invalid, firstInvalid);
    }

    private static void Write(IAnsiConsole console, string path, List<SeriesAudit> results, int maxGaps)
    {
        var table = new Table().Title(Markup.Escape($"Audit of {path}")).Border(TableBorder.Simple);
        foreach (var column in new[] { "series", "rows", "first", "last", "missing", "gaps", "duplicates", "invalid" })
        {
            table.AddColumn(column);
        }

        foreach (var r in results)
        {
            table.AddRow(Markup.Escape(r.Series.ToString()), N(r.Rows), ReportRenderer.Time(r.First), ReportRenderer.Time(r.Last),
                N(r.Missing), N(r.Gaps.Count), N(r.Duplicates), N(r.Invalid));
        }

        console.Write(table);
        foreach (var r in results)
        {
            foreach (var gap in r.Gaps.Take(maxGaps))
            {
                console.WriteLine($"gap {r.Series}: {gap.MissingCandles.ToString(CultureInfo.InvariantCulture)} candle(s) {gap.Range}");
            }

            if (r.Gaps.Count > maxGaps)
            {
                console.WriteLine($"gap {r.Series}: ... {(r.Gaps.Count - maxGaps).ToString(CultureInfo.InvariantCulture)} more (--max-gaps to list them)");
            }

            if (r.FirstInvalid is { } t)
            {
                console.WriteLine($"invalid {r.Series}: {r.Invalid.ToString(CultureInfo.InvariantCulture)} row(s), first at {TimeRange.FormatTime(t)}");
            }
        }

        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{results.Count} series, {results.Sum(r => r.Rows):N0} rows, {results.Sum(r => r.Missing):N0} missing candles in {results.Sum(r => r.Gaps.Count):N0} gaps, {results.Sum(r => r.Duplicates):N0} duplicates, {results.Sum(r => r.Invalid):N0} invalid"));
    }

    private static async Task WriteJsonAsync(TextWriter output, string path, List<SeriesAudit> results, int maxGaps)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("path", path);
            w.WriteStartArray("series");
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteString("exchange", r.Series.Exchange);
                w.WriteString("symbol", r.Series.Symbol.ToString());
                w.WriteString("market_type", Coinlake.Markets.MarketNames.ToName(r.Series.MarketType));
                w.WriteString("timeframe", r.Series.Timeframe.ToString());
                w.WriteString("price", Coinlake.Markets.MarketNames.ToName(r.Series.Price));
                w.WriteNumber("rows", r.Rows);
                if (r.First is { } first)
                {
                    w.WriteNumber("first_open_time", first);
                    w.WriteNumber("last_open_time", r.Last!.Value);
                }

                w.WriteNumber("missing_candles", r.Missing);
                w.WriteNumber("gaps", r.Gaps.Count);
                w.WriteNumber("duplicates", r.Duplicates);
                w.WriteNumber("invalid", r.Invalid);
                w.WriteStartArray("gap_ranges");
                foreach (var gap in r.Gaps.Take(maxGaps))
                {
                    w.WriteStartObject();
                    w.WriteNumber("start", gap.Range.Start);
                    w.WriteNumber("end", gap.Range.End);
                    w.WriteNumber("missing", gap.MissingCandles);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(stream.ToArray())).ConfigureAwait(false);
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The audit of one series.</summary>
    internal sealed record SeriesAudit(SeriesKey Series, long Rows, long? First, long? Last, IReadOnlyList<Gap> Gaps, long Duplicates, long Invalid, long? FirstInvalid)
    {
        public long Missing => Gaps.Sum(g => g.MissingCandles);

        public bool HasProblems => Gaps.Count > 0 || Duplicates > 0 || Invalid > 0;
    }
}
