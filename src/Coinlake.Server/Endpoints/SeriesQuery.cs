using System.Globalization;
using Coinlake.Candles;
using Coinlake.Exchanges;
using Coinlake.Markets;
using Coinlake.Text;
using Coinlake.Time;

namespace Coinlake.Server.Endpoints;

/// <summary>Validates the series and time parameters shared by the read endpoints; every message says what to fix.</summary>
internal static class SeriesQuery
{
    /// <summary>The series named by the query; adds a message per bad parameter to <paramref name="errors"/>.</summary>
    public static SeriesKey? Parse(string? exchange, string? symbol, string? timeframe, string? price, string? marketType, Dictionary<string, string[]> errors)
    {
        var exchangeId = Exchange(exchange, errors, required: true);
        Symbol? parsedSymbol = null;
        if (string.IsNullOrWhiteSpace(symbol))
        {
            errors["symbol"] = ["symbol is required: a unified symbol such as BTC/USDT (spot) or BTC/USDT:USDT (linear perpetual)."];
        }
        else if (!Symbol.TryParse(symbol.Trim(), out parsedSymbol))
        {
            errors["symbol"] = [$"'{symbol}' is not a unified symbol; write BASE/QUOTE such as BTC/USDT, or BTC/USDT:USDT for a linear perpetual."];
        }

        Timeframe parsedTimeframe = default;
        if (string.IsNullOrWhiteSpace(timeframe))
        {
            errors["timeframe"] = [$"timeframe is required; one of {string.Join(" ", Timeframe.All)}."];
        }
        else if (!Timeframe.TryParse(timeframe.Trim(), out parsedTimeframe))
        {
            errors["timeframe"] = [$"unknown timeframe '{timeframe}'; use one of {string.Join(" ", Timeframe.All)}."];
        }

        var priceType = PriceType.Last;
        if (!string.IsNullOrWhiteSpace(price) && !MarketNames.TryParsePriceType(price, out priceType))
        {
            errors["price"] = [$"unknown price '{price}'; use last, mark or index."];
        }

        MarketType? explicitType = null;
        if (!string.IsNullOrWhiteSpace(marketType))
        {
            if (MarketNames.TryParseMarketType(marketType, out var type))
            {
                explicitType = type;
            }
            else
            {
                errors["market_type"] = [$"unknown market_type '{marketType}'; use spot, swap or future."];
            }
        }

        if (parsedSymbol is not null && explicitType is { } given && given != parsedSymbol.ImpliedMarketType)
        {
            errors["market_type"] = [$"market_type {given.ToName()} contradicts {parsedSymbol}, a {parsedSymbol.ImpliedMarketType.ToName()} symbol; omit market_type or write the symbol as ccxt does (BTC/USDT:USDT for a swap)."];
        }

        return errors.Count == 0 && exchangeId is not null && parsedSymbol is not null
            ? new SeriesKey(exchangeId, parsedSymbol, explicitType ?? parsedSymbol.ImpliedMarketType, parsedTimeframe, priceType)
            : null;
    }

    /// <summary>A known exchange id (lower case), or null with an error naming the closest one.</summary>
    public static string? Exchange(string? exchange, Dictionary<string, string[]> errors, bool required)
    {
        if (string.IsNullOrWhiteSpace(exchange))
        {
            if (required)
            {
                errors["exchange"] = [$"exchange is required; one of {string.Join(", ", ExchangeRegistry.KnownExchanges)}."];
            }

            return null;
        }

        var id = exchange.Trim().ToLowerInvariant();
        if (ExchangeRegistry.IsKnown(id))
        {
            return id;
        }

        var closest = Fuzzy.Closest(id, ExchangeRegistry.KnownExchanges, 1);
        var hint = closest.Count > 0 ? $" did you mean '{closest[0]}'?" : "";
        errors["exchange"] = [$"unknown exchange '{exchange}';{hint} known exchanges: {string.Join(", ", ExchangeRegistry.KnownExchanges)}."];
        return null;
    }

    /// <summary>A time as ms since the Unix epoch or an ISO-8601 date/time (UTC unless an offset is given).</summary>
    public static long? Time(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms))
        {
            return ms;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
        {
            return date.ToUnixTimeMilliseconds();
        }

        errors[field] = [$"'{text}' is not a time; give ms since the Unix epoch (1677628800000) or an ISO-8601 UTC date/time (2023-03-01, 2023-03-01T12:00:00Z)."];
        return null;
    }
}
