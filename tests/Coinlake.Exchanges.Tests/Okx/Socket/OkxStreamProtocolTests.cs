using System.Text;
using Coinlake.Candles;
using Coinlake.Exchanges.Okx.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Okx.Socket;

public sealed class OkxStreamProtocolTests
{
    private static readonly Symbol _btcUsdt = Symbol.Parse("BTC/USDT");
    private static readonly Symbol _btcSwap = Symbol.Parse("BTC/USDT:USDT");
    private static readonly Symbol _btcInverse = Symbol.Parse("BTC/USD:BTC");
    private static readonly Symbol _btcFuture = Symbol.Parse("BTC/USD:BTC-240329");
    private static readonly Timeframe _1m = Timeframe.OneMinute;

    private static readonly StreamSymbols _symbols = new(
        [
            new MarketInfo(_btcUsdt, "BTC-USDT", MarketType.Spot, MarketSubtype.None, true),
            new MarketInfo(_btcSwap, "BTC-USDT-SWAP", MarketType.Swap, MarketSubtype.Linear, true),
            new MarketInfo(_btcInverse, "BTC-USD-SWAP", MarketType.Swap, MarketSubtype.Inverse, true),
            new MarketInfo(_btcFuture, "BTC-USD-240329", MarketType.Future, MarketSubtype.Inverse, true),
        ],
        OkxStreamProtocol.ParseId);

    private readonly OkxStreamProtocol _protocol = new();

    [Fact]
    public void SubscribeMessages_MixedGroup_OneSubscribeOpWithOneArgPerChannelAndInstrument()
    {
        StreamSubscription[] group =
        [
            StreamSubscription.Candles(_btcUsdt, MarketType.Spot, _1m),
            StreamSubscription.Candles(_btcSwap, MarketType.Swap, Timeframe.Parse("1d"), PriceType.Mark),
            StreamSubscription.Candles(_btcInverse, MarketType.Swap, Timeframe.OneHour, PriceType.Index),
            StreamSubscription.Candles(_btcFuture, MarketType.Future, Timeframe.OneHour, PriceType.Index),
        ];

        var messages = _protocol.SubscribeMessages(group, _symbols);

        messages.Count.ShouldBe(1);
        messages[0].ShouldBe(
            """{"op":"subscribe","args":[{"channel":"candle1m","instId":"BTC-USDT"},{"channel":"mark-price-candle1Dutc","instId":"BTC-USDT-SWAP"},{"channel":"index-candle1H","instId":"BTC-USD"}]}""");
    }

    [Fact]
    public void SubscribeMessages_TradesAndTickers_UseInstrumentIdsOfTheMarketList()
    {
        var message = _protocol.SubscribeMessages([StreamSubscription.Trades(_btcSwap, MarketType.Swap), StreamSubscription.Tickers(_btcFuture, MarketType.Future)], _symbols)
            .ShouldHaveSingleItem();

        message.ShouldBe("""{"op":"subscribe","args":[{"channel":"trades-all","instId":"BTC-USDT-SWAP"},{"channel":"tickers","instId":"BTC-USD-240329"}]}""");
    }

    [Fact]
    public async Task GetEndpointAsync_CandlesAndTradesOnBusiness_TickersOnPublic()
    {
        var candles = StreamSubscription.Candles(_btcUsdt, MarketType.Spot, _1m);
        var trades = StreamSubscription.Trades(_btcUsdt, MarketType.Spot);
        var tickers = StreamSubscription.Tickers(_btcUsdt, MarketType.Spot);

        _protocol.EndpointKey(candles).ShouldBe(_protocol.EndpointKey(trades));
        _protocol.EndpointKey(tickers).ShouldNotBe(_protocol.EndpointKey(trades));
        (await _protocol.GetEndpointAsync([candles, trades], null, default)).ShouldBe(new Uri("wss://ws.okx.com:8443/ws/v5/business"));
        (await _protocol.GetEndpointAsync([tickers], null, default)).ShouldBe(new Uri("wss://ws.okx.com:8443/ws/v5/public"));
        (await _protocol.GetEndpointAsync([tickers], new Uri("http://127.0.0.1:5123"), default)).ShouldBe(new Uri("ws://127.0.0.1:5123/ws/v5/public"));
    }

