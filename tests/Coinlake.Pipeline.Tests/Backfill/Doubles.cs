using System.Runtime.CompilerServices;
using Coinlake.Candles;
using Coinlake.Exchanges;
using Coinlake.Markets;
using Coinlake.Storage;
using Coinlake.Time;

namespace Coinlake.Pipeline.Tests.Backfill;

/// <summary>An exchange that serves a fixed candle list page by page, forward from the requested start.</summary>
internal sealed class ListCandleClient(IReadOnlyList<Candle> candles, int pageSize = 100) : ICandleHistoryClient
{
    public string Exchange => "test";

    public RequestStats Stats { get; } = new();

    public List<TimeRange> PageRequests { get; } = [];

    /// <summary>Throws after this many pages (simulates a failure mid-way).</summary>
    public int? FailAfterPages { get; set; }

    public bool Supports(MarketType type, PriceType price) => true;

    public async IAsyncEnumerable<CandlePage> GetCandlesAsync(CandleRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var cursor = request.Range.Start;
        var pages = 0;
        while (cursor < request.Range.End)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (FailAfterPages is { } limit && pages >= limit)
            {
                throw new ExchangeException("test", "boom: the exchange failed", code: "-1", httpStatus: 500);
            }

            await Task.Yield();
            Stats.OnRequest();
            PageRequests.Add(new TimeRange(cursor, request.Range.End));
            var page = candles.Where(c => c.OpenTime >= cursor && c.OpenTime < request.Range.End).Take(pageSize).ToList();
            pages++;
            if (page.Count < pageSize)
            {
                yield return new CandlePage(page, new TimeRange(cursor, request.Range.End));
                yield break;
            }

            var next = request.Timeframe.Next(page[^1].OpenTime);
            yield return new CandlePage(page, new TimeRange(cursor, next));
            cursor = next;
        }
    }
}

/// <summary>An in-memory sink keyed by series + open time, with known-empty ranges.</summary>
internal sealed class MemorySink : ICandleSink
{
    public SortedDictionary<long, Candle> Rows { get; } = [];

    public RangeSet Empty { get; private set; } = RangeSet.Empty;

    public int Flushes { get; private set; }

    public string Description => "memory";

    public ValueTask<SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken = default)
    {
        var builder = new CoverageBuilder(series.Timeframe);
        foreach (var t in Rows.Keys.Where(range.Contains))
        {
            builder.Add(t);
        }

        return ValueTask.FromResult(new SeriesCoverage(builder.Build(), Empty.Intersect(RangeSet.Of(range))));
    }

    public ValueTask<UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken = default)
    {
        long inserted = 0, updated = 0;
        foreach (var c in candles)
        {
            if (Rows.ContainsKey(c.OpenTime))
            {
                updated++;
            }
            else
            {
                inserted++;
            }

            Rows[c.OpenTime] = c;
        }

        return ValueTask.FromResult(new UpsertResult(inserted, updated));
    }

    public ValueTask MarkEmptyAsync(SeriesKey series, IReadOnlyList<TimeRange> ranges, CancellationToken cancellationToken = default)
    {
        Empty = Empty.Union(RangeSet.Of(ranges));
        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Flushes++;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
