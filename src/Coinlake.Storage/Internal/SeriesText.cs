using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Time;

namespace Coinlake.Storage.Internal;

/// <summary>The text form of a series as stored in the series columns (exchange, symbol, market_type, timeframe, price).</summary>
internal readonly record struct SeriesColumns(string Exchange, string Symbol, string MarketType, string Timeframe, string Price)
{
    /// <summary>The columns of <paramref name="series"/>: <c>binance</c>, <c>BTC/USDT</c>, <c>spot</c>, <c>1m</c>, <c>last</c>.</summary>
    public static SeriesColumns Of(SeriesKey series) => new(
        series.Exchange,
        series.Symbol.ToString(),
        series.MarketType.ToName(),
        series.Timeframe.ToString(),
        series.Price.ToName());

    /// <summary>Parses stored series columns back into a key.</summary>
    /// <exception cref="FormatException">A column holds an unknown value; the message names it and <paramref name="where"/>.</exception>
    public SeriesKey ToKey(string where)
    {
        var symbol = Markets.Symbol.TryParse(Symbol, out var s) ? s
            : throw new FormatException($"{where}: symbol '{Symbol}' is not a unified symbol such as BTC/USDT.");
        if (!MarketNames.TryParseMarketType(MarketType, out var marketType))
        {
            throw new FormatException($"{where}: market_type '{MarketType}' is not spot, swap or future.");
        }

        var timeframe = Time.Timeframe.TryParse(Timeframe, out var tf) ? tf
            : throw new FormatException($"{where}: timeframe '{Timeframe}' is not one of {string.Join(" ", Time.Timeframe.All)}.");
        if (!MarketNames.TryParsePriceType(Price, out var price))
        {
            throw new FormatException($"{where}: price '{Price}' is not last, mark or index.");
        }

        return new SeriesKey(Exchange, symbol, marketType, timeframe, price);
    }
}

/// <summary>File-safe renderings of series parts for path templates.</summary>
internal static class SeriesText
{
    /// <summary>
    /// The symbol as a file name part: <c>BASE+QUOTE</c> for spot (<c>BTCUSDT</c>), plus <c>_SETTLE</c> for derivatives
    /// (<c>BTCUSDT_USDT</c>) and <c>-YYMMDD</c> for dated futures (<c>BTCUSDT_USDT-240329</c>).
    /// </summary>
    public static string FileSafeSymbol(Symbol symbol) =>
        symbol.Settle is null ? symbol.Base + symbol.Quote
        : symbol.Expiry is null ? $"{symbol.Base}{symbol.Quote}_{symbol.Settle}"
        : $"{symbol.Base}{symbol.Quote}_{symbol.Settle}-{symbol.Expiry}";

    /// <summary>Start of the UTC calendar month holding <paramref name="time"/> (ms UTC).</summary>
    public static long MonthStart(long time)
    {
        var d = DateTimeOffset.FromUnixTimeMilliseconds(time);
        return new DateTimeOffset(d.Year, d.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    }

    /// <summary>Start of the month after the one starting at <paramref name="monthStart"/> (ms UTC).</summary>
    public static long NextMonth(long monthStart) =>
        DateTimeOffset.FromUnixTimeMilliseconds(monthStart).AddMonths(1).ToUnixTimeMilliseconds();

    /// <summary>Throws when the candles are not in ascending open-time order with unique open times.</summary>
    /// <exception cref="ArgumentException">Two candles are out of order or share an open time.</exception>
    public static void EnsureAscending(SeriesKey series, IReadOnlyList<Candle> candles)
    {
        for (var i = 1; i < candles.Count; i++)
        {
            if (candles[i].OpenTime <= candles[i - 1].OpenTime)
            {
                throw new ArgumentException(
                    $"Candles of {series} must be in ascending open-time order with unique open times: candle {i} opens at {TimeRange.FormatTime(candles[i].OpenTime)} after {TimeRange.FormatTime(candles[i - 1].OpenTime)}. Sort and de-duplicate the batch before writing.",
                    nameof(candles));
            }
        }
    }
}
