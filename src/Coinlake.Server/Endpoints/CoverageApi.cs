using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Time;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Coinlake.Server.Endpoints;

/// <summary><c>GET /api/coverage</c>: the series the candle database holds, their covered ranges and gaps.</summary>
public static class CoverageApi
{
    /// <summary>Maps <c>GET /coverage</c> on <paramref name="api"/> (the <c>/api</c> group).</summary>
    public static RouteGroupBuilder MapCoverageApi(this RouteGroupBuilder api)
    {
        api.MapGet("/coverage", GetAsync)
            .WithName("GetCoverage")
            .WithSummary("Stored series, their ranges and gaps")
            .WithDescription("Optional filters: exchange, symbol, timeframe. Each series lists its first/last open time, covered ranges [start, end) and the gaps between (ms UTC), computed with Coinlake's coverage math.")
            .ProducesValidationProblem();
        return api;
    }

    private static async Task<Results<Ok<CoverageDocument>, ValidationProblem>> GetAsync(
        Hosting.CandleReaderSource store, string? exchange, string? symbol, string? timeframe, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var exchangeId = SeriesQuery.Exchange(exchange, errors, required: false);
        Symbol? wantedSymbol = null;
        if (!string.IsNullOrWhiteSpace(symbol) && !Symbol.TryParse(symbol.Trim(), out wantedSymbol))
        {
            errors["symbol"] = [$"'{symbol}' is not a unified symbol; write BASE/QUOTE such as BTC/USDT."];
        }

        Timeframe? wantedTimeframe = null;
        if (!string.IsNullOrWhiteSpace(timeframe))
        {
            if (Timeframe.TryParse(timeframe.Trim(), out var tf))
            {
                wantedTimeframe = tf;
            }
            else
            {
                errors["timeframe"] = [$"unknown timeframe '{timeframe}'; use one of {string.Join(" ", Timeframe.All)}."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid coverage query");
        }

        var list = new List<SeriesCoverageView>();
        if (store.Open() is { } reader)
        {
            var all = new List<SeriesKey>();
            try
            {
                await foreach (var series in reader.ListSeriesAsync(cancellationToken).ConfigureAwait(false))
                {
                    all.Add(series);
                }
            }
            catch (InvalidOperationException)
            {
                // No candle table yet.
            }

            foreach (var series in all.Where(s => (exchangeId is null || s.Exchange == exchangeId)
                && (wantedSymbol is null || s.Symbol == wantedSymbol) && (wantedTimeframe is null || s.Timeframe == wantedTimeframe)))
            {
                var builder = new CoverageBuilder(series.Timeframe);
                await foreach (var candle in reader.ReadAsync(series, null, cancellationToken).ConfigureAwait(false))
                {
                    builder.Add(candle.OpenTime);
                }

                var covered = builder.Build();
                var gaps = builder.First is { } first && builder.Last is { } last
                    ? CandleCoverage.FindGaps(covered, new TimeRange(first, series.Timeframe.Next(last)), series.Timeframe)
                    : [];
                list.Add(new SeriesCoverageView(series.Exchange, series.Symbol.ToString(), series.MarketType.ToName(), series.Timeframe.ToString(), series.Price.ToName(),
                    builder.Rows, builder.First, builder.Last,
                    covered.Ranges.Select(r => new RangeView(r.Start, r.End)).ToList(),
                    gaps.Select(g => new GapView(g.Range.Start, g.Range.End, g.MissingCandles)).ToList(),
                    gaps.Sum(g => g.MissingCandles)));
            }
        }

        return TypedResults.Ok(new CoverageDocument(store.Description, list));
    }
}
