using System.Runtime.CompilerServices;
using Coinlake.Storage.Csv;
using Coinlake.Storage.Json;
using Coinlake.Storage.Parquet;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Storage.Internal;

/// <summary>
/// Reads trades from a set of Parquet, CSV and JSON files (also <c>.csv.gz</c>, <c>.json.gz</c>), the format chosen by
/// extension. The series of each file comes from, in order: the trade sidecar, the file's series columns (Parquet),
/// the file name and hints. In a folder, only trade files are read: Parquet files with a <c>trade_id</c> column and
/// CSV/JSON files named <c>*_trades.*</c> or <c>*-trades.*</c> (unless the sidecar lists them), so candle files beside
/// them are skipped; files given explicitly (<c>explicitFiles</c>) are always read. Trades come ordered by timestamp
/// then id; files whose time spans overlap are merged.
/// </summary>
internal sealed class TradeFileSetReader(
    Func<IEnumerable<string>> files, Sidecar? sidecar, string? sidecarRoot, ReaderHints? hints, bool explicitFiles) : ITradeReader
{
    private static readonly ParquetTradeFormat Parquet = new();
    private static readonly CsvTradeFormat Csv = new();
    private static readonly JsonTradeFormat Json = new();

    private Dictionary<string, IReadOnlyList<TradeSeriesKey>>? _index;

    /// <summary>The trade format of <paramref name="path"/> by extension, or null for other files.</summary>
    public static IRecordFileFormat<TradeSeriesKey, string, Trade>? FormatOf(string path)
    {
        var name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        return Path.GetExtension(name).ToLowerInvariant() switch
        {
            ".parquet" => Parquet,
            ".csv" => Csv,
            ".json" => Json,
            _ => null,
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<TradeSeriesKey> ListTradeSeriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seen = new HashSet<TradeSeriesKey>();
        foreach (var list in (await IndexAsync(cancellationToken)).Values)
        {
            foreach (var series in list)
            {
                if (seen.Add(series))
                {
                    yield return series;
                }
            }
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<Trade> ReadTradesAsync(TradeSeriesKey series, TimeRange? range = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var from = range?.Start ?? long.MinValue;
        var to = range?.End ?? long.MaxValue;
        var pending = new List<Trade>();
        var pendingMax = long.MinValue;
        foreach (var (path, list) in await IndexAsync(cancellationToken))
        {
            if (!list.Contains(series))
            {
                continue;
            }

            var rows = await FormatOf(path)!.ReadAsync(path, cancellationToken);
            var selected = new List<Trade>();
            for (var k = 0; k < rows.Records.Count; k++)
            {
                var t = rows.Records[k];
                if (t.Timestamp >= from && t.Timestamp < to && (rows.RowSeries is null || rows.RowSeries[k] == series))
                {
                    selected.Add(t);
                }
            }

            if (selected.Count == 0)
            {
                continue;
            }

            var min = selected.Min(t => t.Timestamp);
            if (pending.Count > 0 && min > pendingMax)
            {
                pending.Sort(TradeText.Order);
                foreach (var t in pending)
                {
                    yield return t;
                }

                pending.Clear();
            }

            pending.AddRange(selected);
            pendingMax = Math.Max(pendingMax, selected.Max(t => t.Timestamp));
        }

        pending.Sort(TradeText.Order);
        foreach (var t in pending)
        {
            yield return t;
        }
    }

    private async ValueTask<Dictionary<string, IReadOnlyList<TradeSeriesKey>>> IndexAsync(CancellationToken cancellationToken)
    {
        var known = sidecar is null ? null : await sidecar.GetFilesAsync(cancellationToken);
        var index = new Dictionary<string, IReadOnlyList<TradeSeriesKey>>(StringComparer.Ordinal);
        foreach (var path in files())
        {
            if (_index?.TryGetValue(path, out var cached) == true)
            {
                index[path] = cached;
                continue;
            }

            var format = FormatOf(path);
            if (format is null)
            {
                continue;
            }

            var relative = sidecarRoot is null ? Path.GetFileName(path) : Path.GetRelativePath(sidecarRoot, path).Replace('\\', '/');
            if (known is not null && known.TryGetValue(relative, out var text))
            {
                index[path] = [TradeText.ParseSeries(text, sidecar!.Path)];
            }
            else if (format is ParquetTradeFormat)
            {
                if (await ParquetTradeFormat.ReadSeriesAsync(path, cancellationToken) is { } fromColumns)
                {
                    index[path] = fromColumns;
                }
                else if (explicitFiles || await ParquetTradeFormat.IsTradeFileAsync(path, cancellationToken))
                {
                    index[path] = [FileNameSeries.InferTrades(path, hints)];
                }
            }
            else if (explicitFiles || FileNameSeries.IsTradeName(path))
            {
                index[path] = [FileNameSeries.InferTrades(path, hints)];
            }
        }

        return _index = index;
    }
}
