using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Time;

namespace Coinlake.Storage.Internal;

/// <summary>
/// A relative file path with placeholders, rendered per series (and per month when it has <c>{yyyy}</c>):
/// <c>{exchange}</c> (<c>binance</c>), <c>{symbol}</c>/<c>{SYMBOL}</c> (file-safe <c>BTCUSDT</c>, <c>BTCUSDT_USDT</c>),
/// <c>{base}</c>, <c>{quote}</c>, <c>{settle}</c> (empty for spot), <c>{market_type}</c> (<c>spot</c>),
/// <c>{timeframe}</c>/<c>{TIMEFRAME}</c> (<c>1m</c>; case kept since <c>1M</c> is a month), <c>{price}</c> (<c>last</c>),
/// <c>{yyyy}</c> and <c>{MM}</c> (UTC year and month of the candles' open time).
/// </summary>
internal sealed class PathTemplate
{
    private static readonly string[] CandleNames =
        ["exchange", "symbol", "SYMBOL", "base", "quote", "settle", "market_type", "timeframe", "TIMEFRAME", "price", "yyyy", "MM"];

    private static readonly string[] TradeNames =
        ["exchange", "symbol", "SYMBOL", "base", "quote", "settle", "market_type", "yyyy", "MM"];

    private static readonly string[] TickerNames = ["exchange", "market_type", "yyyy", "MM"];

    private readonly List<(string Literal, string? Name)> _parts = [];

    /// <summary>Parses a candle path <paramref name="template"/>.</summary>
    /// <exception cref="ArgumentException">Unknown placeholder, unbalanced brace, absolute path, <c>..</c>, or <c>{MM}</c> without <c>{yyyy}</c>.</exception>
    public PathTemplate(string template)
        : this(template, PathTemplateKind.Candles)
    {
    }

