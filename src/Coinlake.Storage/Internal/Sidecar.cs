using System.Text.Json;
using System.Text.Json.Serialization;
using Coinlake.Candles;
using Coinlake.Time;

namespace Coinlake.Storage.Internal;

/// <summary>
/// What a file sink knows beside its data files, kept in a JSON sidecar (<c>&lt;root&gt;/.coinlake/sidecar.json</c>
/// for a folder, <c>&lt;file&gt;.coinlake.json</c> for a single file) and rewritten atomically on every change:
/// the series each data file holds (CSV and JSON files have no series columns) and the known-empty ranges of each
/// series (ranges the exchange answered with no candles), keyed by the series text
/// (<c>binance BTC/USDT spot 1m last</c>):
/// <code>{"version":1,"files":{"BTCUSDT_1m.csv":"binance BTC/USDT spot 1m last"},
///  "empty_ranges":{"binance BTC/USDT spot 1m last":[{"start":1677628800000,"end":1677632400000,"from":"2023-03-01T00:00:00Z","to":"2023-03-01T01:00:00Z"}]}}</code>
/// </summary>
internal sealed class Sidecar(string path)
{
    private SidecarDocument? _document;
    private Dictionary<string, RangeSet>? _ranges;

    /// <summary>Path of the sidecar.</summary>
    public string Path { get; } = path;

    /// <summary>The sidecar of a folder output.</summary>
    public static string ForFolder(string folder) => System.IO.Path.Combine(folder, ".coinlake", "sidecar.json");

    /// <summary>The sidecar of a single-file output.</summary>
    public static string ForFile(string file) => file + ".coinlake.json";

    /// <summary>The series text of a key, e.g. <c>binance BTC/USDT spot 1m last</c>.</summary>
    public static string SeriesText(SeriesKey series) => series.ToString();

    /// <summary>Parses a series text written by <see cref="SeriesText"/>.</summary>
    public static SeriesKey ParseSeries(string text, string where)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length != 5
            ? throw new FormatException($"{where}: '{text}' is not a series text such as 'binance BTC/USDT spot 1m last'.")
            : new SeriesColumns(parts[0], parts[1], parts[2], parts[3], parts[4]).ToKey(where);
    }

    /// <summary>The known-empty ranges of <paramref name="series"/>.</summary>
    public async ValueTask<RangeSet> GetEmptyAsync(SeriesKey series, CancellationToken cancellationToken = default)
    {
        await LoadAsync(cancellationToken);
        return _ranges!.TryGetValue(SeriesText(series), out var set) ? set : RangeSet.Empty;
    }

    /// <summary>Series recorded for data files, by path relative to the sidecar's root (forward slashes).</summary>
    public async ValueTask<IReadOnlyDictionary<string, string>> GetFilesAsync(CancellationToken cancellationToken = default)
    {
        await LoadAsync(cancellationToken);
        return _document!.Files;
    }

    /// <summary>Merges <paramref name="ranges"/> into the series' known-empty ranges and rewrites the sidecar.</summary>
    public async ValueTask AddEmptyAsync(SeriesKey series, IReadOnlyList<TimeRange> ranges, CancellationToken cancellationToken = default)
    {
        await LoadAsync(cancellationToken);
        var key = SeriesText(series);
        var before = _ranges!.TryGetValue(key, out var set) ? set : RangeSet.Empty;
        var merged = before.Union(RangeSet.Of(ranges));
        if (merged.Ranges.SequenceEqual(before.Ranges))
        {
            return;
        }

        _ranges[key] = merged;
        _document!.EmptyRanges[key] = [.. merged.Ranges.Select(r => new EmptyRangeEntry(r.Start, r.End, TimeRange.FormatTime(r.Start), TimeRange.FormatTime(r.End)))];
        await SaveAsync(cancellationToken);
    }

    /// <summary>Records that <paramref name="relativePath"/> holds <paramref name="series"/>; true when that is new (call <see cref="SaveAsync"/>).</summary>
    public ValueTask<bool> RecordFileAsync(string relativePath, SeriesKey series, CancellationToken cancellationToken = default) =>
        RecordFileAsync(relativePath, SeriesText(series), cancellationToken);

    /// <summary>Records that <paramref name="relativePath"/> holds the series written as <paramref name="text"/>; true when that is new (call <see cref="SaveAsync"/>).</summary>
    public async ValueTask<bool> RecordFileAsync(string relativePath, string text, CancellationToken cancellationToken = default)
    {
        await LoadAsync(cancellationToken);
        var key = relativePath.Replace('\\', '/');
        if (_document!.Files.TryGetValue(key, out var known) && string.Equals(known, text, StringComparison.Ordinal))
        {
            return false;
        }

        _document.Files[key] = text;
        return true;
    }

    /// <summary>Writes the sidecar atomically.</summary>
    public async ValueTask SaveAsync(CancellationToken cancellationToken = default)
    {
        await LoadAsync(cancellationToken);
        var document = new SidecarDocument
        {
            Files = new SortedDictionary<string, string>(_document!.Files, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal),
            EmptyRanges = new SortedDictionary<string, List<EmptyRangeEntry>>(_document.EmptyRanges, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal),
        };
        await AtomicFile.WriteAsync(
            Path,
            async (stream, ct) => await JsonSerializer.SerializeAsync(stream, document, SidecarJsonContext.Default.SidecarDocument, ct),
            cancellationToken);
    }

    private async ValueTask LoadAsync(CancellationToken cancellationToken)
    {
        if (_document is not null)
        {
            return;
        }

        var document = new SidecarDocument();
        if (File.Exists(Path))
        {
            await using var stream = File.OpenRead(Path);
            try
            {
                document = await JsonSerializer.DeserializeAsync(stream, SidecarJsonContext.Default.SidecarDocument, cancellationToken) ?? document;
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"The Coinlake sidecar {Path} is not valid JSON ({e.Message}); fix or delete it (it holds known-empty ranges and the series of each file).", e);
            }
        }

        document.Files = new Dictionary<string, string>(document.Files, StringComparer.Ordinal);
        document.EmptyRanges = new Dictionary<string, List<EmptyRangeEntry>>(document.EmptyRanges, StringComparer.Ordinal);
        _ranges = document.EmptyRanges.ToDictionary(p => p.Key, p => RangeSet.Of(p.Value.Select(e => new TimeRange(e.Start, e.End))), StringComparer.Ordinal);
        _document = document;
    }
}

/// <summary>Sidecar document.</summary>
internal sealed class SidecarDocument
{
    /// <summary>Format version, 1.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Series text by data file path (relative, forward slashes).</summary>
    public Dictionary<string, string> Files { get; set; } = [];

    /// <summary>Known-empty ranges by series text.</summary>
    public Dictionary<string, List<EmptyRangeEntry>> EmptyRanges { get; set; } = [];
}

/// <summary>One known-empty range: <c>[start, end)</c> ms UTC, with ISO texts for people.</summary>
internal sealed record EmptyRangeEntry(long Start, long End, string? From, string? To);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SidecarDocument))]
internal sealed partial class SidecarJsonContext : JsonSerializerContext;
