using System.Net;
using Coinlake.Exchanges.Tests.FakeServer;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Binance;

/// <summary>The fake server's aggTrades and ticker endpoints over raw HTTP: Binance's semantics, errors and weights.</summary>
public sealed class FakeBinanceMarketDataTests : IAsyncLifetime
{
    private static readonly IReadOnlyList<Trade> Source = TradeData.FreqtradeXrpEth();
    private static readonly long T0 = Source[0].Timestamp;

    private FakeBinanceServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBinanceServer.StartAsync();
        _server.AddTrades("XRPETH", FakeMarket.Spot, Source);
        _server.AddTrades("XRPETH", FakeMarket.Futures, Source);
        _http = FakeHttp.Client(_server);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task AggTrades_FromId_ServesBinanceShapeWithEightDecimalStrings()
    {
        var answer = await _http.FetchAsync("/api/v3/aggTrades?symbol=XRPETH&fromId=13519807&limit=2");

        answer.Status.ShouldBe(HttpStatusCode.OK);
        answer.Body.ShouldBe("""[{"a":13519807,"p":"0.00141342","q":"23.00000000","f":13519807,"l":13519807,"T":1570752011620,"m":true,"M":true},{"a":13519808,"p":"0.00141266","q":"54.00000000","f":13519808,"l":13519808,"T":1570752011620,"m":true,"M":true}]""");
        answer.UsedWeight.ShouldBe(4);
    }

    [Fact]
    public async Task AggTrades_Futures_Weighs20AndHasNoBestMatchField()
    {
        var answer = await _http.FetchAsync("/fapi/v1/aggTrades?symbol=XRPETH&limit=1");

        answer.UsedWeight.ShouldBe(20);
        answer.Json[0].GetProperty("a").GetInt64().ShouldBe(long.Parse(Source[^1].Id, System.Globalization.CultureInfo.InvariantCulture)); // most recent
        answer.Json[0].TryGetProperty("M", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task AggTrades_StartAndEndTime_InclusiveBoundsOnTime()
    {
        var end = Source[9].Timestamp;

        var answer = await _http.FetchAsync($"/api/v3/aggTrades?symbol=XRPETH&startTime={T0}&endTime={end}");

        answer.Json.GetArrayLength().ShouldBe(Source.Count(t => t.Timestamp <= end));
    }

    [Fact]
    public async Task AggTrades_EndTimeOnly_LastTradesUpToIt()
    {
        var end = Source[99].Timestamp;

        var answer = await _http.FetchAsync($"/api/v3/aggTrades?symbol=XRPETH&endTime={end}&limit=3");

        answer.Json.EnumerateArray().Select(t => t.GetProperty("T").GetInt64()).ShouldAllBe(t => t <= end);
        answer.Json[2].GetProperty("T").GetInt64().ShouldBe(Source.Last(t => t.Timestamp <= end).Timestamp);
    }

    [Theory]
    [InlineData("/api/v3/aggTrades?symbol=XRPETH&startTime=0&endTime=3600000", -1127)]
    [InlineData("/api/v3/aggTrades?symbol=NOPE", -1121)]
    [InlineData("/api/v3/aggTrades?fromId=1", -1102)]
    [InlineData("/api/v3/aggTrades?symbol=XRPETH&limit=1001", -1130)]
    [InlineData("/api/v3/aggTrades?symbol=XRPETH&fromId=x", -1100)]
    [InlineData("/api/v3/ticker/24hr?symbol=BTCUSDT&symbols=[\"ETHBTC\"]", -1128)]
    [InlineData("/api/v3/ticker/24hr?symbols=[\"BTCUSDT\",\"NOPE\"]", -1121)]
    [InlineData("/api/v3/ticker/24hr?symbols=BTCUSDT", -1100)]
    [InlineData("/fapi/v1/ticker/24hr?symbols=[\"BTCUSDT\"]", -1104)]
    public async Task Endpoints_BadRequest_AnswerBinanceError(string pathAndQuery, int code)
    {
        var answer = await _http.FetchAsync(pathAndQuery);

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.Error.Code.ShouldBe(code);
    }

    [Theory]
    [InlineData("/api/v3/ticker/24hr?symbol=BTCUSDT", 2)]
    [InlineData("/api/v3/ticker/24hr?symbols=[\"BTCUSDT\",\"ETHBTC\"]", 2)]
    [InlineData("/api/v3/ticker/24hr", 80)]
    [InlineData("/fapi/v1/ticker/24hr?symbol=BTCUSDT", 1)]
    [InlineData("/fapi/v1/ticker/24hr", 40)]
    [InlineData("/fapi/v1/ticker/bookTicker?symbol=BTCUSDT", 2)]
    [InlineData("/fapi/v1/ticker/bookTicker", 5)]
    public async Task Tickers_Requests_ChargeDocumentedWeights(string pathAndQuery, int weight)
    {
        var answer = await _http.FetchAsync(pathAndQuery);

        answer.Status.ShouldBe(HttpStatusCode.OK);
        answer.UsedWeight.ShouldBe(weight);
    }

    [Fact]
    public async Task Tickers_21And101Symbols_Weigh40And80()
    {
        var ids = ExchangeIds().ToList();

        var twentyOne = await _http.FetchAsync("/api/v3/ticker/24hr?symbols=" + Uri.EscapeDataString(System.Text.Json.JsonSerializer.Serialize(ids.Take(21))));
        var hundredOne = await _http.FetchAsync("/api/v3/ticker/24hr?symbols=" + Uri.EscapeDataString(System.Text.Json.JsonSerializer.Serialize(ids.Take(101))));

        twentyOne.Json.GetArrayLength().ShouldBe(21);
        hundredOne.Json.GetArrayLength().ShouldBe(101);
        _server.Requests.Select(r => r.Weight).ShouldBe([40, 80]);
    }

    [Fact]
    public async Task Tickers_SingleSymbol_IsAnObjectWithoutDataZeros()
    {
        var answer = await _http.FetchAsync("/api/v3/ticker/24hr?symbol=ETHBTC");

        answer.Json.GetProperty("symbol").GetString().ShouldBe("ETHBTC");
        answer.Json.GetProperty("lastPrice").GetString().ShouldBe("0.00000000");
        answer.Json.GetProperty("count").GetInt64().ShouldBe(0);
    }

    [Fact]
    public void AddTrades_NonNumericId_ThrowsSayingHowToFix()
    {
        var ex = Should.Throw<ArgumentException>(() => _server.AddTrades("X", FakeMarket.Spot, [new Trade("abc", 1, 1m, 1m, TradeSide.Buy)]));

        ex.Message.ShouldContain("numeric ids");
    }

    private static IEnumerable<string> ExchangeIds()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(TestData.CapturePayload("BINANCE.0", "/api/v3/exchangeInfo"));
        return [.. doc.RootElement.GetProperty("symbols").EnumerateArray().Select(s => s.GetProperty("symbol").GetString()!)];
    }
}
