using System.Text;
using Coinlake.Candles;
using Coinlake.Exchanges.Bybit.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Bybit.Socket;

/// <summary>
/// Protocol round trips of <see cref="BybitStreamProtocol"/> on the v5 documentation's own examples (Bybit's captures in
/// shared/data are the retired pre-v5 schema, so there is no replay test for them).
/// </summary>
public sealed class BybitStreamProtocolTests
{
    private static readonly Symbol BtcUsdt = new("BTC", "USDT");
    private static readonly Symbol BtcSwap = new("BTC", "USDT", "USDT");
    private static readonly Symbol BtcInverse = new("BTC", "USD", "BTC");

    private static readonly StreamSymbols Symbols = new(
    [
        new MarketInfo(BtcUsdt, "BTCUSDT", MarketType.Spot, MarketSubtype.None, true),
        new MarketInfo(BtcSwap, "BTCUSDT", MarketType.Swap, MarketSubtype.Linear, true),
        new MarketInfo(BtcInverse, "BTCUSD", MarketType.Swap, MarketSubtype.Inverse, true),
        .. Enumerable.Range(0, 12).Select(i => new MarketInfo(new Symbol($"C{i}", "USDT"), $"C{i}USDT", MarketType.Spot, MarketSubtype.None, true)),
    ], BybitStreamProtocol.ParseId);

    private static readonly BybitStreamProtocol Protocol = new();

    [Fact]
    public void SubscribeMessages_TwelveTopics_RequestsOfAtMostTenArgs()
    {
        var group = Enumerable.Range(0, 12).Select(i => StreamSubscription.Trades(new Symbol($"C{i}", "USDT"), MarketType.Spot)).ToList();
        var messages = Protocol.SubscribeMessages(group, Symbols);
        messages.Count.ShouldBe(2);
        messages[0].ShouldBe("{\"op\":\"subscribe\",\"args\":[" + string.Join(',', Enumerable.Range(0, 10).Select(i => $"\"publicTrade.C{i}USDT\"")) + "],\"req_id\":\"1\"}");
        messages[1].ShouldBe("{\"op\":\"subscribe\",\"args\":[\"publicTrade.C10USDT\",\"publicTrade.C11USDT\"],\"req_id\":\"2\"}");
    }

    [Fact]
    public void Topic_EachChannel_IsTheDocumentedTopicName()
    {
        BybitStreamProtocol.Topic(StreamSubscription.Candles(BtcSwap, MarketType.Swap, Timeframe.Parse("30m")), Symbols).ShouldBe("kline.30.BTCUSDT");
        BybitStreamProtocol.Topic(StreamSubscription.Candles(BtcSwap, MarketType.Swap, Timeframe.Parse("1d")), Symbols).ShouldBe("kline.D.BTCUSDT");
        BybitStreamProtocol.Topic(StreamSubscription.Trades(BtcUsdt, MarketType.Spot), Symbols).ShouldBe("publicTrade.BTCUSDT");
        BybitStreamProtocol.Topic(StreamSubscription.Tickers(BtcInverse, MarketType.Swap), Symbols).ShouldBe("tickers.BTCUSD");
    }

    [Fact]
    public void Limits_PingEvery20SecondsAndBoundedTopicsPerConnection()
    {
        Protocol.KeepAlive.ShouldNotBeNull().Message.ShouldBe("{\"op\":\"ping\"}");
        Protocol.KeepAlive.Interval.ShouldBe(TimeSpan.FromSeconds(20));
        Protocol.KeepAlive.Interval.ShouldBeLessThan(new StreamOptions().StallTimeout);
        Protocol.MaxSubscriptionsPerConnection.ShouldBeInRange(10, 1000);
    }

