using System.Runtime.CompilerServices;
using Coinlake.Candles;
using Coinlake.Storage.Parquet;
using Coinlake.Time;

namespace Coinlake.Storage.Internal;

/// <summary>
/// Reads candles from a set of files of one format (a Parquet folder, one CSV or JSON file ...). The series of each
/// file comes from, in order: the Coinlake sidecar, the file's series columns (Parquet), the file name and hints.
/// Files are read one at a time in path order (month files sort by time); files whose time spans overlap are merged.
/// Trade and ticker files (named <c>*_trades.*</c>/<c>*_tickers*</c>, or Parquet files with a <c>trade_id</c> column)
/// are skipped, so candle, trade and ticker sinks can share an output folder.
/// </summary>
internal sealed class FileSetReader(Func<IEnumerable<string>> files, ICandleFileFormat format, Sidecar? sidecar, string? sidecarRoot, ReaderHints? hints) : ICandleReader
{
    private Dictionary<string, IReadOnlyList<SeriesKey>>? _index;

    /// <inheritdoc/>
    public async IAsyncEnumerable<SeriesKey> ListSeriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seen = new HashSet<SeriesKey>();
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
    public async IAsyncEnumerable<Candle> ReadAsync(SeriesKey series, TimeRange? range = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var from = range?.Start ?? long.MinValue;
        var to = range?.End ?? long.MaxValue;
        var pending = new List<Candle>();
        var pendingMax = long.MinValue;
        foreach (var (path, list) in await IndexAsync(cancellationToken))
        {
            if (!list.Contains(series))
            {
                continue;
            }

            var rows = await format.ReadAsync(path, cancellationToken);
            var selected = new List<Candle>();
            for (var k = 0; k < rows.Candles.Count; k++)
            {
                var c = rows.Candles[k];
                if (c.OpenTime >= from && c.OpenTime < to && (rows.RowSeries is null || rows.RowSeries[k] == series))
                {
                    selected.Add(c);
                }
            }

            if (selected.Count == 0)
            {
                continue;
            }

            var min = selected.Min(c => c.OpenTime);
            if (pending.Count > 0 && min > pendingMax)
            {
                foreach (var c in pending.OrderBy(c => c.OpenTime))
                {
                    yield return c;
                }

                pending.Clear();
            }

            pending.AddRange(selected);
            pendingMax = Math.Max(pendingMax, selected.Max(c => c.OpenTime));
        }

        foreach (var c in pending.OrderBy(c => c.OpenTime))
        {
            yield return c;
        }
    }

    private async ValueTask<Dictionary<string, IReadOnlyList<SeriesKey>>> IndexAsync(CancellationToken cancellationToken)
    {
        var known = sidecar is null ? null : await sidecar.GetFilesAsync(cancellationToken);
        var index = new Dictionary<string, IReadOnlyList<SeriesKey>>(StringComparer.Ordinal);
        foreach (var path in files())
        {
            if (_index?.TryGetValue(path, out var cached) == true)
            {
                index[path] = cached;
                continue;
            }

            var relative = sidecarRoot is null ? Path.GetFileName(path) : Path.GetRelativePath(sidecarRoot, path).Replace('\\', '/');
            if (known is not null && known.TryGetValue(relative, out var text))
            {
                index[path] = [Sidecar.ParseSeries(text, sidecar!.Path)];
            }
            else if (FileNameSeries.IsTradeOrTickerName(path)
                || (format is ParquetCandleFormat && await ParquetTradeFormat.IsTradeFileAsync(path, cancellationToken)))
            {
                // A trade or ticker file beside the candles (sinks of several kinds may share a folder).
                index[path] = [];
            }
            else if (format is ParquetCandleFormat && await ParquetCandleFormat.ReadSeriesAsync(path, cancellationToken) is { } fromColumns)
            {
                index[path] = fromColumns;
            }
            else
            {
                index[path] = [FileNameSeries.Infer(path, hints)];
            }
        }

        return _index = index;
    }
}
