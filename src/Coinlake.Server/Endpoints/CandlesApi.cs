using System.Globalization;
using System.Text;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Time;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Coinlake.Server.Endpoints;

/// <summary><c>GET /api/candles</c>: stored candles of one series, paged, as JSON or CSV.</summary>
public static class CandlesApi
{
    private const int DefaultPage = 1000;

    /// <summary>Maps <c>GET /candles</c> on <paramref name="api"/> (the <c>/api</c> group).</summary>
    public static RouteGroupBuilder MapCandlesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/candles", GetAsync)
            .WithName("GetCandles")
            .WithSummary("Stored candles of one series")
            .WithDescription("Query: exchange, symbol (unified, e.g. BTC/USDT), timeframe, price (last|mark|index, default last), market_type (default implied by the symbol), from/to (ms or ISO-8601 UTC; [from, to)), limit (default 1000), cursor (next_cursor of the previous page). JSON by default; CSV with Accept: text/csv or format=csv (next cursor in the X-Next-Cursor header). Field names are the SQLite sink's columns; open_time in ms UTC; prices exact decimals.")
            .Produces<CandlePageDocument>(StatusCodes.Status200OK, "application/json", "text/csv")
            .ProducesValidationProblem();
        return api;
    }

    private static async Task<Results<CandlePageResult, ValidationProblem>> GetAsync(
        HttpRequest request, ServerOptions options, Hosting.CandleReaderSource store,
        string? exchange, string? symbol, string? timeframe, string? price, string? market_type,
        string? from, string? to, int? limit, string? cursor, string? format, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var series = SeriesQuery.Parse(exchange, symbol, timeframe, price, market_type, errors);
        var start = SeriesQuery.Time(from, "from", errors) ?? long.MinValue;
        var end = SeriesQuery.Time(to, "to", errors) ?? long.MaxValue;
        if (cursor is not null)
        {
            if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var next))
            {
                start = Math.Max(start, next);
            }
            else
            {
                errors["cursor"] = ["cursor is the next_cursor value of a previous page (digits); drop it to start from 'from'."];
            }
        }

        if (from is not null && to is not null && end <= start && !errors.ContainsKey("from") && !errors.ContainsKey("to"))
        {
            errors["to"] = ["'to' must be after 'from' (the range is [from, to))."];
        }

        var size = limit ?? DefaultPage;
        if (size < 1 || size > options.MaxCandlePage)
        {
            errors["limit"] = [string.Create(CultureInfo.InvariantCulture, $"limit must be between 1 and {options.MaxCandlePage}, found {size}; page through longer ranges with cursor.")];
        }

        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
            || (format is null && request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase));
        if (format is not null && !csv && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            errors["format"] = [$"unknown format '{format}'; use json (default) or csv."];
        }

        if (errors.Count > 0 || series is null)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid candle query");
        }

        var candles = new List<Candle>(Math.Min(size + 1, 16_384));
        if (store.Open() is { } reader)
        {
            try
            {
                await foreach (var candle in reader.ReadAsync(series, new TimeRange(start, end), cancellationToken).ConfigureAwait(false))
                {
                    candles.Add(candle);
                    if (candles.Count > size)
                    {
                        break;
                    }
                }
            }
            catch (InvalidOperationException)
            {
                // No candle table yet: nothing stored.
            }
        }

        string? nextCursor = null;
        if (candles.Count > size)
        {
            nextCursor = candles[size].OpenTime.ToString(CultureInfo.InvariantCulture);
            candles.RemoveAt(size);
        }

        return new CandlePageResult(series, candles, nextCursor, csv);
    }
}

/// <summary>Writes a candle page straight to the response (Utf8JsonWriter or CSV), without intermediate documents.</summary>
internal sealed class CandlePageResult(SeriesKey series, IReadOnlyList<Candle> candles, string? nextCursor, bool csv) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        if (nextCursor is not null)
        {
            response.Headers["X-Next-Cursor"] = nextCursor;
        }

        if (csv)
        {
            response.ContentType = "text/csv; charset=utf-8";
            var text = new StringBuilder(candles.Count * 96 + 80);
            text.Append("open_time,open,high,low,close,volume,quote_volume,trade_count\n");
            foreach (var c in candles)
            {
                text.Append(CultureInfo.InvariantCulture, $"{c.OpenTime},{c.Open},{c.High},{c.Low},{c.Close},{c.Volume},{c.QuoteVolume},{c.TradeCount}\n");
            }

            await response.WriteAsync(text.ToString(), httpContext.RequestAborted).ConfigureAwait(false);
            return;
        }

        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteString("exchange", series.Exchange);
        writer.WriteString("symbol", series.Symbol.ToString());
        writer.WriteString("market_type", series.MarketType.ToName());
        writer.WriteString("timeframe", series.Timeframe.ToString());
        writer.WriteString("price", series.Price.ToName());
        writer.WriteNumber("count", candles.Count);
        if (nextCursor is null)
        {
            writer.WriteNull("next_cursor");
        }
        else
        {
            writer.WriteString("next_cursor", nextCursor);
        }

        writer.WriteStartArray("candles");
        foreach (var c in candles)
        {
            writer.WriteStartObject();
            writer.WriteNumber("open_time", c.OpenTime);
            writer.WriteNumber("open", c.Open);
            writer.WriteNumber("high", c.High);
            writer.WriteNumber("low", c.Low);
            writer.WriteNumber("close", c.Close);
            writer.WriteNumber("volume", c.Volume);
            if (c.QuoteVolume is { } quote)
            {
                writer.WriteNumber("quote_volume", quote);
            }
            else
            {
                writer.WriteNull("quote_volume");
            }

            if (c.TradeCount is { } trades)
            {
                writer.WriteNumber("trade_count", trades);
            }
            else
            {
                writer.WriteNull("trade_count");
            }

            writer.WriteEndObject();
            if (writer.BytesPending > 32_768)
            {
                await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }
}
