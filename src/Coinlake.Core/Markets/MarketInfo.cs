namespace Coinlake.Markets;

/// <summary>One tradable instrument of an exchange, mapping the unified symbol to the exchange's own id.</summary>
/// <param name="Symbol">Unified symbol, e.g. <c>BTC/USDT:USDT</c>.</param>
/// <param name="Id">The exchange's id, e.g. <c>BTCUSDT</c>, <c>BTC-USDT-SWAP</c>.</param>
/// <param name="Type">Spot, swap or future.</param>
/// <param name="Subtype">Linear or inverse for derivatives, none for spot.</param>
/// <param name="Active">False when the exchange lists it but does not trade it (halted, delisted, pre-trading).</param>
public sealed record MarketInfo(Symbol Symbol, string Id, MarketType Type, MarketSubtype Subtype, bool Active);
