using Coinlake.Storage.Internal;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Storage;

/// <summary>
/// Shared behaviour of the file trade sinks (<see cref="Csv.CsvTradeSink"/>, <see cref="Json.JsonTradeSink"/>,
/// <see cref="Parquet.ParquetTradeSink"/>): one file per trade series (and month, when the template says so), or the
/// output itself when it ends with the format's extension; buffered upserts merged and de-duplicated by trade id on
/// flush and written atomically (temporary file + rename); the series of each file in a <c>.coinlake</c> trade sidecar.
/// One writer at a time; dispose flushes.
/// </summary>
public abstract class FileTradeSink : ITradeSink, ITradeReader
{
    private readonly FileTradeStore _store;

    private protected FileTradeSink(string output, string? pathTemplate, string defaultTemplate, string extension, string formatName, IRecordFileFormat<TradeSeriesKey, string, Trade> format, int maxBufferedTrades)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        var single = output.EndsWith(extension, StringComparison.OrdinalIgnoreCase);
        _store = new FileTradeStore(
            output,
            single ? null : new PathTemplate(pathTemplate ?? defaultTemplate, PathTemplateKind.Trades),
            format,
            extension,
            maxBufferedTrades);
        Description = single ? $"{formatName} {output} (trades)" : $"{formatName} {output} ({_store.Template!.Text})";
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Full path of the file that holds (or will hold) a trade of <paramref name="series"/> at <paramref name="timestamp"/> (ms UTC).</summary>
    public string PathOf(TradeSeriesKey series, long timestamp) => _store.PathOf(series, timestamp);

    /// <inheritdoc/>
    /// <remarks>The batch may be in any order; an id repeated within it is kept once (the last wins) and counted as updated.</remarks>
    /// <exception cref="ArgumentException">A trade without id, or a value the format cannot hold exactly.</exception>
    /// <exception cref="InvalidOperationException">The path template sends two series to one file.</exception>
    public ValueTask<UpsertResult> UpsertTradesAsync(TradeSeriesKey series, IReadOnlyList<Trade> trades, CancellationToken cancellationToken = default) =>
        _store.UpsertAsync(series, trades, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Buffered trades are flushed first.</remarks>
    public ValueTask<long?> LastTradeTimeAsync(TradeSeriesKey series, CancellationToken cancellationToken = default) =>
        _store.LastTradeTimeAsync(series, cancellationToken);

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _store.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Buffered trades are flushed first.</remarks>
    public IAsyncEnumerable<TradeSeriesKey> ListTradeSeriesAsync(CancellationToken cancellationToken = default) => _store.ListSeriesAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Buffered trades are flushed first; the series of each file comes from the trade sidecar, else from its name.</remarks>
    public IAsyncEnumerable<Trade> ReadTradesAsync(TradeSeriesKey series, TimeRange? range = null, CancellationToken cancellationToken = default) =>
        _store.ReadAsync(series, range, cancellationToken);

    /// <summary>Flushes buffered trades.</summary>
    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return FlushAsync();
    }
}
