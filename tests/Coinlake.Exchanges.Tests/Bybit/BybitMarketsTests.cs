using Coinlake.Exchanges.Bybit;
using Coinlake.Exchanges.Bybit.Rest;
using Coinlake.Markets;
using Coinlake.Testing.Bybit;

namespace Coinlake.Exchanges.Tests.Bybit;

/// <summary>Instruments and symbol mapping against <see cref="FakeBybitServer"/>, whose instruments are rebuilt from the recorded <c>captures/BYBIT.0</c>.</summary>
public sealed class BybitMarketsTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private FakeBybitServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeBybitServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private BybitClient Client() => BybitClient.Create("bybit", _http, _server.BaseUrl, BybitFakeServerTests.Options());

    public static TheoryData<string, string, MarketType, string> RecordedInstruments()
    {
        var data = new TheoryData<string, string, MarketType, string>();
        foreach (var (category, instruments) in FakeBybitInstrument.FromCapture())
        {
            foreach (var i in instruments)
            {
                var (type, symbol) = (category, i.ContractType) switch
                {
                    (FakeBybitCategory.Spot, _) => (MarketType.Spot, $"{i.BaseCoin}/{i.QuoteCoin}"),
                    (_, "InverseFutures") => (MarketType.Future,
                        $"{i.BaseCoin}/{i.QuoteCoin}:{i.BaseCoin}-{DateTimeOffset.FromUnixTimeMilliseconds(i.DeliveryTime):yyMMdd}"),
                    (FakeBybitCategory.Inverse, _) => (MarketType.Swap, $"{i.BaseCoin}/{i.QuoteCoin}:{i.BaseCoin}"),
                    _ => (MarketType.Swap, $"{i.BaseCoin}/{i.QuoteCoin}:{i.QuoteCoin}"),
                };
                data.Add(category.ToString(), i.Symbol, type, symbol);
            }
        }

        return data;
    }

    [Fact]
    public void FromCapture_RecordedList_HasEveryCategory()
    {
        var all = FakeBybitInstrument.FromCapture();

        all[FakeBybitCategory.Linear].Count.ShouldBe(9);
        all[FakeBybitCategory.Inverse].Count.ShouldBe(6);
        all[FakeBybitCategory.Spot].Count.ShouldBe(9);
        all[FakeBybitCategory.Inverse].Single(i => i.Symbol == "BTCUSDU21").DeliveryTime.ShouldBe(DateTimeOffset.Parse("2021-09-24T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
    }

    [Theory]
    [MemberData(nameof(RecordedInstruments))]
    public async Task GetMarketAsync_EveryRecordedInstrument_RoundTripsIdAndSymbol(string category, string id, MarketType type, string unified)
    {
        using var client = Client();

        var listed = (await client.GetMarketsAsync(type)).Where(m => m.Id == id).ToList();
        var market = await client.GetMarketAsync(Symbol.Parse(unified), type);

        listed.ShouldHaveSingleItem().Symbol.ToString().ShouldBe(unified);
        market.Id.ShouldBe(id);
        market.Type.ShouldBe(type);
        market.Active.ShouldBeTrue();
        market.Subtype.ShouldBe(category switch
        {
            "Spot" => MarketSubtype.None,
            "Linear" => MarketSubtype.Linear,
            _ => MarketSubtype.Inverse,
        });
    }

    [Fact]
    public async Task GetMarketsAsync_SameIdInSeveralCategories_MarketTypeSelectsTheCategory()
    {
        using var client = Client();

        var spot = await client.GetMarketAsync(Symbol.Parse("BTC/USDT"), MarketType.Spot);
        var swap = await client.GetMarketAsync(Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap);
        var inverse = await client.GetMarketAsync(Symbol.Parse("BTC/USD:BTC"), MarketType.Swap);

        (spot.Id, swap.Id, inverse.Id).ShouldBe(("BTCUSDT", "BTCUSDT", "BTCUSD"));
        (await client.GetMarketsAsync(MarketType.Swap)).Count.ShouldBe(13); // 9 linear + 4 inverse perpetuals
        (await client.GetMarketsAsync(MarketType.Future)).Select(m => m.Symbol.ToString()).Order(StringComparer.Ordinal)
            .ShouldBe(["BTC/USD:BTC-210625", "BTC/USD:BTC-210924"]);
    }

    [Fact]
    public async Task GetMarketsAsync_PagedInstruments_FollowsEveryCursor()
    {
        _server.Options.MaxInstrumentsPageSize = 4;
        using var client = Client();

        var swaps = await client.GetMarketsAsync(MarketType.Swap);

        swaps.Count.ShouldBe(13);
        swaps.Select(m => m.Id).Distinct().Count().ShouldBe(13);
        var linear = _server.Requests.Where(r => r.Query.StartsWith("category=linear", StringComparison.Ordinal)).ToList();
        linear.Count.ShouldBe(3); // 9 instruments, 4 a page
        linear[0].Query.ShouldBe("category=linear&limit=1000");
        linear[1].Query.ShouldContain("&cursor=");
        _server.CountRequests("instruments-info").ShouldBe(5); // + 2 inverse pages (6 instruments)
    }

    [Fact]
    public async Task GetMarketAsync_DatedLinearAndInverseFutures_NamedWithExpiry()
    {
        var march29 = DateTimeOffset.Parse("2024-03-29T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        _server.AddInstrument(FakeBybitCategory.Linear, new FakeBybitInstrument("BTC-29MAR24", "BTC", "USDC", "USDC", "LinearFutures", "Trading", march29, "0.5", "0.001", "0.001", "100", 2));
        _server.AddInstrument(FakeBybitCategory.Linear, new FakeBybitInstrument("BTCPERP", "BTC", "USDC", "USDC", "LinearPerpetual", "Trading", 0, "0.5", "0.001", "0.001", "100", 2));
        _server.AddInstrument(FakeBybitCategory.Inverse, new FakeBybitInstrument("BTCUSDH24", "BTC", "USD", "BTC", "InverseFutures", "Trading", march29, "0.5", "1", "1", "1000000", 2));
        using var client = Client();

        (await client.GetMarketAsync(Symbol.Parse("BTC/USDC:USDC-240329"), MarketType.Future)).Id.ShouldBe("BTC-29MAR24");
        (await client.GetMarketAsync(Symbol.Parse("BTC/USDC:USDC"), MarketType.Swap)).Id.ShouldBe("BTCPERP");
        (await client.GetMarketAsync(Symbol.Parse("BTC/USD:BTC-240329"), MarketType.Future)).Id.ShouldBe("BTCUSDH24");
    }

    [Fact]
    public async Task GetMarketAsync_UnknownSymbol_SuggestsTheClosest()
    {
        using var client = Client();

        var ex = await Should.ThrowAsync<UnknownSymbolException>(() => client.GetMarketAsync(Symbol.Parse("ETH/USDT:USD"), MarketType.Swap));

        ex.Suggestions.ShouldContain("ETH/USDT:USDT");
        ex.Message.ShouldContain("ETH/USDT:USDT");
        ex.Exchange.ShouldBe("bybit");
    }

    [Fact]
    public void ExpiryFromId_LinearFutureIds_ParseTheDate()
    {
        BybitInstruments.ExpiryFromId("BTC-29MAR24").ShouldBe("240329");
        BybitInstruments.ExpiryFromId("ETHUSDT-3JAN25").ShouldBe("250103");
        BybitInstruments.ExpiryFromId("BTCUSDH24").ShouldBeNull();
    }

    [Fact]
    public void Create_UnknownIdOrBadOptions_ExplainsTheFix()
    {
        using var http = new HttpClient();

        Should.Throw<ArgumentException>(() => BybitClient.Create("bybitt", http)).Message.ShouldContain("bybit");
        Should.Throw<ArgumentException>(() => new BybitClient(http, new BybitOptions { KlineLimit = 1001 })).Message.ShouldContain("1 to 1000");
        Should.Throw<ArgumentException>(() => new BybitClient(http, new BybitOptions { RequestsPerWindow = 0 })).ParamName.ShouldBe("RequestsPerWindow");
        BybitClient.ExchangeIds.ShouldBe(["bybit"]);
        new BybitOptions().BaseUrl.ShouldBe(new Uri("https://api.bybit.com"));
    }
}
