using Coinlake.Markets;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Storage;

/// <summary>Reads stored trades back, e.g. for <c>coinlake trades-to-ohlcv</c>, audits and reports.</summary>
public interface ITradeReader
{
    /// <summary>Every trade series the store holds.</summary>
    IAsyncEnumerable<TradeSeriesKey> ListTradeSeriesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The stored trades of <paramref name="series"/> with timestamps in <paramref name="range"/> (ms UTC; all when
    /// null), ordered by timestamp, then trade id (numeric ids in numeric order: shorter first, then ordinal), as
    /// <see cref="TradeAggregator"/> orders them.
    /// </summary>
    IAsyncEnumerable<Trade> ReadTradesAsync(TradeSeriesKey series, TimeRange? range = null, CancellationToken cancellationToken = default);
}

/// <summary>Reads stored ticker snapshots back.</summary>
public interface ITickerReader
{
    /// <summary>
    /// The stored snapshots of <paramref name="exchange"/>/<paramref name="marketType"/> with timestamps in
    /// <paramref name="range"/> (ms UTC; all when null), ordered by timestamp, then symbol (ordinal).
    /// </summary>
    IAsyncEnumerable<Ticker> ReadTickersAsync(string exchange, MarketType marketType, TimeRange? range = null, CancellationToken cancellationToken = default);
}
