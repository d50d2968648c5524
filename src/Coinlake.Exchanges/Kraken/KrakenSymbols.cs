namespace Coinlake.Exchanges.Kraken;

/// <summary>
/// Kraken asset codes to unified (ccxt) currency codes. Kraken names some assets with a legacy one-letter class prefix
/// (<c>X</c> crypto, <c>Z</c> fiat: <c>XXBT</c>, <c>XETH</c>, <c>ZUSD</c>, <c>ZEUR</c>) and uses <c>XBT</c> for
/// bitcoin and <c>XDG</c> for dogecoin ("Market Data / Get Asset Info": <c>altname</c>); the unified codes are
/// <c>BTC</c>, <c>ETH</c>, <c>USD</c>, <c>EUR</c>, <c>DOGE</c>.
/// </summary>
public static class KrakenSymbols
{
    /// <summary>
    /// The unified code of a Kraken asset code or altname: a four-letter code starting with <c>X</c> or <c>Z</c> loses
    /// that prefix (<c>XXBT</c> → <c>XBT</c>, <c>ZUSD</c> → <c>USD</c>), then <c>XBT</c> → <c>BTC</c> and <c>XDG</c> →
    /// <c>DOGE</c>. Other codes are kept, upper-cased (<c>XTZ</c>, <c>ZRX</c>, <c>ETH2.S</c>, <c>USDT</c>).
    /// </summary>
    /// <param name="code">Kraken asset code (<c>base</c>/<c>quote</c> of AssetPairs) or altname (a part of <c>wsname</c>).</param>
    public static string UnifiedCurrency(string code)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        var c = code.Trim().ToUpperInvariant();
        if (c.Length == 4 && c[0] is ('X' or 'Z') && !c.Contains('.', StringComparison.Ordinal))
        {
            c = c[1..];
        }

        return Alias(c);
    }

    /// <summary><c>XBT</c> → <c>BTC</c>, <c>XDG</c> → <c>DOGE</c>; any other altname unchanged (upper-cased).</summary>
    public static string Alias(string altname)
    {
        var c = altname.Trim().ToUpperInvariant();
        return c switch
        {
            "XBT" => "BTC",
            "XDG" => "DOGE",
            _ => c,
        };
    }
}
