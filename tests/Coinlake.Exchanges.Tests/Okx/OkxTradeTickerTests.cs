using System.Text.Json;
using Coinlake.Exchanges.Okx;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Okx;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Okx;

/// <summary>Trades and tickers through <see cref="OkxClient"/> against <see cref="FakeOkxServer"/> serving real data.</summary>
public sealed class OkxTradeTickerTests : IAsyncLifetime
{
    private const long Day = 86_400_000;

    private static readonly IReadOnlyList<Trade> Xrp = Coinlake.Testing.TradeData.FreqtradeXrpEth();
    private static readonly TimeRange AllXrp = new(Xrp[0].Timestamp, Xrp[^1].Timestamp + 1);

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ShiftedClock _clock = ShiftedClock.At(Xrp[^1].Timestamp + Day);
    private FakeOkxServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOkxServer.StartAsync(new FakeOkxOptions { TimeProvider = _clock });
        _server.AddTrades("XRP-ETH", Xrp);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private OkxClient Client() => OkxClient.Create("okx", _http, _server.BaseUrl,
        new OkxOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(50), MaxRetryDelay = TimeSpan.FromSeconds(2), RequestTimeout = TimeSpan.FromMinutes(10) },
        _clock);

    private static async Task<List<TradePage>> AllPages(OkxClient client, TradeRequest request)
    {
        var pages = new List<TradePage>();
        await foreach (var page in client.GetTradesAsync(request))
        {
            pages.Add(page);
        }

        return pages;
    }

    private static void ShouldTileDownwards(List<TradePage> pages, TimeRange range)
    {
        pages[0].Covered.End.ShouldBe(range.End);
        for (var i = 1; i < pages.Count; i++)
        {
            pages[i].Covered.End.ShouldBe(pages[i - 1].Covered.Start);
        }

        pages[^1].Covered.Start.ShouldBe(range.Start);
        foreach (var page in pages)
        {
            page.Trades.ShouldBe(page.Trades.OrderBy(t => t.Timestamp).ThenBy(t => long.Parse(t.Id, System.Globalization.CultureInfo.InvariantCulture)).ToList());
        }
    }

    private static List<Trade> Ascending(IEnumerable<TradePage> pages) =>
        [.. pages.SelectMany(p => p.Trades).OrderBy(t => t.Timestamp).ThenBy(t => long.Parse(t.Id, System.Globalization.CultureInfo.InvariantCulture))];

    [Fact]
    public async Task GetTradesAsync_FullRange_EqualsSourceExactly()
    {
        using var client = Client();

        var pages = await AllPages(client, new TradeRequest(Symbol.Parse("XRP/ETH"), MarketType.Spot, AllXrp));

        var trades = Ascending(pages);
        trades.ShouldBe(Xrp);
        trades.Select(t => t.Id).Distinct().Count().ShouldBe(12_477);
        ShouldTileDownwards(pages, AllXrp);
        var requests = _server.Requests.Where(r => r.Path == "/api/v5/market/history-trades").ToList();
        requests.Count.ShouldBe(125); // 12,477 trades, 100 a page
        requests[0].Query.ShouldContain("type=2");
        requests.Skip(1).ShouldAllBe(r => r.Query.Contains("type=1", StringComparison.Ordinal) && r.Status == 200);
        client.TradeDepth(MarketType.Spot).ShouldBe(TradeHistoryDepth.Full);
    }

    [Fact]
    public async Task GetTradesAsync_InnerRangeWithBoundaryRepeats_CompleteAndDuplicateFree()
    {
        using var client = Client();
        _server.Faults.Enqueue(OkxFault.BoundaryRepeat, 20);
        var range = new TimeRange(Xrp[1000].Timestamp, Xrp[5000].Timestamp);

        var pages = await AllPages(client, new TradeRequest(Symbol.Parse("XRP/ETH"), MarketType.Spot, range));

        Ascending(pages).ShouldBe(Xrp.Where(t => range.Contains(t.Timestamp)));
        pages.SelectMany(p => p.Trades).Select(t => t.Id).ShouldBeUnique();
        ShouldTileDownwards(pages, range);
    }

    [Fact]
    public async Task GetTradesAsync_KrakenTradesOnAddedInstrument_EqualSource()
    {
        var bch = Coinlake.Testing.TradeData.KrakenBchEur();
        _server.AddTrades("BCH-EUR", bch);
        _server.Options.TimeProvider = ShiftedClock.At(bch[^1].Timestamp + Day);
        using var client = OkxClient.Create("okx", _http, _server.BaseUrl, timeProvider: _server.Options.TimeProvider);
        var range = new TimeRange(bch[0].Timestamp, bch[^1].Timestamp + 1);

        var pages = new List<TradePage>();
        await foreach (var page in client.GetTradesAsync(new TradeRequest(Symbol.Parse("BCH/EUR"), MarketType.Spot, range)))
        {
            pages.Add(page);
        }

        Ascending(pages).Select(t => (t.Id, t.Timestamp, t.Price, t.Amount)).ShouldBe(bch.Select(t => (t.Id, t.Timestamp, t.Price, t.Amount)));
    }

    [Fact]
    public async Task GetTradesAsync_RangeBeyondTheThreeMonthReach_IsNotClaimedEmpty()
    {
        _server.Options.TimeProvider = ShiftedClock.At(Xrp[^1].Timestamp + (200 * Day));
        using var client = OkxClient.Create("okx", _http, _server.BaseUrl, timeProvider: _server.Options.TimeProvider);

        var pages = await AllPages(client, new TradeRequest(Symbol.Parse("XRP/ETH"), MarketType.Spot, AllXrp));

        pages.SelectMany(p => p.Trades).ShouldBeEmpty();
        pages.ShouldAllBe(p => p.Covered.IsEmpty);
    }

    [Fact]
    public async Task GetRecentTradesAsync_Default_LatestFiveHundredAscending()
    {
        using var client = Client();

        var trades = await client.GetRecentTradesAsync(Symbol.Parse("XRP/ETH"), MarketType.Spot);

        trades.ShouldBe(Xrp.TakeLast(500));
        _server.CountRequests("/api/v5/market/trades").ShouldBe(1);
    }

    [Fact]
    public async Task GetTickersAsync_AllSpot_ParsesTheRecordedTicker()
    {
        using var client = Client();
        var recorded = RecordedTicker("BTC-USDT");

        var tickers = await client.GetTickersAsync(MarketType.Spot);

        var t = tickers.ShouldHaveSingleItem(); // the capture recorded one spot ticker
        t.Symbol.ShouldBe(Symbol.Parse("BTC/USDT"));
        t.Last.ShouldBe(Dec(recorded, "last"));
        t.Bid.ShouldBe(Dec(recorded, "bidPx"));
        t.Ask.ShouldBe(Dec(recorded, "askPx"));
        t.High.ShouldBe(Dec(recorded, "high24h"));
        t.Low.ShouldBe(Dec(recorded, "low24h"));
        t.Open.ShouldBe(Dec(recorded, "open24h"));
        t.BaseVolume.ShouldBe(Dec(recorded, "vol24h"));
        t.QuoteVolume.ShouldBe(Dec(recorded, "volCcy24h"));
        var change = Dec(recorded, "last") - Dec(recorded, "open24h");
        t.Change.ShouldBe(change);
        t.ChangePercent.ShouldBe(decimal.Round(change / Dec(recorded, "open24h") * 100, 8, MidpointRounding.AwayFromZero));
        t.Timestamp.ShouldBe(long.Parse(recorded.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        _server.CountRequests("/api/v5/market/tickers").ShouldBe(1);
    }

    [Fact]
    public async Task GetTickersAsync_OneSwap_UsesTickerEndpointAndBaseVolumeFromVolCcy()
    {
        using var client = Client();
        var recorded = RecordedTicker("UNI-USD-SWAP");

        var tickers = await client.GetTickersAsync(MarketType.Swap, [Symbol.Parse("UNI/USD:UNI")]);

        var t = tickers.ShouldHaveSingleItem();
        t.BaseVolume.ShouldBe(Dec(recorded, "volCcy24h")); // vol24h counts contracts
        t.QuoteVolume.ShouldBeNull();
        _server.CountRequests("/api/v5/market/ticker").ShouldBe(1);
        _server.Requests.Last().Query.ShouldBe("instId=UNI-USD-SWAP");
    }

    private static decimal Dec(JsonElement e, string name) => decimal.Parse(e.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private static JsonElement RecordedTicker(string instId)
    {
        JsonElement? last = null;
        foreach (var line in File.ReadLines(TestData.PathOf("captures/OKX.ws.1.0")))
        {
            var at = line.IndexOf(": {\"arg\":{\"channel\":\"tickers\",\"instId\":\"" + instId + "\"},\"data\"", StringComparison.Ordinal);
            if (at >= 0)
            {
                last = JsonDocument.Parse(line[(at + 2)..]).RootElement.GetProperty("data")[0].Clone();
            }
        }

        return last ?? throw new InvalidDataException($"No recorded ticker of {instId}.");
    }
}
