using System.Net;
using System.Text;
using Coinlake.Candles;
using Coinlake.Exchanges.Kraken;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Kraken;
using static Coinlake.Exchanges.Tests.Kraken.KrakenTestKit;

namespace Coinlake.Exchanges.Tests.Kraken;

public sealed class KrakenTickerTests
{
    // The example answer of "Market Data / Get Ticker Information" (docs.kraken.com/api), plus a pair Kraken lists
    // that the market table does not know (skipped).
    private const string DocumentedTicker = """
        {"error":[],"result":{"XXBTZUSD":{"a":["30300.10000","1","1.000"],"b":["30300.00000","1","1.000"],"c":["30303.20000","0.00067643"],
        "v":["4083.67001100","4412.73601799"],"p":["30706.77771","30689.13205"],"t":[34619,38907],"l":["29868.30000","29868.30000"],
        "h":["31631.00000","31631.00000"],"o":"30502.80000"},"NEWPAIRZUSD":{"a":["1","1","1"],"b":["1","1","1"],"c":["1","1"],"v":["1","1"],
        "p":["1","1"],"t":[1,1],"l":["1","1"],"h":["1","1"],"o":"1"}}}
        """;

    private sealed class RecordedHandler : HttpMessageHandler
    {
        public List<Uri> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!);
            var body = request.RequestUri!.AbsolutePath == "/0/public/AssetPairs"
                ? TestData.CapturePayload("KRAKEN.0", "/0/public/AssetPairs")
                : DocumentedTicker;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }

    [Fact]
    public async Task GetTickersAsync_DocumentedAnswer_MapsEveryField()
    {
        var handler = new RecordedHandler();
        using var http = new HttpClient(handler);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_688_671_200_000);
        using var client = new KrakenClient(http, Options(), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now));

        var tickers = await client.GetTickersAsync(MarketType.Spot);

        var t = tickers.ShouldHaveSingleItem();
        t.Symbol.ShouldBe(Symbol.Parse("BTC/USD"));
        t.Timestamp.ShouldBe(now.ToUnixTimeMilliseconds());
        (t.Last, t.Bid, t.Ask).ShouldBe((30303.2m, 30300.0m, 30300.1m));
        (t.High, t.Low, t.Open).ShouldBe((31631.0m, 29868.3m, 30502.8m));
        t.BaseVolume.ShouldBe(4412.73601799m);
        t.QuoteVolume.ShouldBe(4412.73601799m * 30689.13205m);
        t.Change.ShouldBe(30303.2m - 30502.8m);
        t.ChangePercent.ShouldBe(decimal.Round((30303.2m - 30502.8m) / 30502.8m * 100m, 8, MidpointRounding.AwayFromZero));
        handler.Requests[^1].PathAndQuery.ShouldBe("/0/public/Ticker");
    }

    [Fact]
    public async Task GetTickersAsync_ChosenSymbolsOnFakeServer_ComputedFromTheSeries()
    {
        var source = TestData.BinanceUsBtcUsdt1m();
        var now = source[^1].OpenTime + 30_000;
        var time = new ShiftedTimeProvider(At(now));
        await using var server = await FakeKrakenServer.StartAsync(new FakeKrakenOptions { TimeProvider = time, RateLimitBurst = 0 });
        server.AddSeries("XBTUSDT", source);
        using var http = new HttpClient();
        using var client = Client(server, http, time);

        var tickers = await client.GetTickersAsync(MarketType.Spot, [Symbol.Parse("BTC/USDT")]);

        var t = tickers.ShouldHaveSingleItem();
        t.Symbol.ShouldBe(Symbol.Parse("BTC/USDT"));
        t.Last.ShouldBe(source[^1].Close);
        var day = source.Where(c => c.OpenTime > now - 86_400_000).ToList();
        t.High.ShouldBe(day.Max(c => c.High));
        t.Low.ShouldBe(day.Min(c => c.Low));
        t.BaseVolume.ShouldBe(day.Sum(c => c.Volume));
        t.Open.ShouldBe(source.First(c => c.OpenTime >= now - (now % 86_400_000)).Open);
        server.Requests.Last().Query.ShouldBe("pair=XBTUSDT");
    }

    [Fact]
    public async Task GetTickersAsync_UnknownSymbol_ThrowsBeforeAnyTickerRequest()
    {
        var handler = new RecordedHandler();
        using var http = new HttpClient(handler);
        using var client = new KrakenClient(http, Options());

        var ex = await Should.ThrowAsync<UnknownSymbolException>(() => client.GetTickersAsync(MarketType.Spot, [Symbol.Parse("BTC/USDC"), Symbol.Parse("FOO/BAR")]));

        ex.Symbol.ShouldBe("FOO/BAR");
        handler.Requests.ShouldAllBe(u => u.AbsolutePath == "/0/public/AssetPairs");
    }

    [Fact]
    public async Task GetTickersAsync_Swap_NotSupported()
    {
        using var http = new HttpClient(new RecordedHandler());
        using var client = new KrakenClient(http, Options());

        await Should.ThrowAsync<NotSupportedException>(() => client.GetTickersAsync(MarketType.Swap));
    }
}
