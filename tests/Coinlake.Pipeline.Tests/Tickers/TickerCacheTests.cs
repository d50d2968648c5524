using Coinlake.Markets;
using Coinlake.Pipeline.Tickers;

namespace Coinlake.Pipeline.Tests.Tickers;

public sealed class TickerCacheTests
{
    private static Symbol S(int i) => Symbol.Parse($"C{i}/USDT");

    [Fact]
    public void Set_BeyondCapacity_EvictsLeastRecentlyUpdated()
    {
        var cache = new TickerCache(capacity: 3);
        cache.Set(MarketType.Spot, Tick.Of(S(1), 1, 1m));
        cache.Set(MarketType.Spot, Tick.Of(S(2), 2, 2m));
        cache.Set(MarketType.Spot, Tick.Of(S(3), 3, 3m));
        cache.Set(MarketType.Spot, Tick.Of(S(1), 4, 1.5m)); // S1 is now the most recent; S2 the least.
        cache.Set(MarketType.Spot, Tick.Of(S(4), 5, 4m));

        cache.Count.ShouldBe(3);
        cache.Evicted.ShouldBe(1);
        cache.Get(MarketType.Spot, S(2)).ShouldBeNull();
        cache.Get(MarketType.Spot, S(1))!.Last.ShouldBe(1.5m);
        cache.Latest.Select(t => t.Symbol).ShouldBe([S(4), S(1), S(3)]);
    }

    [Fact]
    public void Set_SameSymbolTwoMarkets_KeepsBoth()
    {
        var cache = new TickerCache();
        cache.Set(MarketType.Spot, Tick.Of(S(1), 1, 1m));
        cache.Set(MarketType.Future, Tick.Of(S(1), 1, 2m));

        cache.Count.ShouldBe(2);
        cache.Get(MarketType.Future, S(1))!.Last.ShouldBe(2m);
    }

    [Fact]
    public void TakeChanged_SecondCall_ReturnsOnlyTickersUpdatedInBetween()
    {
        var cache = new TickerCache();
        cache.Set(MarketType.Spot, Tick.Of(S(1), 1, 1m));
        cache.Set(MarketType.Swap, Tick.Of(S(2), 1, 2m));
        cache.TakeChanged().Sum(g => g.Tickers.Count).ShouldBe(2);

        cache.Set(MarketType.Spot, Tick.Of(S(1), 2, 1.1m));
        var changed = cache.TakeChanged();

        changed.Count.ShouldBe(1);
        changed[0].MarketType.ShouldBe(MarketType.Spot);
        changed[0].Tickers.Single().Last.ShouldBe(1.1m);
        cache.TakeChanged().ShouldBeEmpty();
    }

    [Fact]
    public void Constructor_ZeroCapacity_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new TickerCache(0));
    }
}
