using System.Text;
using Coinlake.Candles;
using Coinlake.Exchanges.Coinbase;
using Coinlake.Markets;
using Coinlake.Testing.Coinbase;
using Coinlake.Trades;
using static Coinlake.Exchanges.Tests.Coinbase.CoinbaseFixture;

namespace Coinlake.Exchanges.Tests.Coinbase;

public sealed class CoinbaseParserTests
{
    private static readonly Uri Url = new("https://api.exchange.coinbase.com/products/BTC-USD/candles?granularity=60");

    private static List<Candle> Candles(string json) => CoinbaseCandleParser.Parse(Encoding.UTF8.GetBytes(json), Url, "coinbase");

    [Fact]
    public void Parse_Row_ReadsLowHighOpenCloseVolumeInThatOrder()
    {
        var c = Candles("[[1639509600,48950.01,49134.28,49047.16,49101.82,100.36592806]]").ShouldHaveSingleItem();

        c.ShouldBe(new Candle(1_639_509_600_000, 49047.16m, 49134.28m, 48950.01m, 49101.82m, 100.36592806m));
        c.QuoteVolume.ShouldBeNull();
    }

    [Fact]
    public void Parse_NewestFirst_ReturnsAscending()
    {
        Candles("[[180,1,2,1,2,3],[120,1,2,1,2,3],[60,1,2,1,2,3]]").Select(c => c.OpenTime).ShouldBe([60_000L, 120_000L, 180_000L]);
    }

    [Fact]
    public void Parse_RepeatedIdenticalBucket_KeptOnce()
    {
        Candles("[[180,1,2,1,2,3],[120,1,2,1,2,3],[120,1,2,1,2,3],[60,1,2,1,2,3]]").Select(c => c.OpenTime).ShouldBe([60_000L, 120_000L, 180_000L]);
    }

    [Fact]
    public void Parse_RepeatedBucketWithOtherValues_IsMalformed()
    {
        Should.Throw<MalformedResponseException>(() => Candles("[[120,1,2,1,2,3],[120,1,2,1,2,4]]")).Message.ShouldContain("twice");
    }

    [Fact]
    public void Parse_ExponentAndStringNumbers_AreExact()
    {
        Candles("[[60,\"0.1\",1E+2,0.5,2,5.4e-05]]").ShouldHaveSingleItem().Volume.ShouldBe(0.000054m);
    }

    [Theory]
    [InlineData("[[60,1,2,1,2,3],[120,1,2")]
    [InlineData("[[60,1,2,1,2]]")]
    [InlineData("{\"message\":\"x\"}")]
    [InlineData("")]
    public void Parse_BadBodies_AreMalformedNamingTheUrl(string json)
    {
        Should.Throw<MalformedResponseException>(() => Candles(json)).Url.ShouldBe(Url);
    }

    [Fact]
    public void Parse_TruncatedBody_SaysTruncated()
    {
        Should.Throw<MalformedResponseException>(() => Candles("[[60,1,2,1,2,3],[120,1,2")).Message.ShouldContain("truncated");
    }

    [Fact]
    public void ParseTrades_MakerSide_BecomesTakerSide()
    {
        var json = "[{\"time\":\"2020-03-20T00:36:59.860123Z\",\"trade_id\":86327327,\"price\":\"6225.32000000\",\"size\":\"0.06469797\",\"side\":\"sell\"},"
            + "{\"time\":\"2020-03-20T00:36:58Z\",\"trade_id\":86327326,\"price\":\"6225.3\",\"size\":\"1\",\"side\":\"buy\"}]";

        var trades = CoinbaseTradeParser.Parse(Encoding.UTF8.GetBytes(json), Url, "coinbase");

        trades[0].ToTrade().ShouldBe(new Trade("86327327", 1_584_664_619_860, 6225.32m, 0.06469797m, TradeSide.Buy));
        trades[1].TakerSide.ShouldBe(TradeSide.Sell);
        trades[1].Timestamp.ShouldBe(1_584_664_618_000);
    }

    [Theory]
    [InlineData("2021-04-17T16:43:36.841493Z", 1_618_677_816_841)]
    [InlineData("2021-04-17T16:43:36Z", 1_618_677_816_000)]
    [InlineData("2021-04-17T18:43:36.8+02:00", 1_618_677_816_800)]
    public void TryParseIsoMs_CoinbaseTimes_TruncateToMilliseconds(string text, long expected)
    {
        CoinbaseJson.TryParseIsoMs(Encoding.UTF8.GetBytes(text), out var ms).ShouldBeTrue();
        ms.ShouldBe(expected);
    }

    [Fact]
    public async Task GetTickersAsync_RecordedTickerFrames_ParsedIntoTickers()
    {
        await using var server = await FakeCoinbaseServer.StartAsync(ServerOptions());
        using var http = new HttpClient();
        using var client = Client(server, http);
        var recorded = CoinbaseTestData.RecordedTickers();

        var tickers = await client.GetTickersAsync(MarketType.Spot, [Symbol.Parse("BAND/GBP"), Symbol.Parse("SKL/GBP")]);

        tickers.Count.ShouldBe(2);
        var band = tickers[0];
        var r = recorded["BAND-GBP"];
        band.Symbol.ShouldBe(Symbol.Parse("BAND/GBP"));
        band.Last.ShouldBe(decimal.Parse(r.Price, System.Globalization.CultureInfo.InvariantCulture));
        band.Bid.ShouldBe(decimal.Parse(r.Bid, System.Globalization.CultureInfo.InvariantCulture));
        band.Ask.ShouldBe(decimal.Parse(r.Ask, System.Globalization.CultureInfo.InvariantCulture));
        band.Open.ShouldBe(decimal.Parse(r.Open24h, System.Globalization.CultureInfo.InvariantCulture));
        band.High.ShouldBe(decimal.Parse(r.High24h, System.Globalization.CultureInfo.InvariantCulture));
        band.Low.ShouldBe(decimal.Parse(r.Low24h, System.Globalization.CultureInfo.InvariantCulture));
        band.BaseVolume.ShouldBe(decimal.Parse(r.Volume24h, System.Globalization.CultureInfo.InvariantCulture));
        band.QuoteVolume.ShouldBeNull();
        band.Change.ShouldBe(band.Last - band.Open);
        band.ChangePercent.ShouldBe((band.Last - band.Open) / band.Open * 100m);
        band.Timestamp.ShouldBe(DateTimeOffset.Parse(r.Time, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
        server.CountRequests("/ticker").ShouldBe(2);
        server.CountRequests("/stats").ShouldBe(2);
    }

    [Fact]
    public async Task GetTickersAsync_AllSymbols_AsksEveryOnlineProduct()
    {
        var options = ServerOptions();
        await using var server = await FakeCoinbaseServer.StartAsync(options);
        using var http = new HttpClient();
        using var client = Client(server, http);

        // 152 of the 162 recorded products have no recorded ticker: the fake answers 404, which fails the call at once.
        var ex = await Should.ThrowAsync<ExchangeException>(() => client.GetTickersAsync(MarketType.Spot));

        ex.Code.ShouldBe("404");
        (await client.GetTickersAsync(MarketType.Swap)).ShouldBeEmpty();
    }
}
