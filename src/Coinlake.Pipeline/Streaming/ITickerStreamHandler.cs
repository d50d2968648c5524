using Coinlake.Markets;
using Coinlake.Storage;
using Coinlake.Streaming;
using Coinlake.Tickers;

namespace Coinlake.Pipeline.Streaming;

/// <summary>
/// Receives the ticker updates of a <c>stream: tickers</c> task from the <see cref="MarketStreamWriter"/>, one batch at a time,
/// on the writer's task (never concurrently). The seam for the ticker collector (latest-price cache, live table,
/// snapshots, alerts); <see cref="TickerSinkStreamHandler"/> is the plain default.
/// </summary>
public interface ITickerStreamHandler : IAsyncDisposable
{
    /// <summary>Handles the ticker updates received since the previous call, in arrival order.</summary>
    ValueTask OnTickersAsync(IReadOnlyList<TickerEvent> updates, CancellationToken cancellationToken = default);

    /// <summary>Called once when the stream stops, after the last <see cref="OnTickersAsync"/>: write what is buffered.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Default ticker handling: stores every batch's latest ticker per symbol in the task's ticker sinks (a row per symbol and
/// exchange timestamp, so a repeated update replaces its row).
/// </summary>
public sealed class TickerSinkStreamHandler(string exchange, IReadOnlyList<ITickerSink> sinks) : ITickerStreamHandler
{
    /// <summary>Rows handed to the first sink.</summary>
    public long Rows { get; private set; }

    /// <inheritdoc />
    /// <remarks>Rows are stored under each update's own market type (a capture or task may mix spot, swap and future).</remarks>
    public async ValueTask OnTickersAsync(IReadOnlyList<TickerEvent> updates, CancellationToken cancellationToken = default)
    {
        var latest = new Dictionary<(MarketType Type, Symbol Symbol), Ticker>();
        foreach (var update in updates)
        {
            latest[(update.Subscription.MarketType, update.Ticker.Symbol)] = update.Ticker;
        }

        foreach (var byType in latest.GroupBy(l => l.Key.Type))
        {
            var rows = byType.Select(l => l.Value).ToList();
            foreach (var sink in sinks)
            {
                await sink.UpsertTickersAsync(exchange, byType.Key, rows, cancellationToken).ConfigureAwait(false);
            }

            Rows += rows.Count;
        }
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