    [Fact]
    public void Limits_KeepAliveAndGroupSize_FollowTheDocumentation()
    {
        _protocol.KeepAlive.ShouldNotBeNull();
        _protocol.KeepAlive.Message.ShouldBe("ping");
        _protocol.KeepAlive.Interval.ShouldBeLessThan(TimeSpan.FromSeconds(30));
        _protocol.MaxSubscriptionsPerConnection.ShouldBeInRange(1, 500);

        // One subscribe request of a full group stays well below OKX's 64 KB per request.
        var group = Enumerable.Range(0, _protocol.MaxSubscriptionsPerConnection)
            .Select(i => StreamSubscription.Candles(new Symbol($"LONGCOINNAME{i}", "USDT", "USDT"), MarketType.Swap, Timeframe.Parse("12h"), PriceType.Mark))
            .ToList();
        Encoding.UTF8.GetByteCount(_protocol.SubscribeMessages(group, _symbols).ShouldHaveSingleItem()).ShouldBeLessThan(16 * 1024);
    }

    [Theory]
    [InlineData("spot-mark", "mark")]
    [InlineData("8h", "8h")]
    [InlineData("1s-index", "1s")]
    [InlineData("trades-mark", "last prices")]
    public void WhyUnsupported_WhatOkxDoesNotStream_SaysWhy(string what, string mentions)
    {
        var subscription = what switch
        {
            "spot-mark" => StreamSubscription.Candles(_btcUsdt, MarketType.Spot, _1m, PriceType.Mark),
            "8h" => StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.Parse("8h")),
            "1s-index" => StreamSubscription.Candles(_btcSwap, MarketType.Swap, Timeframe.Parse("1s"), PriceType.Index),
            _ => new StreamSubscription(_btcSwap, MarketType.Swap, StreamChannel.Trades, null, PriceType.Mark),
        };

