using System.Text;
using Coinlake.Candles;
using Coinlake.Exchanges.Kucoin.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Kucoin.Socket;

public sealed class KucoinStreamProtocolTests
{
    private static readonly Symbol _btcUsdt = Symbol.Parse("BTC/USDT");
    private static readonly Symbol _ethUsdt = Symbol.Parse("ETH/USDT");
    private static readonly Symbol _bsvUsdt = Symbol.Parse("BSV/USDT");

    private static readonly StreamSymbols _symbols = new(
        [
            new MarketInfo(_btcUsdt, "BTC-USDT", MarketType.Spot, MarketSubtype.None, true),
            new MarketInfo(_ethUsdt, "ETH-USDT", MarketType.Spot, MarketSubtype.None, true),
            new MarketInfo(_bsvUsdt, "BCHSV-USDT", MarketType.Spot, MarketSubtype.None, true),
        ],
        KucoinStreamProtocol.ParseId);

    private static readonly KucoinBullet _bullet = new(new Uri("wss://ws-api-spot.kucoin.com/"), "2neAiuYvAU61ZD", TimeSpan.FromSeconds(18), TimeSpan.FromSeconds(10));

    [Fact]
    public void SubscribeMessages_TradesAndTickersShareCommaTopics_CandlesOneTopicEach()
    {
        StreamSubscription[] group =
        [
            StreamSubscription.Trades(_btcUsdt, MarketType.Spot),
            StreamSubscription.Trades(_bsvUsdt, MarketType.Spot),
            StreamSubscription.Tickers(_ethUsdt, MarketType.Spot),
            StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.OneMinute),
            StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.OneHour),
        ];

        var messages = new KucoinStreamProtocol().SubscribeMessages(group, _symbols);

        messages.ShouldBe(
        [
            """{"id":"1","type":"subscribe","topic":"/market/match:BTC-USDT,BCHSV-USDT","privateChannel":false,"response":true}""",
            """{"id":"2","type":"subscribe","topic":"/market/ticker:ETH-USDT","privateChannel":false,"response":true}""",
            """{"id":"3","type":"subscribe","topic":"/market/candles:BTC-USDT_1min","privateChannel":false,"response":true}""",
            """{"id":"4","type":"subscribe","topic":"/market/candles:BTC-USDT_1hour","privateChannel":false,"response":true}""",
        ]);
    }

    [Fact]
    public void SubscribeMessages_MoreThan100Symbols_SplitsTopicsAt100()
    {
        var group = Enumerable.Range(0, 150).Select(i => StreamSubscription.Trades(new Symbol($"C{i}", "USDT"), MarketType.Spot)).ToList();

        var messages = new KucoinStreamProtocol().SubscribeMessages(group, _symbols);

        messages.Count.ShouldBe(2);
        messages[0].Split(',').Count(p => p.StartsWith('C') || p.Contains(":C", StringComparison.Ordinal)).ShouldBe(100);
    }

    [Fact]
    public async Task GetEndpointAsync_TokenAndServerFromBullet_OverrideReplacesHost()
    {
        var calls = 0;
        var protocol = new KucoinStreamProtocol(_ => { calls++; return Task.FromResult(_bullet with { PingInterval = TimeSpan.FromSeconds(15) }); });
        var group = new[] { StreamSubscription.Trades(_btcUsdt, MarketType.Spot) };

        var production = await protocol.GetEndpointAsync(group, null, default);
        var local = await protocol.GetEndpointAsync(group, new Uri("http://127.0.0.1:6001"), default);

        production.GetLeftPart(UriPartial.Path).ShouldBe("wss://ws-api-spot.kucoin.com/");
        production.Query.ShouldStartWith("?token=2neAiuYvAU61ZD&connectId=");
        local.GetLeftPart(UriPartial.Path).ShouldBe("ws://127.0.0.1:6001/");
        local.Query.ShouldContain("token=2neAiuYvAU61ZD");
        calls.ShouldBe(2); // a fresh token per connection
        protocol.KeepAlive.ShouldNotBeNull().Interval.ShouldBe(TimeSpan.FromSeconds(15)); // the bullet's pingInterval
        protocol.KeepAlive.Message.ShouldContain("\"type\":\"ping\"");
    }

    [Fact]
    public async Task GetEndpointAsync_ReplayProtocolWithoutTokenSource_SaysSo() =>
        (await Should.ThrowAsync<InvalidOperationException>(async () => await new KucoinStreamProtocol().GetEndpointAsync([], null, default)))
            .Message.ShouldContain("token source");

    [Fact]
    public void Limits_FollowTheDocumentation()
    {
        var protocol = new KucoinStreamProtocol();
        protocol.MaxSubscriptionsPerConnection.ShouldBeLessThanOrEqualTo(400); // topics per connection
        (TimeSpan.FromSeconds(10) / protocol.MinimumSendInterval).ShouldBeLessThan(100); // client messages per 10 s
        protocol.KeepAlive.ShouldNotBeNull().Interval.ShouldBe(TimeSpan.FromSeconds(18));
    }

    [Fact]
    public void Parse_BulletAnswer_TokenServerAndPingTimes()
    {
        var bullet = KucoinBullet.Parse(Encoding.UTF8.GetBytes(
            """{"code":"200000","data":{"token":"abc","instanceServers":[{"endpoint":"wss://ws-api-spot.kucoin.com/","encrypt":true,"protocol":"websocket","pingInterval":18000,"pingTimeout":10000}]}}"""),
            new Uri("https://api.kucoin.com/api/v1/bullet-public"), "kucoin");

        bullet.ShouldBe(_bullet with { Token = "abc" });
    }

    [Fact]
    public void Parse_BulletError_TransientExchangeException() =>
        Should.Throw<ExchangeException>(() => KucoinBullet.Parse(Encoding.UTF8.GetBytes("""{"code":"400100","msg":"bad"}"""), new Uri("https://x/"), "kucoin"))
            .IsTransient.ShouldBeTrue();

    [Theory]
    [InlineData("swap", "Futures")]
    [InlineData("mark", "mark")]
    [InlineData("1w", "Thursdays")]
    [InlineData("1s", "1s")]
    public void WhyUnsupported_WhatKucoinSpotDoesNotStream_SaysWhy(string what, string mentions)
    {
        var subscription = what switch
        {
            "swap" => StreamSubscription.Trades(Symbol.Parse("BTC/USDT:USDT"), MarketType.Swap),
            "mark" => StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.OneMinute, PriceType.Mark),
            "1w" => StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.Parse("1w")),
            _ => StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.Parse("1s")),
        };

        new KucoinStreamProtocol().WhyUnsupported(subscription).ShouldNotBeNull().ShouldContain(mentions);
    }

    [Fact]
    public void Parse_CandleMessage_OpenCloseHighLowOrderAndNeverClosed()
    {
        var sub = StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.OneMinute);
        var (result, events) = Parse([sub],
            """{"type":"message","topic":"/market/candles:BTC-USDT_1min","subject":"trade.candles.update","data":{"symbol":"BTC-USDT","candles":["1729839180","67644.9","67437.6","67644.9","67437.2","0.00139351","94.156"],"time":1729839195052235300}}""");

        result.Kind.ShouldBe(FrameKind.Data);
        var e = events.Cast<CandleEvent>().ShouldHaveSingleItem();
        e.Subscription.ShouldBe(sub);
        e.IsClosed.ShouldBeFalse();
        e.Candle.ShouldBe(new Candle(1729839180000, 67644.9m, 67644.9m, 67437.2m, 67437.6m, 0.00139351m, 94.156m));
    }

    [Fact]
    public void Parse_MatchMessage_SequenceIdNanosecondTimeTakerSide()
    {
        var sub = StreamSubscription.Trades(_bsvUsdt, MarketType.Spot);
        var (_, events) = Parse([sub],
            """{"topic":"/market/match:BCHSV-USDT","type":"message","subject":"trade.l3match","data":{"makerOrderId":"a","price":"67523","sequence":"11067996","side":"sell","size":"0.003","symbol":"BCHSV-USDT","takerOrderId":"b","time":"1729843222921000000","tradeId":"11067996","type":"match"}}""");

        events.Cast<TradeEvent>().ShouldHaveSingleItem().Trade.ShouldBe(new Trade("11067996", 1729843222921, 67523m, 0.003m, TradeSide.Sell));
    }

    [Fact]
    public void Parse_TickerMessage_LastBidAskTime()
    {
        var sub = StreamSubscription.Tickers(_ethUsdt, MarketType.Spot);
        var (_, events) = Parse([sub],
            """{"type":"message","topic":"/market/ticker:ETH-USDT","subject":"trade.ticker","data":{"sequence":"1545896668986","price":"0.08","size":"0.011","bestAsk":"0.08","bestAskSize":"0.18","bestBid":"0.049","bestBidSize":"0.036","time":1704873323416}}""");

        var ticker = events.Cast<TickerEvent>().ShouldHaveSingleItem().Ticker;
        (ticker.Symbol, ticker.Timestamp, ticker.Last, ticker.Bid, ticker.Ask).ShouldBe((_ethUsdt, 1704873323416L, 0.08m, 0.049m, 0.08m));
    }

    [Theory]
    [InlineData("""{"id":"hQvf8jkno","type":"welcome"}""")]
    [InlineData("""{"id":"1","type":"ack"}""")]
    [InlineData("""{"id":"coinlake","type":"pong","timestamp":1729843222921}""")]
    public void Parse_ControlMessages_Control(string frame) => Parse([], frame).Result.Kind.ShouldBe(FrameKind.Control);

    [Fact]
    public void Parse_TopicNotFound_RejectedWithKucoinMessage()
    {
        var (result, _) = Parse([], """{"id":"3","type":"error","code":404,"data":"topic /market/candles:FOO-BAR_1min is not found"}""");

        result.Kind.ShouldBe(FrameKind.Rejected);
        result.Message.ShouldNotBeNull().ShouldContain("FOO-BAR_1min is not found");
    }

    [Fact]
    public void Parse_InvalidToken_Error() =>
        Parse([], """{"id":"1","type":"error","code":401,"data":"token is invalid"}""").Result.Kind.ShouldBe(FrameKind.Error);

    [Fact]
    public void Parse_Level2Message_DataWithoutEvents()
    {
        var (result, events) = Parse([StreamSubscription.Trades(_btcUsdt, MarketType.Spot)],
            """{"type":"message","topic":"/market/level2:BTC-USDT","subject":"trade.l2update","data":{"changes":{"asks":[],"bids":[["1","2","3"]]},"sequenceEnd":3,"sequenceStart":3,"symbol":"BTC-USDT","time":1}}""");

        result.Kind.ShouldBe(FrameKind.Data);
        events.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("pong")]
    [InlineData("{\"type\":\"message\",\"topic\":\"/market/match:BTC-USDT\"")]
    [InlineData("""{"type":"message","topic":"/market/match:BTC-USDT","data":{"sequence":"1","price":"x","size":"1","time":"1"}}""")]
    [InlineData("""{"type":"message","topic":"/market/candles:BTC-USDT_1min","data":{"candles":["1","2"]}}""")]
    [InlineData("""{"type":"surprise"}""")]
    public void Parse_Garbage_MalformedWithoutEvents(string frame)
    {
        var (result, events) = Parse([StreamSubscription.Trades(_btcUsdt, MarketType.Spot), StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.OneMinute)], frame);

        result.Kind.ShouldBe(FrameKind.Malformed);
        events.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("BTC-USDT", MarketType.Spot, "BTC/USDT")]
    [InlineData("BTC-USDT", MarketType.Swap, null)]
    [InlineData("XBTUSDTM", MarketType.Spot, null)]
    public void ParseId_KucoinIds_SpotSymbols(string id, MarketType type, string? expected) =>
        KucoinStreamProtocol.ParseId(id, type).ShouldBe(expected is null ? null : Symbol.Parse(expected));

    private static (FrameResult Result, List<MarketEvent> Events) Parse(IReadOnlyList<StreamSubscription> group, string frame)
    {
        var parser = new KucoinStreamProtocol().CreateParser(_symbols, group, new Uri("wss://ws-api-spot.kucoin.com/"));
        var events = new List<MarketEvent>();
        var result = parser.Parse(Encoding.UTF8.GetBytes(frame), 1_729_843_223_000, events);
        return (result, events);
    }
}