    [Theory]
    [InlineData(MarketType.Spot, "BTC/USDT", null, "wss://stream.bybit.com/v5/public/spot")]
    [InlineData(MarketType.Swap, "BTC/USDT:USDT", null, "wss://stream.bybit.com/v5/public/linear")]
    [InlineData(MarketType.Swap, "BTC/USD:BTC", null, "wss://stream.bybit.com/v5/public/inverse")]
    [InlineData(MarketType.Future, "BTC/USDC:USDC-240329", null, "wss://stream.bybit.com/v5/public/linear")]
    [InlineData(MarketType.Spot, "BTC/USDT", "https://api-testnet.bybit.com", "wss://api-testnet.bybit.com/v5/public/spot")]
    public async Task GetEndpointAsync_Category_ItsEndpoint(MarketType type, string symbol, string? endpointOverride, string expected)
    {
        var url = await Protocol.GetEndpointAsync([StreamSubscription.Trades(Symbol.Parse(symbol), type)],
            endpointOverride is null ? null : new Uri(endpointOverride), CancellationToken.None);
        url.ShouldBe(new Uri(expected));
    }

    [Fact]
    public void EndpointKey_Categories_Differ()
    {
        var keys = new[]
        {
            Protocol.EndpointKey(StreamSubscription.Trades(BtcUsdt, MarketType.Spot)),
            Protocol.EndpointKey(StreamSubscription.Trades(BtcSwap, MarketType.Swap)),
            Protocol.EndpointKey(StreamSubscription.Trades(BtcInverse, MarketType.Swap)),
        };
        keys.ShouldBe(["spot", "linear", "inverse"]);
    }

    [Fact]
    public void WhyUnsupported_MarkCandlesAndMissingIntervals_SaysWhy()
    {
        Protocol.WhyUnsupported(StreamSubscription.Candles(BtcSwap, MarketType.Swap, Timeframe.OneMinute, PriceType.Mark)).ShouldNotBeNull().ShouldContain("REST");
        Protocol.WhyUnsupported(StreamSubscription.Candles(BtcSwap, MarketType.Swap, Timeframe.Parse("8h"))).ShouldNotBeNull().ShouldContain("12h");
        Protocol.WhyUnsupported(StreamSubscription.Candles(BtcUsdt, MarketType.Spot, Timeframe.Parse("1s"))).ShouldNotBeNull();
        Protocol.WhyUnsupported(StreamSubscription.Candles(BtcUsdt, MarketType.Spot, Timeframe.Parse("1M"))).ShouldBeNull();
        Protocol.WhyUnsupported(StreamSubscription.Tickers(BtcInverse, MarketType.Swap)).ShouldBeNull();
    }

    [Theory]
    [InlineData("{\"success\":true,\"ret_msg\":\"pong\",\"conn_id\":\"0970e817-426e-429a-a679-ff7f55e0b16a\",\"op\":\"ping\"}")]
    [InlineData("{\"success\":true,\"ret_msg\":\"subscribe\",\"conn_id\":\"2324d924-aa4d-45b0-a858-7b8be29ab52b\",\"req_id\":\"10001\",\"op\":\"subscribe\"}")]
    [InlineData("{\"args\":[\"1672916271846\"],\"op\":\"pong\"}")]
    public void Parse_DocumentedReplies_AreControl(string frame) => Parse(frame, "spot", out _).Kind.ShouldBe(FrameKind.Control);

