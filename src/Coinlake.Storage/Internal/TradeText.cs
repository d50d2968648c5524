using Coinlake.Markets;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Storage.Internal;

/// <summary>The stored text of a trade series' columns (exchange, symbol, market_type).</summary>
internal readonly record struct TradeSeriesColumns(string Exchange, string Symbol, string MarketType)
{
    /// <summary>The columns of <paramref name="series"/>: <c>binance</c>, <c>BTC/USDT</c>, <c>spot</c>.</summary>
    public static TradeSeriesColumns Of(TradeSeriesKey series) => new(series.Exchange, series.Symbol.ToString(), series.MarketType.ToName());

    /// <summary>Parses stored series columns back into a key.</summary>
    /// <exception cref="FormatException">A column holds an unknown value; the message names it and <paramref name="where"/>.</exception>
    public TradeSeriesKey ToKey(string where)
    {
        var symbol = Markets.Symbol.TryParse(Symbol, out var s) ? s
            : throw new FormatException($"{where}: symbol '{Symbol}' is not a unified symbol such as BTC/USDT.");
        return MarketNames.TryParseMarketType(MarketType, out var marketType)
            ? new TradeSeriesKey(Exchange, symbol, marketType)
            : throw new FormatException($"{where}: market_type '{MarketType}' is not spot, swap or future.");
    }
}

/// <summary>Trade helpers shared by the trade sinks and readers.</summary>
internal static class TradeText
{
    /// <summary>
    /// The order every trade store reads and writes in: timestamp, then trade id with numeric ids in numeric order
    /// (shorter id first, then ordinal), as <see cref="TradeAggregator"/> orders trades.
    /// </summary>
    public static readonly Comparer<Trade> Order = Comparer<Trade>.Create(static (a, b) =>
    {
        var c = a.Timestamp.CompareTo(b.Timestamp);
        if (c != 0)
        {
            return c;
        }

        c = a.Id.Length.CompareTo(b.Id.Length);
        return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
    });

    /// <summary>Series text of a trade series, e.g. <c>binance BTC/USDT spot</c> (what the trade sidecar records per file).</summary>
    public static string SeriesText(TradeSeriesKey series) => series.ToString();

    /// <summary>Parses a series text written by <see cref="SeriesText"/>.</summary>
    /// <exception cref="FormatException">Not three parts; the message names <paramref name="where"/>.</exception>
    public static TradeSeriesKey ParseSeries(string text, string where)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length != 3
            ? throw new FormatException($"{where}: '{text}' is not a trade series text such as 'binance BTC/USDT spot'.")
            : new TradeSeriesColumns(parts[0], parts[1], parts[2]).ToKey(where);
    }

    /// <summary>Stored text of a side: <c>buy</c>, <c>sell</c>, or null when unknown.</summary>
    public static string? Side(TradeSide side) => side switch
    {
        TradeSide.Buy => "buy",
        TradeSide.Sell => "sell",
        _ => null,
    };

    /// <summary>Parses <c>buy</c>/<c>b</c>, <c>sell</c>/<c>s</c> (any case); null, empty or <c>unknown</c> is <see cref="TradeSide.Unknown"/>.</summary>
    /// <exception cref="FormatException">Anything else; the message names <paramref name="where"/>.</exception>
    public static TradeSide ParseSide(string? text, string where) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "unknown" => TradeSide.Unknown,
        "buy" or "b" => TradeSide.Buy,
        "sell" or "s" => TradeSide.Sell,
        _ => throw new FormatException($"{where}: side '{text}' is not buy or sell."),
    };

    /// <summary>Throws when a trade has an empty id.</summary>
    /// <exception cref="ArgumentException">An id is empty or white space.</exception>
    public static void EnsureIds(TradeSeriesKey series, IReadOnlyList<Trade> trades)
    {
        for (var i = 0; i < trades.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(trades[i].Id))
            {
                throw new ArgumentException(
                    $"Trade {i} of {series} at {TimeRange.FormatTime(trades[i].Timestamp)} has no id; stores key trades by id, so give every trade the exchange's trade id.",
                    nameof(trades));
            }
        }
    }
}
