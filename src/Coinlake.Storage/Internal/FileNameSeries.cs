using System.Text.RegularExpressions;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Time;

namespace Coinlake.Storage.Internal;

/// <summary>
/// Infers the series of a candle file from its name: Coinlake's <c>BTCUSDT_1m.csv</c> and <c>BTCUSDT_USDT_1h.json</c>,
/// freqtrade's <c>UNITTEST_BTC-1m.json</c> and <c>XRP_USDT_USDT-1h-futures.json.gz</c> (freqtrade data layout), and
/// names such as <c>binanceus-BTCUSDT-1m-2023-03-01_2023-03-21.csv</c>. An exchange id is taken from the name or
/// the parent folder (freqtrade keeps <c>user_data/data/binance/</c>). Hints override every part.
/// </summary>
internal static partial class FileNameSeries
{
    private static readonly string[] Quotes =
        ["FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "USDD", "EURI", "DAI", "USD", "EUR", "GBP", "JPY", "TRY", "BRL", "AUD", "BTC", "ETH", "BNB", "XRP", "TRX", "DOGE", "SOL"];

    private static readonly string[] Exchanges =
        ["binance", "binanceus", "binanceusdm", "binancecoinm", "okx", "bybit", "kraken", "krakenfutures", "kucoin", "kucoinfutures", "coinbase", "bitget", "gate", "gateio", "htx", "huobi", "mexc", "bitfinex", "bitstamp", "bitmex", "deribit", "cryptocom"];

    /// <summary>Strips <c>.gz</c> and the data extension: <c>XRP_USDT_USDT-1h-futures.json.gz</c> -> <c>XRP_USDT_USDT-1h-futures</c>.</summary>
    public static string Stem(string path)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^3];
        }

        return Path.GetFileNameWithoutExtension(name);
    }

    /// <summary>The series of the file at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The symbol or timeframe is neither in the name nor in the hints; the message names the hint to pass.</exception>
    public static SeriesKey Infer(string path, ReaderHints? hints)
    {
        var name = Stem(path);
        Timeframe? timeframe = null;
        var prefix = name;
        var suffix = "";
        foreach (Match m in TimeframeToken().Matches(name))
        {
            if (Timeframe.TryParse(m.Groups["tf"].Value, out var tf))
            {
                timeframe = tf;
                prefix = name[..m.Index];
                suffix = name[(m.Index + m.Length)..];
                break;
            }
        }

        string? exchange = null;
        Symbol? symbol = null;
        var segments = prefix.Split('-', StringSplitOptions.RemoveEmptyEntries);
        foreach (var segment in segments)
        {
            if (Exchanges.Contains(segment.ToLowerInvariant(), StringComparer.Ordinal))
            {
                exchange ??= segment.ToLowerInvariant();
            }
        }

        if (segments.Length > 0)
        {
            symbol = ParsePair(segments[^1]);
        }

        var parent = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)) ?? "")?.ToLowerInvariant();
        if (exchange is null && parent is not null && Exchanges.Contains(parent, StringComparer.Ordinal))
        {
            exchange = parent;
        }

        var suffixTokens = suffix.Split(['-', '_'], StringSplitOptions.RemoveEmptyEntries).Select(t => t.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        PriceType? price = suffixTokens.Contains("mark") ? PriceType.Mark : suffixTokens.Contains("index") ? PriceType.Index : null;
        MarketType? marketType = suffixTokens.Contains("futures") || price is not null ? MarketType.Swap : null;

        symbol = hints?.Symbol ?? symbol ?? throw new ArgumentException(
            $"Cannot tell the symbol of {path} from its name; pass ReaderHints.Symbol (e.g. BTC/USDT) or name the file like BTCUSDT_1m.csv.", nameof(path));
        timeframe = hints?.Timeframe ?? timeframe ?? throw new ArgumentException(
            $"Cannot tell the timeframe of {path} from its name; pass ReaderHints.Timeframe (e.g. 1m) or name the file like BTCUSDT_1m.csv.", nameof(path));
        return new SeriesKey(
            hints?.Exchange ?? exchange ?? "unknown",
            symbol,
            hints?.MarketType ?? (symbol.IsDerivative ? symbol.ImpliedMarketType : marketType ?? MarketType.Spot),
            timeframe.Value,
            hints?.Price ?? price ?? PriceType.Last);
    }

    /// <summary>
    /// True when the file name says it holds trades or tickers, not candles: its stem ends with <c>trades</c> or
    /// <c>tickers</c> after <c>_</c> or <c>-</c> (<c>BTCUSDT_trades.csv</c>, freqtrade's <c>XRP_ETH-trades.json.gz</c>,
    /// <c>binance_spot_tickers_2024-01.csv</c> ends with a month, so the word may also be followed by <c>_yyyy-MM</c>).
    /// </summary>
    public static bool IsTradeOrTickerName(string path) => NonCandleName().IsMatch(Stem(path));

    /// <summary>True when the file name says it holds trades (see <see cref="IsTradeOrTickerName"/>).</summary>
    public static bool IsTradeName(string path) => TradeName().IsMatch(Stem(path));

    /// <summary>
    /// The trade series of the file at <paramref name="path"/>: Coinlake's <c>BTCUSDT_trades.csv</c>,
    /// <c>BTCUSDT_USDT_trades.json</c>, freqtrade's <c>XRP_ETH-trades.json.gz</c>, <c>kraken-BCHEUR-trades.csv</c>; the
    /// exchange from the name or the parent folder. Hints override every part.
    /// </summary>
    /// <exception cref="ArgumentException">The symbol is neither in the name nor in the hints; the message names the hint to pass.</exception>
    public static TradeSeriesKey InferTrades(string path, ReaderHints? hints)
    {
        var name = TradeName().Replace(Stem(path), "");
        string? exchange = null;
        Symbol? symbol = null;
        var segments = name.Split('-', StringSplitOptions.RemoveEmptyEntries);
        foreach (var segment in segments)
        {
            if (Exchanges.Contains(segment.ToLowerInvariant(), StringComparer.Ordinal))
            {
                exchange ??= segment.ToLowerInvariant();
            }
        }

        if (segments.Length > 0)
        {
            symbol = ParsePair(segments[^1]);
        }

        var parent = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)) ?? "")?.ToLowerInvariant();
        if (exchange is null && parent is not null && Exchanges.Contains(parent, StringComparer.Ordinal))
        {
            exchange = parent;
        }

        symbol = hints?.Symbol ?? symbol ?? throw new ArgumentException(
            $"Cannot tell the symbol of {path} from its name; pass ReaderHints.Symbol (e.g. BTC/USDT) or name the file like BTCUSDT_trades.csv.", nameof(path));
        return new TradeSeriesKey(
            hints?.Exchange ?? exchange ?? "unknown",
            symbol,
            hints?.MarketType ?? (symbol.IsDerivative ? symbol.ImpliedMarketType : MarketType.Spot));
    }

    /// <summary>Parses <c>BTCUSDT</c>, <c>BTCUSDT_USDT</c>, <c>UNITTEST_BTC</c>, <c>XRP_USDT_USDT</c>; null when unrecognised.</summary>
    public static Symbol? ParsePair(string text)
    {
        var parts = text.ToUpperInvariant().Split('_', StringSplitOptions.RemoveEmptyEntries);
        switch (parts.Length)
        {
            case 1:
                return SplitConcatenated(parts[0]) is { } pair ? new Symbol(pair.Base, pair.Quote) : null;
            case 2:
                var expiry = parts[1].Split('-');
                if (SplitConcatenated(parts[0]) is { } joined && (expiry[0] == joined.Quote || expiry[0] == joined.Base))
                {
                    return Symbol.TryParse($"{joined.Base}/{joined.Quote}:{parts[1]}", out var derivative) ? derivative : null;
                }

                return Symbol.TryParse($"{parts[0]}/{parts[1]}", out var spot) ? spot : null;
            case 3:
                return Symbol.TryParse($"{parts[0]}/{parts[1]}:{parts[2]}", out var swap) ? swap : null;
            default:
                return null;
        }
    }

    private static (string Base, string Quote)? SplitConcatenated(string text)
    {
        foreach (var quote in Quotes.OrderByDescending(q => q.Length))
        {
            if (text.Length > quote.Length && text.EndsWith(quote, StringComparison.Ordinal) && text[..^quote.Length].All(char.IsAsciiLetterOrDigit))
            {
                return (text[..^quote.Length], quote);
            }
        }

        return null;
    }

    [GeneratedRegex(@"(?:^|[-_])trades$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex TradeName();

    [GeneratedRegex(@"(?:^|[-_])(?:trades|tickers)(?:[-_]\d{4}-\d{2})?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NonCandleName();

    [GeneratedRegex(@"(?:^|[-_])(?<tf>\d+[smhdwM])(?=$|[-_])", RegexOptions.CultureInvariant)]
    private static partial Regex TimeframeToken();
}
