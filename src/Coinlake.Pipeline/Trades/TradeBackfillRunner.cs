using Coinlake.Exchanges;
using Coinlake.Pipeline.Reports;
using Coinlake.Storage;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Pipeline.Trades;

/// <summary>
/// Collects public trade history into trade sinks (keyed by trade id, so re-runs never duplicate). A re-run resumes
/// from the newest stored trade (for venues that page oldest first; others fetch the range again, idempotently);
/// <c>--refresh</c> starts again from the task's start. Exchanges that serve only
/// recent trades (<see cref="TradeHistoryDepth.RecentOnly"/>) give what their window holds, and the report says so.
/// </summary>
public sealed partial class TradeBackfillRunner
{
    private readonly ITradeHistoryClient _client;
    private readonly IReadOnlyList<ITradeSink> _sinks;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a runner writing to <paramref name="sinks"/> (at least one).</summary>
    /// <exception cref="ArgumentException">No sink given.</exception>
    public TradeBackfillRunner(ITradeHistoryClient client, IReadOnlyList<ITradeSink> sinks, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        if (sinks.Count == 0)
        {
            throw new ArgumentException("A trade backfill needs at least one sink.", nameof(sinks));
        }

        _client = client;
        _sinks = sinks;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Collects the trades of <paramref name="series"/> with timestamps in <paramref name="requested"/> (ms UTC; end clamped to now).</summary>
    /// <exception cref="ExchangeException">The exchange failed for good; what was written stays stored.</exception>
    public async Task<TradeSeriesReport> RunAsync(string taskName, TradeSeriesKey series, TimeRange requested, bool refresh, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var end = Math.Min(requested.End, now);
        var start = requested.Start;
        if (!refresh && _client.PagesOldestFirst)
        {
            // Every sink must hold the series to resume; the one that is furthest behind decides.
            long? resume = long.MaxValue;
            foreach (var sink in _sinks)
            {
                var last = await sink.LastTradeTimeAsync(series, cancellationToken).ConfigureAwait(false);
                resume = last is null ? null : Math.Min(resume!.Value, last.Value);
                if (resume is null)
                {
                    break;
                }
            }

            // Resume at the newest stored trade (inclusive: trades sharing its millisecond are upserted again, never lost).
            if (resume is { } r && r > start)
            {
                start = Math.Min(r, end);
            }
        }

        var report = new TradeSeriesReport(series) { Range = new TimeRange(start, end), Depth = _client.TradeDepth(series.MarketType) };
        if (end <= start)
        {
            return report;
        }

        var request = new TradeRequest(series.Symbol, series.MarketType, report.Range);
        await foreach (var page in _client.GetTradesAsync(request, cancellationToken).ConfigureAwait(false))
        {
            var trades = page.Trades.Where(t => report.Range.Contains(t.Timestamp)).ToList();
            report.Fetched += page.Trades.Count;
            if (trades.Count == 0)
            {
                continue;
            }

            for (var i = 0; i < _sinks.Count; i++)
            {
                var result = await _sinks[i].UpsertTradesAsync(series, trades, cancellationToken).ConfigureAwait(false);
                if (i == 0)
                {
                    report.Inserted += result.Inserted;
                    report.Updated += result.Updated;
                }
            }
        }

        foreach (var sink in _sinks)
        {
            await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        LogDone(_logger, taskName, series.ToString(), report.Fetched, report.Inserted, report.Updated);
        return report;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Task}: {Series} trades: fetched {Fetched}, inserted {Inserted}, updated {Updated}")]
    private static partial void LogDone(ILogger logger, string task, string series, long fetched, long inserted, long updated);
}
