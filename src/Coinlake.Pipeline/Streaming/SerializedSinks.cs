using Coinlake.Candles;
using Coinlake.Storage;
using Coinlake.Time;

namespace Coinlake.Pipeline.Streaming;

/// <summary>
/// Lets the live writer and the background healer share a sink that is "usable from one writer at a time": every call
/// waits for the previous one to finish. Disposing the wrapper does not dispose the sink (its owner does).
/// </summary>
internal sealed class SerializedCandleSink(ICandleSink inner) : ICandleSink
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string Description => inner.Description;

    public async ValueTask<SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await inner.GetCoverageAsync(series, range, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await inner.UpsertAsync(series, candles, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask MarkEmptyAsync(SeriesKey series, IReadOnlyList<TimeRange> ranges, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await inner.MarkEmptyAsync(series, ranges, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The trade-sink counterpart of <see cref="SerializedCandleSink"/>.</summary>
internal sealed class SerializedTradeSink(ITradeSink inner) : ITradeSink
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string Description => inner.Description;

    public async ValueTask<UpsertResult> UpsertTradesAsync(TradeSeriesKey series, IReadOnlyList<Coinlake.Trades.Trade> trades, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await inner.UpsertTradesAsync(series, trades, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<long?> LastTradeTimeAsync(TradeSeriesKey series, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await inner.LastTradeTimeAsync(series, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
