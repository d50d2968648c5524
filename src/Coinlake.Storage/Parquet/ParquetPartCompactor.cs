using Coinlake.Candles;
using Coinlake.Trades;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Storage.Parquet;

/// <summary>What <see cref="ParquetPartCompactor.CompactAsync"/> does.</summary>
public sealed record CompactionOptions
{
    /// <summary>Delete each part once its rows are committed to the monthly files (after the final flush). Default false: parts stay, and a re-run changes nothing.</summary>
    public bool DeleteParts { get; init; }

    /// <summary>
    /// Treat temporary parts (<c>.{name}.tmp</c>) as left by a crash: rename readable ones to closed parts and compact them;
    /// unreadable ones are reported and left. Only safe when no stream is writing to the folder. Default false: they are skipped and reported.
    /// </summary>
    public bool RecoverLeftovers { get; init; }

    /// <summary>Only the parts of this task; null = every task's parts in the folder.</summary>
    public string? Task { get; init; }

    /// <summary>Path template of the candle files; null = <see cref="ParquetCandleSink.DefaultPathTemplate"/>.</summary>
    public string? CandlePathTemplate { get; init; }

    /// <summary>Path template of the trade files; null = <see cref="ParquetTradeSink.DefaultPathTemplate"/>.</summary>
    public string? TradePathTemplate { get; init; }
}

/// <summary>The outcome of a compaction.</summary>
/// <param name="Parts">Closed parts read (candles and trades).</param>
/// <param name="CandleRows">Candle rows read from the parts, duplicates included.</param>
/// <param name="TradeRows">Trade rows read from the parts, duplicates included.</param>
/// <param name="Candles">Distinct candles upserted into the monthly files: new, or replacing a stored one.</param>
/// <param name="Trades">Distinct trades upserted into the monthly files.</param>
/// <param name="DeletedParts">Parts deleted (with <see cref="CompactionOptions.DeleteParts"/>).</param>
/// <param name="RecoveredParts">Temporary parts recovered into closed parts (with <see cref="CompactionOptions.RecoverLeftovers"/>).</param>
/// <param name="SkippedTemporary">Temporary parts skipped (open, or left by a crash and not recovered).</param>
/// <param name="UnreadableLeftovers">Temporary parts that could not be read, left in place.</param>
public sealed record CompactionResult(
    int Parts,
    long CandleRows,
    long TradeRows,
    UpsertResult Candles,
    UpsertResult Trades,
    IReadOnlyList<string> DeletedParts,
    IReadOnlyList<string> RecoveredParts,
    IReadOnlyList<string> SkippedTemporary,
    IReadOnlyList<string> UnreadableLeftovers);

