using Coinlake.Markets;

namespace Coinlake.Exchanges.Okx.Socket;

/// <summary>
/// OKX instrument ids without the instrument list ("Public Data / Get instruments" naming): spot <c>BTC-USDT</c>,
/// swaps <c>BTC-USDT-SWAP</c> (linear, settled in the quote) and <c>BTC-USD-SWAP</c> (inverse, settled in the base),
/// futures <c>BTC-USD-220527</c>, and the index / instrument family of a derivative (<c>BTC-USD</c>). Used where the
/// market list does not hold an id (replays of old captures, delisted futures).
/// </summary>
internal static class OkxStreamIds
{
    /// <summary>The market type an id's shape implies: two parts spot, <c>-SWAP</c> swap, a 6-digit date suffix future; else null (options, indexes of 3+ parts).</summary>
    public static MarketType? TypeOf(ReadOnlySpan<char> instId)
    {
        var parts = 1 + instId.Count('-');
        if (parts == 2)
        {
            return MarketType.Spot;
        }

        if (parts != 3)
        {
            return null;
        }

        var suffix = instId[(instId.LastIndexOf('-') + 1)..];
        if (suffix.SequenceEqual("SWAP"))
        {
            return MarketType.Swap;
        }

        return suffix.Length == 6 && !suffix.ContainsAnyExceptInRange('0', '9') ? MarketType.Future : null;
    }

    /// <summary>
    /// The unified symbol of <paramref name="instId"/> in <paramref name="type"/> markets, or null when the id does not
    /// have the type's shape. Derivatives quoted in USD are inverse (settled in the base, OKX's coin-margined
    /// contracts); others are linear (settled in the quote), as OKX lists them.
    /// </summary>
    public static Symbol? Parse(string instId, MarketType type)
    {
        ArgumentNullException.ThrowIfNull(instId);
        if (TypeOf(instId) != type)
        {
            return null;
        }

        var parts = instId.Split('-');
        var (b, q) = (parts[0], parts[1]);
        var settle = string.Equals(q, "USD", StringComparison.Ordinal) ? b : q;
        var text = type switch
        {
            MarketType.Spot => $"{b}/{q}",
            MarketType.Swap => $"{b}/{q}:{settle}",
            _ => $"{b}/{q}:{settle}-{parts[2]}",
        };
        return Symbol.TryParse(text, out var symbol) ? symbol : null;
    }

    /// <summary>The OKX id of <paramref name="symbol"/> in <paramref name="type"/> markets as OKX forms it (the inverse of <see cref="Parse"/>).</summary>
    public static string Format(Symbol symbol, MarketType type)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return type switch
        {
            MarketType.Spot => $"{symbol.Base}-{symbol.Quote}",
            MarketType.Swap => $"{symbol.Base}-{symbol.Quote}-SWAP",
            _ => $"{symbol.Base}-{symbol.Quote}-{symbol.Expiry}",
        };
    }

    /// <summary>The index id of a market's index candles: the instrument family (<c>BTC-USD</c> for <c>BTC/USD:BTC</c> and its futures).</summary>
    public static string IndexOf(Symbol symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return $"{symbol.Base}-{symbol.Quote}";
    }
}
