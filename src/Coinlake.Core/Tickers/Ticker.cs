using Coinlake.Markets;

namespace Coinlake.Tickers;

/// <summary>
/// A 24-hour ticker snapshot. Prices in the quote currency, <see cref="BaseVolume"/> in the base currency,
/// <see cref="QuoteVolume"/> in the quote currency. Values an exchange does not give are null.
/// </summary>
/// <param name="Symbol">Unified symbol.</param>
/// <param name="Timestamp">When the exchange computed the snapshot (or, if it does not say, when it was received), ms UTC.</param>
/// <param name="Last">Last trade price.</param>
/// <param name="Bid">Best bid price.</param>
/// <param name="Ask">Best ask price.</param>
/// <param name="High">24h high.</param>
/// <param name="Low">24h low.</param>
/// <param name="Open">Price 24h ago (the rolling window's open).</param>
/// <param name="BaseVolume">24h volume in the base currency.</param>
/// <param name="QuoteVolume">24h volume in the quote currency.</param>
/// <param name="Change">Last - Open, quote currency.</param>
/// <param name="ChangePercent">24h change in percent (e.g. 2.5 for +2.5 %).</param>
public sealed record Ticker(
    Symbol Symbol,
    long Timestamp,
    decimal? Last,
    decimal? Bid,
    decimal? Ask,
    decimal? High,
    decimal? Low,
    decimal? Open,
    decimal? BaseVolume,
    decimal? QuoteVolume,
    decimal? Change,
    decimal? ChangePercent);
