using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Coinlake.Exchanges;
using Coinlake.Pipeline.Tasks;

namespace Coinlake.Server.Ingest;

/// <summary>The body of <c>POST /api/ingest</c> is invalid; <see cref="Errors"/> maps each offending field to what to fix.</summary>
/// <param name="errors">Field name (as written in the request, e.g. <c>exchange</c>, <c>end</c>; <c>body</c> for the whole request) to messages.</param>
public sealed class IngestValidationException(IReadOnlyDictionary<string, string[]> errors)
    : Exception(string.Join("; ", errors.SelectMany(e => e.Value.Select(v => $"{e.Key}: {v}"))))
{
    /// <summary>Field to messages.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>
/// Turns the JSON body of <c>POST /api/ingest</c> into a validated <see cref="TaskDefinition"/> through the task-file
/// loader itself, so the API and YAML task files accept and reject exactly the same things: each top-level JSON
/// property becomes one line of a one-task YAML file (JSON values are YAML flow values), the loader validates it, and
/// each error is attributed to the field on its line.
/// </summary>
/// <remarks>
/// Field names are the task file's (<c>exchange</c>, <c>symbol</c>/<c>symbols</c>, <c>timeframe</c>/<c>timeframes</c>,
/// <c>start</c>, <c>end</c>, <c>price</c>, <c>market_type</c>, <c>subtype</c>, <c>format</c>/<c>sinks</c>, <c>output</c>,
/// <c>table</c>, <c>base_url</c>, <c>stream</c>, aliases included); <c>name</c> is optional (default <c>ingest</c>).
/// On top of the task-file rules: only rest tasks (no <c>mode: stream</c>, no <c>schedule</c>), outputs must stay under
/// the server's data folder, and a request may cover at most <see cref="ServerOptions.MaxIngestCandles"/> candles.
/// </remarks>
public static partial class IngestRequestParser
{
    private const string SourceName = "request";
    private const int FirstFieldLine = 4;

    /// <summary>Validates <paramref name="body"/> and returns the task it describes.</summary>
    /// <param name="body">The request's JSON body (an object).</param>
    /// <param name="options">Data folder, default database, limits.</param>
    /// <param name="time">Clock for <c>end</c> omitted (= now) in the size check.</param>
    /// <exception cref="IngestValidationException">Every problem, by field.</exception>
    public static TaskDefinition Parse(JsonElement body, ServerOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("body", $"the body must be a JSON object with the task's fields (exchange, symbol, timeframe, start, ...), found {body.ValueKind.ToString().ToLowerInvariant()}.");
        }

        var yaml = new StringBuilder("version: 1\ntasks:\n");
        var lineFields = new Dictionary<int, string>();
        var name = body.TryGetProperty("name", out var nameElement) && nameElement.ValueKind == JsonValueKind.String ? nameElement.GetString() : null;
        yaml.Append("  - \"name\": ").Append(JsonSerializer.Serialize(name ?? "ingest")).Append('\n');
        lineFields[3] = "name";
        var line = FirstFieldLine;
        if (options.CandleStore == CandleStoreKind.Postgres && !new[] { "format", "output", "sortie", "sinks", "table", "sqlite_table" }.Any(k => body.TryGetProperty(k, out _)))
        {
            // Without a sink, candles go where the API reads them.
            yaml.Append("    \"format\": \"postgres\"\n    \"output\": ").Append(JsonSerializer.Serialize(options.CandleConnectionString)).Append('\n');
            lineFields[line++] = "format";
            lineFields[line++] = "output";
        }

        foreach (var property in body.EnumerateObject())
        {
            if (property.NameEquals("name"))
            {
                continue;
            }

            if (property.NameEquals("schedule") || property.NameEquals("timezone") || property.NameEquals("time_zone"))
            {
                throw Invalid(property.Name, $"'{property.Name}' belongs in a task file given to 'coinlake serve --tasks FILE' or 'coinlake worker --tasks FILE'; an ingest request runs once, remove it.");
            }

            yaml.Append("    ").Append(JsonSerializer.Serialize(property.Name)).Append(": ");
            WriteFlow(yaml, property.Value);
            yaml.Append('\n');
            lineFields[line++] = property.Name;
        }

        var loaderOptions = new TaskFileOptions
        {
            KnownExchanges = ExchangeRegistry.KnownExchanges.ToHashSet(StringComparer.Ordinal),
            DefaultSqlitePath = options.DatabasePath,
            DefaultFileFolder = options.DataPath,
            Time = time,
        };

        TaskDefinition task;
        try
        {
            // Relative outputs resolve against the data folder, as if the request were a task file stored there.
            task = TaskFileLoader.Parse(yaml.ToString(), Path.Combine(options.DataPath, SourceName), loaderOptions).Tasks[0];
        }
        catch (TaskFileException ex)
        {
            var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var error in ex.Errors)
            {
                var message = error.Message.Replace($"task '{name ?? "ingest"}'", "the request", StringComparison.Ordinal);
                var field = lineFields.TryGetValue(error.Location.Line, out var f) && error.Location.Line >= FirstFieldLine ? f
                    : error.Message.StartsWith("task name", StringComparison.Ordinal) ? "name"
                    : QuotedKey().Match(message) is { Success: true } m ? m.Groups[1].Value
                    : "body";
                (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(message);
            }

            throw new IngestValidationException(errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }

        Check(task, options, time, body);
        return task;
    }

    private static void Check(TaskDefinition task, ServerOptions options, TimeProvider time, JsonElement body)
    {
        if (task.Mode != TaskMode.Rest)
        {
            throw Invalid("mode", "the API runs rest tasks (historical candles, trades, ticker snapshots); stream tasks run from a task file with 'coinlake run'.");
        }

        var root = options.DataPath.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        foreach (var sink in task.Sinks)
        {
            if (sink.Format == SinkFormat.Postgres)
            {
                if (!sink.Output.StartsWith("env:", StringComparison.Ordinal) && !string.Equals(sink.Output, options.CandleConnectionString, StringComparison.Ordinal))
                {
                    throw Invalid(body.TryGetProperty("sinks", out _) ? "sinks" : "output",
                        "a postgres output in an API request must name an environment variable of the server ('env:COINLAKE_POSTGRES'), so no connection string or password travels in requests or job records.");
                }

                continue;
            }

            var output = Path.GetFullPath(sink.Output);
            if (!output.StartsWith(root, StringComparison.Ordinal) && !string.Equals(output, root.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
            {
                var field = body.TryGetProperty("sinks", out _) ? "sinks" : "output";
                throw Invalid(field, $"output '{sink.Output}' is outside the server's data folder {options.DataPath}; give a path relative to it (e.g. 'coinlake.db', 'parquet/') or omit it for the server's database.");
            }
        }

        if (task.Stream is null or "ohlcv")
        {
            var range = task.RangeAt(time.GetUtcNow());
            long candles = 0;
            foreach (var timeframe in task.Timeframes)
            {
                candles += timeframe.CountIn(range) * task.Symbols.Count;
            }

            if (candles > options.MaxIngestCandles)
            {
                throw Invalid("end", string.Create(CultureInfo.InvariantCulture,
                    $"the request covers {candles:N0} candles ({task.Symbols.Count} symbol(s) x {task.Timeframes.Count} timeframe(s) from {task.Start:yyyy-MM-dd} to {(task.End ?? time.GetUtcNow()):yyyy-MM-dd}); the limit is {options.MaxIngestCandles:N0}: split it into smaller date ranges or fewer symbols."));
            }
        }
    }

    private static IngestValidationException Invalid(string field, string message) =>
        new(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    /// <summary>Writes a JSON value as a one-line YAML flow value (strings stay double-quoted, so "null" stays a string).</summary>
    private static void WriteFlow(StringBuilder yaml, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                yaml.Append('{');
                var first = true;
                foreach (var property in value.EnumerateObject())
                {
                    yaml.Append(first ? "" : ", ").Append(JsonSerializer.Serialize(property.Name)).Append(": ");
                    WriteFlow(yaml, property.Value);
                    first = false;
                }

                yaml.Append('}');
                break;
            case JsonValueKind.Array:
                yaml.Append('[');
                var firstItem = true;
                foreach (var item in value.EnumerateArray())
                {
                    yaml.Append(firstItem ? "" : ", ");
                    WriteFlow(yaml, item);
                    firstItem = false;
                }

                yaml.Append(']');
                break;
            case JsonValueKind.String:
                yaml.Append(JsonSerializer.Serialize(value.GetString()));
                break;
            case JsonValueKind.Null:
                yaml.Append("null");
                break;
            default:
                yaml.Append(value.GetRawText());
                break;
        }
    }

    [GeneratedRegex("'([a-z_]+)'", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedKey();
}
