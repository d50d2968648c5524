using System.Diagnostics.CodeAnalysis;

namespace Coinlake.Markets;

/// <summary>
/// A unified market symbol as ccxt writes it: <c>BASE/QUOTE</c> for spot (<c>BTC/USDT</c>),
/// <c>BASE/QUOTE:SETTLE</c> for perpetual swaps (<c>BTC/USDT:USDT</c> linear, <c>BTC/USD:BTC</c> inverse) and
/// <c>BASE/QUOTE:SETTLE-YYMMDD</c> for dated futures. Exchange-native ids (<c>BTCUSDT</c>, <c>BTC-USDT-SWAP</c>)
/// never leave the connectors.
/// </summary>
/// <param name="Base">Base currency code, upper case (e.g. <c>BTC</c>).</param>
/// <param name="Quote">Quote currency code, upper case (e.g. <c>USDT</c>).</param>
/// <param name="Settle">Settlement currency for derivatives; <see langword="null"/> for spot.</param>
/// <param name="Expiry">Expiry as <c>YYMMDD</c> for dated futures; <see langword="null"/> otherwise.</param>
public sealed record Symbol(string Base, string Quote, string? Settle = null, string? Expiry = null)
{
    /// <summary>True when the symbol names a derivative (it has a settlement currency).</summary>
    public bool IsDerivative => Settle is not null;

    /// <summary>The market type this symbol's syntax implies: spot, swap or (with an expiry) future.</summary>
    public MarketType ImpliedMarketType => Settle is null ? MarketType.Spot : Expiry is null ? MarketType.Swap : MarketType.Future;

    /// <summary>Linear when settled in the quote currency, inverse when settled in the base currency.</summary>
    public MarketSubtype ImpliedSubtype =>
        Settle is null ? MarketSubtype.None
        : string.Equals(Settle, Base, StringComparison.Ordinal) ? MarketSubtype.Inverse
        : MarketSubtype.Linear;

    /// <summary>Parses a unified symbol.</summary>
    /// <exception cref="FormatException">The text is not <c>BASE/QUOTE</c>, <c>BASE/QUOTE:SETTLE</c> or <c>BASE/QUOTE:SETTLE-YYMMDD</c>.</exception>
    public static Symbol Parse(string text) =>
        TryParse(text, out var symbol)
            ? symbol
            : throw new FormatException($"'{text}' is not a unified symbol; write it as BASE/QUOTE (BTC/USDT), BASE/QUOTE:SETTLE (BTC/USDT:USDT), BASE/USD:BASE (BTC/USD:BTC) or BASE/QUOTE:SETTLE-YYMMDD (BTC/USDT:USDT-240329).");

    /// <summary>Tries to parse a unified symbol; currency codes are upper-cased.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Symbol? symbol)
    {
        symbol = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        var slash = span.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        var baseCode = span[..slash];
        var rest = span[(slash + 1)..];
        ReadOnlySpan<char> settle = default;
        ReadOnlySpan<char> expiry = default;
        var colon = rest.IndexOf(':');
        var quote = colon < 0 ? rest : rest[..colon];
        if (colon >= 0)
        {
            settle = rest[(colon + 1)..];
            var dash = settle.IndexOf('-');
            if (dash >= 0)
            {
                expiry = settle[(dash + 1)..];
                settle = settle[..dash];
                if (expiry.Length != 6 || !IsDigits(expiry))
                {
                    return false;
                }
            }

            if (!IsCode(settle))
            {
                return false;
            }
        }

        if (!IsCode(baseCode) || !IsCode(quote))
        {
            return false;
        }

        symbol = new Symbol(
            baseCode.ToString().ToUpperInvariant(),
            quote.ToString().ToUpperInvariant(),
            colon >= 0 ? settle.ToString().ToUpperInvariant() : null,
            expiry.IsEmpty ? null : expiry.ToString());
        return true;
    }

    /// <summary>The unified text, e.g. <c>BTC/USDT:USDT</c>.</summary>
    public override string ToString() =>
        Settle is null ? $"{Base}/{Quote}"
        : Expiry is null ? $"{Base}/{Quote}:{Settle}"
        : $"{Base}/{Quote}:{Settle}-{Expiry}";

    private static bool IsCode(ReadOnlySpan<char> code)
    {
        if (code.IsEmpty || code.Length > 32)
        {
            return false;
        }

        foreach (var c in code)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '.' && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
