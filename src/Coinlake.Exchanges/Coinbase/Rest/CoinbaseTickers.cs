using System.Globalization;
using System.Text;
using System.Text.Json;
using Coinlake.Markets;
using Coinlake.Tickers;

namespace Coinlake.Exchanges.Coinbase;

/// <summary>
/// Builds a 24h <see cref="Ticker"/> from "Get product ticker" (<c>bid</c>, <c>ask</c>, <c>price</c>, <c>time</c>) and
/// "Get product stats" (<c>open</c>, <c>high</c>, <c>low</c>, <c>last</c>, <c>volume</c>; prices in the quote currency,
/// volume in the base currency). Coinbase gives no quote volume (null). Change = last - open; percent = change / open × 100.
/// </summary>
internal static class CoinbaseTickers
{
    /// <summary>Parses a ticker answer.</summary>
    /// <exception cref="MalformedResponseException">Not a ticker object, or a number is not a decimal.</exception>
    public static TickerDto ParseTicker(ReadOnlySpan<byte> json, Uri url, string exchange)
    {
        var dto = Deserialize(json, url, exchange, CoinbaseJsonContext.Default.TickerDto, "ticker");
        _ = Dec(dto.Bid, "bid", url, exchange);
        _ = Dec(dto.Ask, "ask", url, exchange);
        _ = Dec(dto.Price, "price", url, exchange);
        return dto;
    }

    /// <summary>Parses a stats answer.</summary>
    /// <exception cref="MalformedResponseException">Not a stats object.</exception>
    public static StatsDto ParseStats(ReadOnlySpan<byte> json, Uri url, string exchange) =>
        Deserialize(json, url, exchange, CoinbaseJsonContext.Default.StatsDto, "stats");

    /// <summary>Combines both answers; the timestamp is the ticker's <c>time</c>, else <paramref name="receivedMs"/>.</summary>
    /// <exception cref="MalformedResponseException">A value is not a decimal or the time not ISO-8601.</exception>
    public static Ticker Combine(Symbol symbol, TickerDto ticker, StatsDto stats, long receivedMs, Uri url, string exchange)
    {
        var timestamp = receivedMs;
        if (!string.IsNullOrEmpty(ticker.Time))
        {
            if (!CoinbaseJson.TryParseIsoMs(Encoding.UTF8.GetBytes(ticker.Time), out timestamp))
            {
                throw new MalformedResponseException(exchange, url, $"the ticker time '{ticker.Time}' is not an ISO-8601 UTC time");
            }
        }

        var last = Dec(ticker.Price, "price", url, exchange) ?? Dec(stats.Last, "last", url, exchange);
        var open = Dec(stats.Open, "open", url, exchange);
        decimal? change = last is { } l && open is { } o ? l - o : null;
        decimal? percent = change is { } c && open is { } o2 && o2 != 0 ? c / o2 * 100m : null;
        return new Ticker(symbol, timestamp, last, Dec(ticker.Bid, "bid", url, exchange), Dec(ticker.Ask, "ask", url, exchange),
            Dec(stats.High, "high", url, exchange), Dec(stats.Low, "low", url, exchange), open,
            Dec(stats.Volume, "volume", url, exchange) ?? Dec(ticker.Volume, "volume", url, exchange), null, change, percent);
    }

    private static T Deserialize<T>(ReadOnlySpan<byte> json, Uri url, string exchange, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info, string what)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, info)
                ?? throw new MalformedResponseException(exchange, url, $"the {what} answer is null; expected a JSON object");
        }
        catch (JsonException ex)
        {
            throw new MalformedResponseException(exchange, url, $"invalid {what} JSON: {ex.Message}", ex);
        }
    }

    private static decimal? Dec(string? text, string what, Uri url, string exchange)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new MalformedResponseException(exchange, url, $"the {what} '{text}' is not a decimal");
    }
}