/// <summary>
/// Merges the stream part files of a folder (<see cref="PartFiles"/>) into the monthly backfill layout of
/// <see cref="ParquetCandleSink"/> and <see cref="ParquetTradeSink"/> (per series and month) through their
/// de-duplicating upserts. Parts are applied oldest first and, within a part, rows in file order, so the latest version
/// of a candle (or trade id) wins; compacting is idempotent (running it again writes the same rows), and a part is
/// deleted only after the monthly files holding its rows are written (when asked). One compaction at a time per output.
/// </summary>
/// <param name="partsFolder">Folder holding the parts (their names say task, kind and time).</param>
/// <param name="output">Folder of the monthly files; null = <paramref name="partsFolder"/>.</param>
/// <param name="logger">Logger for per-part progress.</param>
public sealed partial class ParquetPartCompactor(string partsFolder, string? output = null, ILogger? logger = null)
{
    private readonly string _folder = Path.GetFullPath(partsFolder);
    private readonly string _output = Path.GetFullPath(output ?? partsFolder);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Compacts the parts.</summary>
    /// <exception cref="DirectoryNotFoundException">The parts folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A closed part cannot be read (nothing is deleted then).</exception>
    /// <exception cref="ArgumentException">An invalid path template.</exception>
    public async Task<CompactionResult> CompactAsync(CompactionOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CompactionOptions();
        if (!Directory.Exists(_folder))
        {
            throw new DirectoryNotFoundException($"the parts folder {_folder} does not exist; give the folder a stream task's parquet sink writes to (its 'output').");
        }

        bool Selected(PartFile p) => options.Task is null || string.Equals(p.Task, options.Task, StringComparison.Ordinal);

        var recovered = new List<string>();
        var skipped = new List<string>();
        var unreadable = new List<string>();
        foreach (var (temp, final) in PartFiles.ListTemporary(_folder))
        {
            if (PartFiles.TryParse(final) is not { } part || !Selected(part))
            {
                continue;
            }

            if (!options.RecoverLeftovers)
            {
                skipped.Add(temp);
            }
            else if (await PartFiles.RecoverAsync(temp, final, cancellationToken).ConfigureAwait(false))
            {
                recovered.Add(final);
            }
            else
            {
                unreadable.Add(temp);
            }
        }

        var parts = PartFiles.List(_folder).Where(Selected).ToList();
        ParquetCandleSink? candleSink = null;
        ParquetTradeSink? tradeSink = null;
        long candleRows = 0, tradeRows = 0;
        UpsertResult candles = default, trades = default;
        try
        {
            foreach (var part in parts)
            {
                if (await ParquetTradeFormat.IsTradeFileAsync(part.Path, cancellationToken).ConfigureAwait(false))
                {
                    tradeSink ??= new ParquetTradeSink(_output, options.TradePathTemplate);
                    var (rows, result) = await CompactTradesAsync(part.Path, tradeSink, cancellationToken).ConfigureAwait(false);
                    tradeRows += rows;
                    trades += result;
                    LogPart(_logger, part.Path, rows, "trade");
                }
                else
                {
                    candleSink ??= new ParquetCandleSink(_output, options.CandlePathTemplate);
                    var (rows, result) = await CompactCandlesAsync(part.Path, candleSink, cancellationToken).ConfigureAwait(false);
                    candleRows += rows;
                    candles += result;
                    LogPart(_logger, part.Path, rows, "candle");
                }
            }

            if (candleSink is not null)
            {
                await candleSink.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            if (tradeSink is not null)
            {
                await tradeSink.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Already flushed on success; on failure the buffered rows are written too (they are valid), parts stay.
            if (candleSink is not null)
            {
                await candleSink.DisposeAsync().ConfigureAwait(false);
            }

            if (tradeSink is not null)
            {
                await tradeSink.DisposeAsync().ConfigureAwait(false);
            }
        }

        var deleted = new List<string>();
        if (options.DeleteParts)
        {
            foreach (var part in parts)
            {
                File.Delete(part.Path);
                deleted.Add(part.Path);
            }
        }

        LogCompacted(_logger, parts.Count, _folder, _output, candles.Inserted + candles.Updated, trades.Inserted + trades.Updated, deleted.Count);
        return new CompactionResult(parts.Count, candleRows, tradeRows, candles, trades, deleted, recovered, skipped, unreadable);
    }

    private static async ValueTask<(long Rows, UpsertResult Result)> CompactCandlesAsync(string path, ParquetCandleSink sink, CancellationToken cancellationToken)
    {
        var rows = await new ParquetCandleFormat().ReadAsync(path, cancellationToken).ConfigureAwait(false);
        if (rows.RowSeries is null)
        {
            throw new InvalidDataException($"{path} has no series columns (exchange, symbol, market_type, timeframe, price); it is not a Coinlake part file.");
        }

        var bySeries = new Dictionary<SeriesKey, Dictionary<long, Candle>>();
        for (var i = 0; i < rows.Candles.Count; i++)
        {
            var series = rows.RowSeries[i];
            if (!bySeries.TryGetValue(series, out var latest))
            {
                bySeries[series] = latest = [];
            }

            latest[rows.Candles[i].OpenTime] = rows.Candles[i];
        }

        UpsertResult result = default;
        foreach (var (series, latest) in bySeries.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal))
        {
            var ordered = latest.Values.OrderBy(c => c.OpenTime).ToList();
            result += await sink.UpsertAsync(series, ordered, cancellationToken).ConfigureAwait(false);
        }

        return (rows.Candles.Count, result);
    }

    private static async ValueTask<(long Rows, UpsertResult Result)> CompactTradesAsync(string path, ParquetTradeSink sink, CancellationToken cancellationToken)
    {
        var rows = await new ParquetTradeFormat().ReadAsync(path, cancellationToken).ConfigureAwait(false);
        if (rows.RowSeries is null)
        {
            throw new InvalidDataException($"{path} has no series columns (exchange, symbol, market_type); it is not a Coinlake part file.");
        }

        var bySeries = new Dictionary<TradeSeriesKey, Dictionary<string, Trade>>();
        for (var i = 0; i < rows.Records.Count; i++)
        {
            var series = rows.RowSeries[i];
            if (!bySeries.TryGetValue(series, out var latest))
            {
                bySeries[series] = latest = new Dictionary<string, Trade>(StringComparer.Ordinal);
            }

            latest[rows.Records[i].Id] = rows.Records[i];
        }

        UpsertResult result = default;
        foreach (var (series, latest) in bySeries.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal))
        {
            result += await sink.UpsertTradesAsync(series, [.. latest.Values], cancellationToken).ConfigureAwait(false);
        }

        return (rows.Records.Count, result);
    }

    [LoggerMessage(EventId = 41, Level = LogLevel.Debug, Message = "Compacted part {Path}: {Rows} {Kind} row(s)")]
    private static partial void LogPart(ILogger logger, string path, long rows, string kind);

    [LoggerMessage(EventId = 42, Level = LogLevel.Information, Message = "Compacted {Parts} part(s) of {Folder} into {Output}: {Candles} candle(s), {Trades} trade(s); {Deleted} part(s) deleted")]
    private static partial void LogCompacted(ILogger logger, int parts, string folder, string output, long candles, long trades, int deleted);
}