        _protocol.WhyUnsupported(subscription).ShouldNotBeNull().ShouldContain(mentions);
    }

    [Fact]
    public void WhyUnsupported_SupportedSubscriptions_Null()
    {
        _protocol.WhyUnsupported(StreamSubscription.Candles(_btcUsdt, MarketType.Spot, Timeframe.Parse("1s"))).ShouldBeNull();
        _protocol.WhyUnsupported(StreamSubscription.Candles(_btcSwap, MarketType.Swap, Timeframe.Parse("1w"), PriceType.Index)).ShouldBeNull();
        _protocol.WhyUnsupported(StreamSubscription.Trades(_btcFuture, MarketType.Future)).ShouldBeNull();
        _protocol.WhyUnsupported(StreamSubscription.Tickers(_btcUsdt, MarketType.Spot)).ShouldBeNull();
    }

    [Fact]
    public void Parse_SpotCandleFrame_LastCandleWithBaseAndQuoteVolumeAndConfirm()
    {
        var sub = StreamSubscription.Candles(_btcUsdt, MarketType.Spot, _1m);
        var (result, events) = Parse([sub],
            """{"arg":{"channel":"candle1m","instId":"BTC-USDT"},"data":[["1700000040000","37000.1","37010","36990.5","37005.2","12.5","462500.25","462500.25","0"],["1700000000000","36950","37001","36940","37000.1","20","739000","739000","1"]]}""");

        result.Kind.ShouldBe(FrameKind.Data);
        var candles = events.Cast<CandleEvent>().ToList();
        candles.Count.ShouldBe(2);
        candles[0].Subscription.ShouldBe(sub);
        candles[0].ReceivedAt.ShouldBe(1700000050000);
        candles[0].IsClosed.ShouldBeFalse();
        candles[0].Candle.ShouldBe(new Candle(1700000040000, 37000.1m, 37010m, 36990.5m, 37005.2m, 12.5m, 462500.25m));
        candles[1].IsClosed.ShouldBeTrue();
        candles[1].Candle.OpenTime.ShouldBe(1700000000000);
    }

    [Fact]
    public void Parse_SwapCandleFrame_VolumeIsVolCcyNotContracts()
    {
        var sub = StreamSubscription.Candles(_btcSwap, MarketType.Swap, _1m);
        var (_, events) = Parse([sub],
            """{"arg":{"channel":"candle1m","instId":"BTC-USDT-SWAP"},"data":[["1700000040000","37000","37000","37000","37000","150","1.5","55500","1"]]}""");

        var candle = events.Cast<CandleEvent>().ShouldHaveSingleItem().Candle;
        candle.Volume.ShouldBe(1.5m);
        candle.QuoteVolume.ShouldBe(55500m);
    }

    [Fact]
    public void Parse_IndexCandleOfAFamily_FeedsEverySubscriptionOfThatIndex()
    {
        var swap = StreamSubscription.Candles(_btcInverse, MarketType.Swap, _1m, PriceType.Index);
        var future = StreamSubscription.Candles(_btcFuture, MarketType.Future, _1m, PriceType.Index);
        var (_, events) = Parse([swap, future],
            """{"arg":{"channel":"index-candle1m","instId":"BTC-USD"},"data":[["1700000040000","37000.5","37001","36999","37000","1"]]}""");

        events.Cast<CandleEvent>().Select(e => e.Subscription).ShouldBe([swap, future]);
        events.Cast<CandleEvent>().ShouldAllBe(e => e.IsClosed && e.Candle.Volume == 0 && e.Candle.Close == 37000m);
    }

    [Fact]
    public void Parse_TradeFrame_TradeWithIdTimeTakerSide()
    {
        var sub = StreamSubscription.Trades(_btcUsdt, MarketType.Spot);
        var (_, events) = Parse([sub],
            """{"arg":{"channel":"trades-all","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"130639474","px":"42219.9","sz":"0.12060306","side":"sell","ts":"1630048897897","count":"3","seqId":1234}]}""");

        events.Cast<TradeEvent>().ShouldHaveSingleItem().Trade.ShouldBe(new Trade("130639474", 1630048897897, 42219.9m, 0.12060306m, TradeSide.Sell));
    }

    [Theory]
    [InlineData("pong")]
    [InlineData("""{"event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"},"connId":"a4d3ae55"}""")]
    [InlineData("""{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade. Please reconnect.","connId":"a4d3ae55"}""")]
    [InlineData("""{"event":"channel-conn-count","channel":"orders","connCount":"2","connId":"abcd1234"}""")]
    public void Parse_ControlFrames_Control(string frame) =>
        Parse([], frame).Result.Kind.ShouldBe(FrameKind.Control);

    [Fact]
    public void Parse_ErrorEventOfABadArgument_RejectedWithOkxMessage()
    {
        var (result, events) = Parse([], """{"event":"error","code":"60018","msg":"Wrong URL or channel:candle1m,instId:FOO-BAR doesn't exist.","connId":"a4d3ae55"}""");

        result.Kind.ShouldBe(FrameKind.Rejected);
        result.Message.ShouldNotBeNull().ShouldContain("FOO-BAR doesn't exist");
        result.Message.ShouldContain("60018");
        events.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_OtherErrorEvent_Error() =>
        Parse([], """{"event":"error","code":"64000","msg":"Subscription parameter uly is unavailable anymore."}""").Result.Kind.ShouldBe(FrameKind.Error);

    [Fact]
    public void Parse_BooksFrame_DataWithoutEvents()
    {
        var (result, events) = Parse([StreamSubscription.Trades(_btcUsdt, MarketType.Spot)],
            """{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["8476.98","415","0","13"]],"bids":[],"ts":"1597026383085","checksum":-855196043}]}""");

        result.Kind.ShouldBe(FrameKind.Data);
        events.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("")]
    [InlineData(""""{"arg":{"channel":"trades-all","instId":"BTC-USDT"},"data":[{"tradeId":"1","px":"1"""")]
    [InlineData("""{"arg":{"channel":"trades-all","instId":"BTC-USDT"},"data":[{"tradeId":"1","px":"1","sz":"2","side":"buy","ts":"1"},{"tradeId":"2","px":"x","sz":"2","side":"buy","ts":"1"}]}""")]
    [InlineData("""{"arg":{"channel":"candle1m","instId":"BTC-USDT"},"data":[["1700000040000","1","1"]]}""")]
    [InlineData("[1,2,3]")]
    public void Parse_Garbage_MalformedWithoutEvents(string frame)
    {
        var (result, events) = Parse([StreamSubscription.Trades(_btcUsdt, MarketType.Spot), StreamSubscription.Candles(_btcUsdt, MarketType.Spot, _1m)], frame);

        result.Kind.ShouldBe(FrameKind.Malformed);
        result.Message.ShouldNotBeNullOrEmpty();
        events.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_ReplayWithoutGroup_ResolvesSubscriptionsOffTheFrames()
    {
        var parser = _protocol.CreateParser(_symbols, null, new Uri("wss://ws.okx.com:8443/ws/v5/business"));
        var events = new List<MarketEvent>();

        parser.Parse(Encoding.UTF8.GetBytes("""{"arg":{"channel":"mark-price-candle1H","instId":"BTC-USDT-SWAP"},"data":[["1700000000000","1","2","0.5","1.5","1"]]}"""), 5, events);
        parser.Parse(Encoding.UTF8.GetBytes("""{"arg":{"channel":"trades","instId":"ETH-USD-231229"},"data":[{"tradeId":"7","px":"2000","sz":"3","side":"buy","ts":"9"}]}"""), 6, events);

        events[0].Subscription.ShouldBe(StreamSubscription.Candles(_btcSwap, MarketType.Swap, Timeframe.OneHour, PriceType.Mark));
        events[1].Subscription.ShouldBe(StreamSubscription.Trades(Symbol.Parse("ETH/USD:ETH-231229"), MarketType.Future)); // not listed: the fallback parser
    }

    [Theory]
    [InlineData("BTC-USDT", MarketType.Spot, "BTC/USDT")]
    [InlineData("BTC-USDT-SWAP", MarketType.Swap, "BTC/USDT:USDT")]
    [InlineData("UNI-USD-SWAP", MarketType.Swap, "UNI/USD:UNI")]
    [InlineData("BTC-USD-220527", MarketType.Future, "BTC/USD:BTC-220527")]
    public void ParseId_OkxIdShapes_UnifiedSymbols(string id, MarketType type, string expected) =>
        OkxStreamProtocol.ParseId(id, type).ShouldBe(Symbol.Parse(expected));

    [Theory]
    [InlineData("BTC-USDT", MarketType.Swap)]
    [InlineData("BTC-USD-220527-30000-C", MarketType.Future)]
    public void ParseId_WrongShape_Null(string id, MarketType type) => OkxStreamProtocol.ParseId(id, type).ShouldBeNull();

    private (FrameResult Result, List<MarketEvent> Events) Parse(IReadOnlyList<StreamSubscription> group, string frame)
    {
        var parser = _protocol.CreateParser(_symbols, group, new Uri("wss://ws.okx.com:8443/ws/v5/public"));
        var events = new List<MarketEvent>();
        var result = parser.Parse(Encoding.UTF8.GetBytes(frame), 1700000050000, events);
        return (result, events);
    }
}