    [Fact]
    public void Parse_FailedSubscribe_IsRejectedWithBybitsMessage()
    {
        var result = Parse("{\"success\":false,\"ret_msg\":\"error:handler not found,topic:kline.2.BTCUSDT\",\"conn_id\":\"x\",\"req_id\":\"1\",\"op\":\"subscribe\"}", "spot", out _);
        result.Kind.ShouldBe(FrameKind.Rejected);
        result.Message.ShouldBe("error:handler not found,topic:kline.2.BTCUSDT");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"topic\":\"kline.5.BTCUSDT\",\"data\":[{\"start\":1,\"open\":\"x\"}],\"ts\":1,\"type\":\"snapshot\"}")]
    [InlineData("{\"topic\":\"publicTrade.BTCUSDT\",\"ts\":1}")]
    [InlineData("{\"hello\":1}")]
    public void Parse_Garbage_IsMalformed(string frame) => Parse(frame, "linear", out _).Kind.ShouldBe(FrameKind.Malformed);

    [Fact]
    public void Parse_OrderBook_IsDataWithoutEvents()
    {
        Parse("{\"topic\":\"orderbook.50.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1,\"data\":{\"s\":\"BTCUSDT\",\"b\":[[\"1\",\"2\"]],\"a\":[],\"u\":1,\"seq\":2}}", "linear", out var events)
            .Kind.ShouldBe(FrameKind.Data);
        events.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_DocumentedKline_IsACandleWithConfirmAsClosed()
    {
        // "Kline" response example.
        const string frame = "{\"topic\":\"kline.5.BTCUSDT\",\"data\":[{\"start\":1672324800000,\"end\":1672325099999,\"interval\":\"5\",\"open\":\"16649.5\",\"close\":\"16677\","
            + "\"high\":\"16677\",\"low\":\"16608\",\"volume\":\"2.081\",\"turnover\":\"34666.4005\",\"confirm\":false,\"timestamp\":1672324988882}],\"ts\":1672324988882,\"type\":\"snapshot\"}";
        Parse(frame, "linear", out var events).Kind.ShouldBe(FrameKind.Data);
        var candle = events.ShouldHaveSingleItem().ShouldBeOfType<CandleEvent>();
        candle.Subscription.ShouldBe(StreamSubscription.Candles(BtcSwap, MarketType.Swap, Timeframe.Parse("5m")));
        candle.Candle.ShouldBe(new Candle(1672324800000, 16649.5m, 16677m, 16608m, 16677m, 2.081m, 34666.4005m));
        candle.IsClosed.ShouldBeFalse();
    }

    [Fact]
    public void Parse_InverseKline_VolumeInBaseFromTurnover()
    {
        const string frame = "{\"topic\":\"kline.1.BTCUSD\",\"data\":[{\"start\":60000,\"end\":119999,\"interval\":\"1\",\"open\":\"100\",\"close\":\"101\","
            + "\"high\":\"102\",\"low\":\"99\",\"volume\":\"5000\",\"turnover\":\"49.5\",\"confirm\":true,\"timestamp\":119999}],\"ts\":119999,\"type\":\"snapshot\"}";
        Parse(frame, "inverse", out var events);
        var candle = events.ShouldHaveSingleItem().ShouldBeOfType<CandleEvent>();
        candle.Subscription.Symbol.ShouldBe(BtcInverse);
        candle.Candle.Volume.ShouldBe(49.5m);
        candle.Candle.QuoteVolume.ShouldBe(5000m);
        candle.IsClosed.ShouldBeTrue();
    }

    [Fact]
    public void Parse_DocumentedTrade_IsATradeWithIdSideAndExactDecimals()
    {
        // "Trade" response example.
        const string frame = "{\"topic\":\"publicTrade.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1672304486868,\"data\":[{\"T\":1672304486865,\"s\":\"BTCUSDT\",\"S\":\"Buy\",\"v\":\"0.001\","
            + "\"p\":\"16578.50\",\"L\":\"PlusTick\",\"i\":\"20f43950-d8dd-5b31-9112-a178eb6023af\",\"BT\":false,\"seq\":1783284617},"
            + "{\"T\":1672304486866,\"s\":\"BTCUSDT\",\"S\":\"Sell\",\"v\":\"0.5\",\"p\":\"16578.4\",\"i\":\"2\",\"BT\":false}]}";
        Parse(frame, "linear", out var events).Kind.ShouldBe(FrameKind.Data);
        events.Count.ShouldBe(2);
        var first = events[0].ShouldBeOfType<TradeEvent>();
        first.Subscription.ShouldBe(StreamSubscription.Trades(BtcSwap, MarketType.Swap));
        first.Trade.ShouldBe(new Trade("20f43950-d8dd-5b31-9112-a178eb6023af", 1672304486865, 16578.50m, 0.001m, TradeSide.Buy));
        events[1].ShouldBeOfType<TradeEvent>().Trade.Side.ShouldBe(TradeSide.Sell);
    }

    [Fact]
    public void Parse_TickerSnapshotThenDelta_MergesTheChangedFields()
    {
        var parser = Protocol.CreateParser(Symbols, null, new Uri("wss://stream.bybit.com/v5/public/linear"));
        var events = new List<MarketEvent>();
        parser.Parse(Encoding.UTF8.GetBytes("{\"topic\":\"tickers.BTCUSDT\",\"type\":\"snapshot\",\"data\":{\"symbol\":\"BTCUSDT\",\"tickDirection\":\"PlusTick\",\"price24hPcnt\":\"0.017103\","
            + "\"lastPrice\":\"17216.00\",\"prevPrice24h\":\"16926.50\",\"highPrice24h\":\"17281.50\",\"lowPrice24h\":\"16915.00\",\"markPrice\":\"17217.33\",\"turnover24h\":\"91716.4\","
            + "\"volume24h\":\"5.4\",\"bid1Price\":\"17215.50\",\"bid1Size\":\"84.489\",\"ask1Price\":\"17216.00\",\"ask1Size\":\"83.020\"},\"cs\":24987956059,\"ts\":1673272861686}"), 1, events)
            .Kind.ShouldBe(FrameKind.Data);
        parser.Parse(Encoding.UTF8.GetBytes("{\"topic\":\"tickers.BTCUSDT\",\"type\":\"delta\",\"data\":{\"symbol\":\"BTCUSDT\",\"lastPrice\":\"17220.00\",\"bid1Price\":\"17219.50\"},"
            + "\"cs\":24987956060,\"ts\":1673272861700}"), 2, events).Kind.ShouldBe(FrameKind.Data);

        events.Count.ShouldBe(2);
        events[0].ShouldBeOfType<TickerEvent>().Ticker.ShouldBe(new Ticker(BtcSwap, 1673272861686, 17216.00m, 17215.50m, 17216.00m, 17281.50m, 16915.00m, 16926.50m,
            5.4m, 91716.4m, 17216.00m - 16926.50m, 1.7103m));
        events[1].ShouldBeOfType<TickerEvent>().Ticker.ShouldBe(new Ticker(BtcSwap, 1673272861700, 17220.00m, 17219.50m, 17216.00m, 17281.50m, 16915.00m, 16926.50m,
            5.4m, 91716.4m, 17220.00m - 16926.50m, 1.7103m));
    }

    [Fact]
    public void Parse_LiveConnection_DropsTopicsItDidNotSubscribe()
    {
        var subscription = StreamSubscription.Trades(BtcUsdt, MarketType.Spot);
        var parser = Protocol.CreateParser(Symbols, [subscription], new Uri("ws://127.0.0.1:1/v5/public/spot"));
        var events = new List<MarketEvent>();
        const string trade = "{\"topic\":\"publicTrade.{0}\",\"type\":\"snapshot\",\"ts\":1,\"data\":[{\"T\":1,\"s\":\"{0}\",\"S\":\"Buy\",\"v\":\"1\",\"p\":\"1\",\"i\":\"1\"}]}";
        parser.Parse(Encoding.UTF8.GetBytes(trade.Replace("{0}", "C1USDT", StringComparison.Ordinal)), 1, events).Kind.ShouldBe(FrameKind.Data);
        events.ShouldBeEmpty();
        parser.Parse(Encoding.UTF8.GetBytes(trade.Replace("{0}", "BTCUSDT", StringComparison.Ordinal)), 1, events);
        events.ShouldHaveSingleItem().Subscription.ShouldBeSameAs(subscription);
    }

    [Theory]
    [InlineData("ETHUSDC", MarketType.Spot, "ETH/USDC")]
    [InlineData("BTCUSDT", MarketType.Swap, "BTC/USDT:USDT")]
    [InlineData("BTCPERP", MarketType.Swap, "BTC/USDC:USDC")]
    [InlineData("ETHUSD", MarketType.Swap, "ETH/USD:ETH")]
    [InlineData("BTC-29MAR24", MarketType.Future, "BTC/USDC:USDC-240329")]
    [InlineData("BTCUSDT-26DEC25", MarketType.Future, "BTC/USDT:USDT-251226")]
    [InlineData("BTCUSDH24", MarketType.Future, null)]
    public void ParseId_BybitIds_UnifiedSymbolOrNull(string id, MarketType type, string? expected) =>
        (BybitStreamProtocol.ParseId(id, type)?.ToString()).ShouldBe(expected);

    private static FrameResult Parse(string frame, string category, out List<MarketEvent> events)
    {
        events = [];
        var parser = Protocol.CreateParser(Symbols, null, new Uri($"wss://stream.bybit.com/v5/public/{category}"));
        return parser.Parse(Encoding.UTF8.GetBytes(frame), 1, events);
    }
}
