using Coinlake.Markets;
using Coinlake.Storage;
using Coinlake.Tickers;

namespace Coinlake.Pipeline.Tickers;

/// <summary>Writing one snapshot of tickers to every ticker sink: shared by <see cref="TickerCollector"/> (REST) and <see cref="TickerStreamCollector"/>.</summary>
internal static class TickerSnapshots
{
    /// <summary>Upserts <paramref name="tickers"/> of <paramref name="exchange"/>/<paramref name="marketType"/> into each sink in turn.</summary>
    /// <returns>The number of rows of the snapshot (not multiplied by the sink count).</returns>
    public static async ValueTask<int> WriteAsync(IReadOnlyList<ITickerSink> sinks, string exchange, MarketType marketType, IReadOnlyList<Ticker> tickers, CancellationToken cancellationToken)
    {
        if (tickers.Count == 0)
        {
            return 0;
        }

        foreach (var sink in sinks)
        {
            await sink.UpsertTickersAsync(exchange, marketType, tickers, cancellationToken).ConfigureAwait(false);
        }

        return tickers.Count;
    }
}