    /// <summary>
    /// Parses a <paramref name="template"/> for candle, trade or ticker files: trade templates cannot use
    /// <c>{timeframe}</c> or <c>{price}</c>, ticker templates (a file holds every symbol of an exchange and market
    /// type) only <c>{exchange} {market_type} {yyyy} {MM}</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown or unusable placeholder, unbalanced brace, absolute path, <c>..</c>, or <c>{MM}</c> without <c>{yyyy}</c>.</exception>
    public PathTemplate(string template, PathTemplateKind kind)
    {
        Kind = kind;
        var names = kind switch
        {
            PathTemplateKind.Trades => TradeNames,
            PathTemplateKind.Tickers => TickerNames,
            _ => CandleNames,
        };
        if (string.IsNullOrWhiteSpace(template))
        {
            throw new ArgumentException("The path template is empty; use e.g. {exchange}/{symbol}/{timeframe}/{yyyy}-{MM}.parquet.", nameof(template));
        }

        if (Path.IsPathRooted(template) || template.Split('/', '\\').Any(p => p == ".."))
        {
            throw new ArgumentException($"The path template '{template}' must be relative to the output folder and must not contain '..'.", nameof(template));
        }

        Text = template;
        var i = 0;
        var literal = new StringBuilder();
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '{')
            {
                var close = template.IndexOf('}', i + 1);
                if (close < 0)
                {
                    throw new ArgumentException($"The path template '{template}' has a '{{' without a closing '}}' at position {i}.", nameof(template));
                }

                var name = template[(i + 1)..close];
                if (!names.Contains(name, StringComparer.Ordinal))
                {
                    throw new ArgumentException(
                        $"The path template '{template}' has an unknown placeholder {{{name}}}; use {string.Join(" ", names.Select(n => "{" + n + "}"))}.",
                        nameof(template));
                }

                _parts.Add((literal.ToString(), name));
                literal.Clear();
                i = close + 1;
            }
            else if (c == '}')
            {
                throw new ArgumentException($"The path template '{template}' has a '}}' without an opening '{{' at position {i}.", nameof(template));
            }
            else
            {
                literal.Append(c);
                i++;
            }
        }

        if (literal.Length > 0)
        {
            _parts.Add((literal.ToString(), null));
        }

        var used = _parts.Where(p => p.Name is not null).Select(p => p.Name!).ToHashSet(StringComparer.Ordinal);
        IsMonthly = used.Contains("yyyy") || used.Contains("MM");
        if (used.Contains("MM") && !used.Contains("yyyy"))
        {
            throw new ArgumentException($"The path template '{template}' uses {{MM}} without {{yyyy}}: months of different years would share a file; add {{yyyy}}.", nameof(template));
        }
    }

    /// <summary>Which records the template places.</summary>
    public PathTemplateKind Kind { get; }

    /// <summary>The template as given.</summary>
    public string Text { get; }

    /// <summary>True when the template has <c>{yyyy}</c>: one file per series and month.</summary>
    public bool IsMonthly { get; }

    /// <summary>The relative path of the file of <paramref name="series"/> holding the month starting at <paramref name="monthStart"/> (ms UTC).</summary>
    public string Render(SeriesKey series, long monthStart) => Render(PathParts.Of(series), monthStart);

    /// <summary>The relative path of the trade file of <paramref name="series"/> holding the month starting at <paramref name="monthStart"/> (ms UTC).</summary>
    public string Render(TradeSeriesKey series, long monthStart) => Render(PathParts.Of(series), monthStart);

    /// <summary>The relative path of the file of <paramref name="series"/> holding the month starting at <paramref name="monthStart"/> (ms UTC).</summary>
    public string Render(PathParts series, long monthStart)
    {
        var sb = new StringBuilder();
        foreach (var (literal, name) in _parts)
        {
            sb.Append(literal);
            if (name is null)
            {
                continue;
            }

            sb.Append(Render(series, monthStart, name));
        }

        return sb.ToString().Replace('/', Path.DirectorySeparatorChar);
    }

    private static string Render(PathParts series, long monthStart, string name)
    {
        var month = DateTimeOffset.FromUnixTimeMilliseconds(monthStart);
        return name switch
            {
                "exchange" => Safe(series.Exchange),
                "symbol" or "SYMBOL" => Safe(SeriesText.FileSafeSymbol(series.Symbol!)),
                "base" => Safe(series.Symbol!.Base),
                "quote" => Safe(series.Symbol!.Quote),
                "settle" => Safe(series.Symbol!.Settle ?? ""),
                "market_type" => series.MarketType.ToName(),
                "timeframe" or "TIMEFRAME" => series.Timeframe!.Value.ToString(),
                "price" => series.Price!.Value.ToName(),
                "yyyy" => month.Year.ToString("D4", CultureInfo.InvariantCulture),
                _ => month.Month.ToString("D2", CultureInfo.InvariantCulture),
            };
    }

    /// <summary>
    /// A pattern matching the relative paths (forward slashes) of every month file of <paramref name="series"/>;
    /// groups <c>y</c> and <c>m</c> hold the year and month.
    /// </summary>
    public Regex MonthFilesPattern(SeriesKey series) => MonthFilesPattern(PathParts.Of(series));

    /// <summary>A pattern matching the relative paths of every month file of <paramref name="series"/> (see the other overload).</summary>
    public Regex MonthFilesPattern(PathParts series)
    {
        var sb = new StringBuilder("^");
        foreach (var (literal, name) in _parts)
        {
            sb.Append(Regex.Escape(literal.Replace('\\', '/')));
            switch (name)
            {
                case null:
                    break;
                case "yyyy":
                    sb.Append(@"(?<y>\d{4})");
                    break;
                case "MM":
                    sb.Append(@"(?<m>\d{2})");
                    break;
                default:
                    sb.Append(Regex.Escape(Render(series, 0, name)));
                    break;
            }
        }

        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    private static string Safe(string part)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var chars = part.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (Array.IndexOf(invalid, chars[i]) >= 0 || chars[i] is '/' or '\\' or ':')
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    /// <inheritdoc/>
    public override string ToString() => Text;
}

/// <summary>Which records a path template places: what placeholders it may use.</summary>
internal enum PathTemplateKind
{
    /// <summary>Candles: every placeholder.</summary>
    Candles,

    /// <summary>Trades: no <c>{timeframe}</c>, no <c>{price}</c>.</summary>
    Trades,

    /// <summary>Tickers: <c>{exchange} {market_type} {yyyy} {MM}</c>.</summary>
    Tickers,
}

/// <summary>The parts of a series a path template renders; a part a kind of series lacks is null.</summary>
/// <param name="Exchange">Exchange id.</param>
/// <param name="Symbol">Unified symbol (null for ticker files, which hold every symbol).</param>
/// <param name="MarketType">Market type.</param>
/// <param name="Timeframe">Candle timeframe (null for trades and tickers).</param>
/// <param name="Price">Candle price type (null for trades and tickers).</param>
internal readonly record struct PathParts(string Exchange, Symbol? Symbol, MarketType MarketType, Timeframe? Timeframe, PriceType? Price)
{
    /// <summary>The parts of a candle series.</summary>
    public static PathParts Of(SeriesKey series) => new(series.Exchange, series.Symbol, series.MarketType, series.Timeframe, series.Price);

    /// <summary>The parts of a trade series.</summary>
    public static PathParts Of(TradeSeriesKey series) => new(series.Exchange, series.Symbol, series.MarketType, null, null);
}
