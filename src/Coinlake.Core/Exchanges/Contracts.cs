using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Time;

namespace Coinlake.Exchanges;

/// <summary>A request for historical candles.</summary>
/// <param name="Symbol">Unified symbol.</param>
/// <param name="MarketType">Spot, swap or future: selects the API (e.g. Binance <c>/api/v3</c> or <c>/fapi/v1</c>).</param>
/// <param name="Timeframe">Candle interval.</param>
/// <param name="Price">Last, mark or index price.</param>
/// <param name="Range">Open times wanted, <c>[start, end)</c> in ms UTC.</param>
public sealed record CandleRequest(Symbol Symbol, MarketType MarketType, Timeframe Timeframe, PriceType Price, TimeRange Range);

/// <summary>
/// One page of candles as the exchange returned it, in ascending open-time order without duplicates, with the
/// range the page proves: every candle the exchange has with an open time in <see cref="Covered"/> is in
/// <see cref="Candles"/>, so open times of <see cref="Covered"/> without a candle are known to be empty.
/// </summary>
/// <param name="Candles">Candles, ascending by open time, unique.</param>
/// <param name="Covered">The open-time range this answer is complete for, ms UTC.</param>
public sealed record CandlePage(IReadOnlyList<Candle> Candles, TimeRange Covered);

/// <summary>Counters a connector keeps for the run report.</summary>
public sealed class RequestStats
{
    private long _requests;
    private long _retries;
    private long _rateLimited;

    /// <summary>HTTP requests sent (retries included).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests that were retries of a failed attempt.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Answers that were 429 or 418.</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    /// <summary>Counts one request sent.</summary>
    public void OnRequest() => Interlocked.Increment(ref _requests);

    /// <summary>Counts one retry.</summary>
    public void OnRetry() => Interlocked.Increment(ref _retries);

    /// <summary>Counts one rate-limit answer.</summary>
    public void OnRateLimited() => Interlocked.Increment(ref _rateLimited);
}

/// <summary>An exchange connector's identity.</summary>
public interface IExchangeClient
{
    /// <summary>Lower-case exchange id, e.g. <c>binance</c>.</summary>
    string Exchange { get; }

    /// <summary>Request counters for reports.</summary>
    RequestStats Stats { get; }
}

/// <summary>Lists an exchange's markets and maps unified symbols to exchange ids.</summary>
public interface IMarketCatalog : IExchangeClient
{
    /// <summary>Every market of <paramref name="type"/> the exchange lists.</summary>
    /// <exception cref="ExchangeException">The exchange could not be reached or answered with an error.</exception>
    Task<IReadOnlyList<MarketInfo>> GetMarketsAsync(MarketType type, CancellationToken cancellationToken = default);

    /// <summary>The market of a unified symbol.</summary>
    /// <exception cref="UnknownSymbolException">The exchange does not list it; the closest valid symbols are named.</exception>
    Task<MarketInfo> GetMarketAsync(Symbol symbol, MarketType type, CancellationToken cancellationToken = default);
}

/// <summary>Historical candles over REST, streamed page by page (one page in memory at a time).</summary>
public interface ICandleHistoryClient : IExchangeClient
{
    /// <summary>True when the exchange serves candles of <paramref name="price"/> for <paramref name="type"/>.</summary>
    bool Supports(MarketType type, PriceType price);

    /// <summary>
    /// Pages of candles covering <see cref="CandleRequest.Range"/>, oldest first. Only candles whose open time is in
    /// the range are returned.
    /// </summary>
    /// <exception cref="UnknownSymbolException">The symbol is not listed.</exception>
    /// <exception cref="ExchangeException">A non-transient error, or a transient one that outlived the retries.</exception>
    IAsyncEnumerable<CandlePage> GetCandlesAsync(CandleRequest request, CancellationToken cancellationToken = default);
}
