using System.Runtime.CompilerServices;
using Coinlake.Exchanges;
using Coinlake.Markets;
using Coinlake.Pipeline.Trades;
using Coinlake.Storage;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Time.Testing;

namespace Coinlake.Pipeline.Tests.Trades;

public sealed class TradeBackfillRunnerTests
{
    private static readonly TradeSeriesKey Series = new("test", Symbol.Parse("XRP/ETH"), MarketType.Spot);
    private static readonly FakeTimeProvider Clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));

    private static List<Trade> Make(int count) =>
        Enumerable.Range(1, count).Select(i => new Trade(i.ToString(System.Globalization.CultureInfo.InvariantCulture), i * 100L, 1m + i, 2m, TradeSide.Buy)).ToList();

    [Fact]
    public async Task RunAsync_SecondRun_ResumesFromTheNewestStoredTrade()
    {
        var client = new ListTradeClient(Make(50), oldestFirst: true);
        var sink = new MemoryTradeSink();
        var runner = new TradeBackfillRunner(client, [sink], Clock);
        var first = await runner.RunAsync("t", Series, new TimeRange(0, 10_000), refresh: false);
        first.Inserted.ShouldBe(50);

        var second = await runner.RunAsync("t", Series, new TimeRange(0, 10_000), refresh: false);

        client.Requests[^1].Start.ShouldBe(5_000);
        second.Inserted.ShouldBe(0);
        sink.Trades.Count.ShouldBe(50);
    }

    [Fact]
    public async Task RunAsync_BackwardPagingVenue_FetchesTheWholeRangeAgain()
    {
        var client = new ListTradeClient(Make(50), oldestFirst: false);
        var sink = new MemoryTradeSink();
        var runner = new TradeBackfillRunner(client, [sink], Clock);
        await runner.RunAsync("t", Series, new TimeRange(0, 10_000), refresh: false);

        var second = await runner.RunAsync("t", Series, new TimeRange(0, 10_000), refresh: false);

        client.Requests[^1].Start.ShouldBe(0);
        second.Updated.ShouldBe(50);
        sink.Trades.Count.ShouldBe(50);
    }

    private sealed class ListTradeClient(List<Trade> trades, bool oldestFirst) : ITradeHistoryClient
    {
        public List<TimeRange> Requests { get; } = [];

        public string Exchange => "test";

        public RequestStats Stats { get; } = new();

        public bool PagesOldestFirst => oldestFirst;

        public TradeHistoryDepth TradeDepth(MarketType type) => TradeHistoryDepth.Full;

        public async IAsyncEnumerable<TradePage> GetTradesAsync(TradeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            Requests.Add(request.Range);
            yield return new TradePage(trades.Where(t => request.Range.Contains(t.Timestamp)).ToList(), request.Range);
        }
    }

    private sealed class MemoryTradeSink : ITradeSink
    {
        public SortedDictionary<string, Trade> Trades { get; } = new(StringComparer.Ordinal);

        public string Description => "memory";

        public ValueTask<UpsertResult> UpsertTradesAsync(TradeSeriesKey series, IReadOnlyList<Trade> trades, CancellationToken cancellationToken = default)
        {
            long inserted = 0, updated = 0;
            foreach (var t in trades)
            {
                if (Trades.ContainsKey(t.Id))
                {
                    updated++;
                }
                else
                {
                    inserted++;
                }

                Trades[t.Id] = t;
            }

            return ValueTask.FromResult(new UpsertResult(inserted, updated));
        }

        public ValueTask<long?> LastTradeTimeAsync(TradeSeriesKey series, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Trades.Count == 0 ? (long?)null : Trades.Values.Max(t => t.Timestamp));

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
