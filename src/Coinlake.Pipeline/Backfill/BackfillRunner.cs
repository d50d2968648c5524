using System.Threading.Channels;
using Coinlake.Candles;
using Coinlake.Exchanges;
using Coinlake.Pipeline.Reports;
using Coinlake.Storage;
using Coinlake.Time;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Pipeline.Backfill;

/// <summary>Settings of a backfill.</summary>
public sealed class BackfillOptions
{
    /// <summary>Fetch the whole range again, ignoring what is stored and known empty (<c>--refresh</c>).</summary>
    public bool Refresh { get; set; }

    /// <summary>Pages buffered between the exchange reader and the writer (back-pressure; never unbounded). Default 4.</summary>
    public int PageBuffer { get; set; } = 4;
}

/// <summary>
/// Backfills candle series from an exchange into one or more sinks: plans what is missing from the sinks'
/// coverage, streams the exchange's pages through a bounded channel to a single writer that validates,
/// de-duplicates, upserts into every sink and records the ranges the exchange proved empty. Killing the process at
/// any moment and running again ends complete and duplicate-free: every write is an idempotent upsert and
/// coverage is read back from the sinks themselves.
/// </summary>
public sealed partial class BackfillRunner
{
    private readonly ICandleHistoryClient _client;
    private readonly IReadOnlyList<ICandleSink> _sinks;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a runner writing to <paramref name="sinks"/> (at least one).</summary>
    /// <exception cref="ArgumentException">No sink given.</exception>
    public BackfillRunner(ICandleHistoryClient client, IReadOnlyList<ICandleSink> sinks, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        if (sinks.Count == 0)
        {
            throw new ArgumentException("A backfill needs at least one sink.", nameof(sinks));
        }

        _client = client;
        _sinks = sinks;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Backfills <paramref name="series"/> over <paramref name="requested"/> (ms UTC; the end is clamped to the last
    /// closed candle) and returns what happened. Progress is reported after every page.
    /// </summary>
    /// <exception cref="ExchangeException">The exchange failed for good (non-transient error, or retries exhausted).
    /// Everything written before the failure stays stored.</exception>
    public async Task<SeriesReport> RunAsync(
        string taskName,
        SeriesKey series,
        TimeRange requested,
        BackfillOptions options,
        IProgress<BackfillProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var timeframe = series.Timeframe;
        var range = BackfillPlanner.ClosedRange(requested, timeframe, _time.GetUtcNow().ToUnixTimeMilliseconds());
        var report = new SeriesReport(series) { Range = range };
        if (range.IsEmpty)
        {
            return report;
        }

        var coverages = await ReadCoveragesAsync(series, range, cancellationToken).ConfigureAwait(false);
        var missing = BackfillPlanner.Missing(range, coverages, options.Refresh);
        var expected = missing.Ranges.Sum(timeframe.CountIn);
        report.MissingBefore = expected;
        LogPlan(_logger, taskName, series.ToString(), expected, missing.Ranges.Count);

        long done = 0;
        progress?.Report(new BackfillProgress(taskName, series, done, expected, 0));
        foreach (var gap in missing.Ranges)
        {
            var request = new CandleRequest(series.Symbol, series.MarketType, timeframe, series.Price, gap);
            var channel = Channel.CreateBounded<CandlePage>(new BoundedChannelOptions(Math.Max(1, options.PageBuffer))
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleReader = true,
                SingleWriter = true,
            });

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var producer = ProduceAsync(request, channel.Writer, linked.Token);
            try
            {
                var lastWritten = long.MinValue;
                await foreach (var page in channel.Reader.ReadAllAsync(linked.Token).ConfigureAwait(false))
                {
                    var candles = Clean(page.Candles, series, gap, ref lastWritten, report);
                    report.Fetched += page.Candles.Count;
                    if (candles.Count > 0)
                    {
                        for (var i = 0; i < _sinks.Count; i++)
                        {
                            var result = await _sinks[i].UpsertAsync(series, candles, linked.Token).ConfigureAwait(false);
                            if (i == 0)
                            {
                                report.Inserted += result.Inserted;
                                report.Updated += result.Updated;
                            }
                        }
                    }

                    var empty = BackfillPlanner.EmptyRanges(page.Covered.Intersect(gap), page.Candles, timeframe);
                    if (empty.Count > 0)
                    {
                        foreach (var sink in _sinks)
                        {
                            await sink.MarkEmptyAsync(series, empty, linked.Token).ConfigureAwait(false);
                        }

                        report.EmptyCandles += empty.Sum(timeframe.CountIn);
                    }

                    done += timeframe.CountIn(page.Covered.Intersect(gap));
                    progress?.Report(new BackfillProgress(taskName, series, Math.Min(done, expected), expected, report.Fetched));
                }
            }
            catch
            {
                await linked.CancelAsync().ConfigureAwait(false);
                throw;
            }
            finally
            {
                // Surfaces the producer's exception (the channel completes with it) and never leaves it running.
                await producer.ConfigureAwait(false);
            }
        }

        foreach (var sink in _sinks)
        {
            await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        var after = await ReadCoveragesAsync(series, range, cancellationToken).ConfigureAwait(false);
        var complete = after.Select(c => c.Complete).Aggregate((a, b) => a.Intersect(b));
        report.RemainingGaps = CandleCoverage.FindGaps(complete, range, timeframe);
        report.KnownEmpty = after[0].KnownEmpty.Intersect(RangeSet.Of(range)).Ranges.Sum(timeframe.CountIn);
        LogSeriesDone(_logger, taskName, series.ToString(), report.Fetched, report.Inserted, report.Updated, report.RemainingGaps.Count);
        return report;
    }

    private async Task<IReadOnlyList<SeriesCoverage>> ReadCoveragesAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken)
    {
        var coverages = new SeriesCoverage[_sinks.Count];
        for (var i = 0; i < _sinks.Count; i++)
        {
            coverages[i] = await _sinks[i].GetCoverageAsync(series, range, cancellationToken).ConfigureAwait(false);
        }

        return coverages;
    }

    private async Task ProduceAsync(CandleRequest request, ChannelWriter<CandlePage> writer, CancellationToken cancellationToken)
    {
        Exception? error = null;
        try
        {
            await foreach (var page in _client.GetCandlesAsync(request, cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteAsync(page, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            writer.TryComplete(error);
        }
    }

    /// <summary>Drops candles outside the gap, already written in this pass, or invalid; keeps ascending order.</summary>
    private List<Candle> Clean(IReadOnlyList<Candle> page, SeriesKey series, TimeRange gap, ref long lastWritten, SeriesReport report)
    {
        var kept = new List<Candle>(page.Count);
        foreach (var candle in page)
        {
            if (!gap.Contains(candle.OpenTime) || candle.OpenTime <= lastWritten)
            {
                continue;
            }

            var problems = CandleValidator.Validate(candle, series.Timeframe);
            if (problems != CandleProblems.None)
            {
                report.Invalid++;
                LogInvalidCandle(_logger, series.ToString(), TimeRange.FormatTime(candle.OpenTime), problems.ToString());
                continue;
            }

            kept.Add(candle);
            lastWritten = candle.OpenTime;
        }

        return kept;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Task}: {Series}: {Missing} candles missing in {Ranges} range(s)")]
    private static partial void LogPlan(ILogger logger, string task, string series, long missing, int ranges);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Task}: {Series}: fetched {Fetched}, inserted {Inserted}, updated {Updated}, {Gaps} gap(s) remain")]
    private static partial void LogSeriesDone(ILogger logger, string task, string series, long fetched, long inserted, long updated, int gaps);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Series}: candle at {OpenTime} rejected ({Problems}); it is not stored")]
    private static partial void LogInvalidCandle(ILogger logger, string series, string openTime, string problems);
}
