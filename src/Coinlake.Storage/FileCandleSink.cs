using Coinlake.Candles;
using Coinlake.Storage.Internal;
using Coinlake.Time;

namespace Coinlake.Storage;

/// <summary>
/// Shared behaviour of the file candle sinks (<see cref="Csv.CsvCandleSink"/>, <see cref="Json.JsonCandleSink"/>,
/// <see cref="Parquet.ParquetCandleSink"/>): one file per series (and month, when the path template says so), or the
/// output itself when it ends with the format's extension. Upserts are buffered per file and counted against what
/// is on disk; a flush merges each file with its buffer (new wins on equal open time), sorts it by open time, writes a
/// temporary file in the same folder and renames it over the old one. Known-empty ranges and the series of each file
/// live in a <c>.coinlake</c> sidecar. One writer at a time; dispose flushes.
/// </summary>
public abstract class FileCandleSink : ICandleSink, ICandleReader
{
    private readonly FileCandleStore _store;
    private readonly string _extension;

    private protected FileCandleSink(string output, string? pathTemplate, string defaultTemplate, string extension, string formatName, ICandleFileFormat format, int maxBufferedCandles)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        _extension = extension;
        var single = output.EndsWith(extension, StringComparison.OrdinalIgnoreCase);
        _store = new FileCandleStore(output, single ? null : new PathTemplate(pathTemplate ?? defaultTemplate), format, maxBufferedCandles);
        Description = single ? $"{formatName} {output}" : $"{formatName} {output} ({_store.Template!.Text})";
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Full path of the file that holds (or will hold) the candle of <paramref name="series"/> opening at <paramref name="openTime"/> (ms UTC).</summary>
    public string PathOf(SeriesKey series, long openTime) => _store.PathOf(series, openTime);

    /// <inheritdoc/>
    public ValueTask<SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken = default) =>
        _store.GetCoverageAsync(series, range, cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Candles out of order, or a value the format cannot hold exactly.</exception>
    /// <exception cref="InvalidOperationException">Two series would share one file (add placeholders to the template).</exception>
    public ValueTask<UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken = default) =>
        _store.UpsertAsync(series, candles, cancellationToken);

    /// <inheritdoc/>
    public ValueTask MarkEmptyAsync(SeriesKey series, IReadOnlyList<TimeRange> ranges, CancellationToken cancellationToken = default) =>
        _store.Sidecar.AddEmptyAsync(series, ranges, cancellationToken);

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _store.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Buffered candles are flushed first. The series of each file comes from the sidecar, else from its name.</remarks>
    public async IAsyncEnumerable<SeriesKey> ListSeriesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var reader = new FileSetReader(() => _store.ExistingFiles(_extension), _store.Format, _store.Sidecar, _store.IsSingleFile ? null : _store.Root, null);
        await foreach (var series in reader.ListSeriesAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return series;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Buffered candles are flushed first.</remarks>
    public async IAsyncEnumerable<Candle> ReadAsync(SeriesKey series, TimeRange? range = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var candle in _store.ReadAsync(series, range, cancellationToken).ConfigureAwait(false))
        {
            yield return candle;
        }
    }

    /// <summary>Flushes buffered candles.</summary>
    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return FlushAsync();
    }
}
