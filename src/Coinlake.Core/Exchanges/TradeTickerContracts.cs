using Coinlake.Markets;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges;

/// <summary>A request for public trades.</summary>
/// <param name="Symbol">Unified symbol.</param>
/// <param name="MarketType">Spot, swap or future.</param>
/// <param name="Range">Trade timestamps wanted, <c>[start, end)</c> ms UTC.</param>
public sealed record TradeRequest(Symbol Symbol, MarketType MarketType, TimeRange Range);

/// <summary>One page of trades, ascending by timestamp then id, with the range it is complete for.</summary>
/// <param name="Trades">Trades, ascending, unique ids.</param>
/// <param name="Covered">Timestamps this answer is complete for (no trade of the exchange in it is missing), ms UTC.</param>
public sealed record TradePage(IReadOnlyList<Trade> Trades, TimeRange Covered);

/// <summary>How far back an exchange's public trade API reaches.</summary>
public enum TradeHistoryDepth
{
    /// <summary>Only the most recent trades (e.g. the last 1000): older ranges cannot be fetched.</summary>
    RecentOnly,

    /// <summary>Paged history by time or cursor, back to the listing.</summary>
    Full,
}

/// <summary>Public trades over REST.</summary>
public interface ITradeHistoryClient : IExchangeClient
{
    /// <summary>How far back trades can be fetched for <paramref name="type"/>.</summary>
    TradeHistoryDepth TradeDepth(MarketType type);

    /// <summary>
    /// True (the default) when pages come oldest first, so a collection killed mid-way can resume after the newest
    /// stored trade; false for venues that can only page backwards (OKX history-trades), whose interrupted
    /// collections are fetched again whole (writes are idempotent upserts, so nothing is duplicated).
    /// </summary>
    bool PagesOldestFirst => true;

    /// <summary>Pages of trades in <see cref="TradeRequest.Range"/>, oldest first unless <see cref="PagesOldestFirst"/> is false (for <see cref="TradeHistoryDepth.RecentOnly"/>: what the recent window holds).</summary>
    /// <exception cref="UnknownSymbolException">The symbol is not listed.</exception>
    /// <exception cref="ExchangeException">The exchange failed for good.</exception>
    IAsyncEnumerable<TradePage> GetTradesAsync(TradeRequest request, CancellationToken cancellationToken = default);
}

/// <summary>24h ticker snapshots over REST.</summary>
public interface ITickerClient : IExchangeClient
{
    /// <summary>Tickers of <paramref name="symbols"/> (or of every market of <paramref name="type"/> when null).</summary>
    /// <exception cref="UnknownSymbolException">A symbol is not listed.</exception>
    /// <exception cref="ExchangeException">The exchange failed for good.</exception>
    Task<IReadOnlyList<Ticker>> GetTickersAsync(MarketType type, IReadOnlyList<Symbol>? symbols = null, CancellationToken cancellationToken = default);
}
