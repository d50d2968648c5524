using System.Text;
using Coinlake.Exchanges.Binance.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Binance.Socket;

/// <summary>Protocol round trips of <see cref="BinanceStreamProtocol"/>: endpoints, subscribe messages, limits, and frames per the docs.</summary>
public sealed class BinanceStreamProtocolTests
{
    private static readonly Symbol BtcUsdt = new("BTC", "USDT");
    private static readonly Symbol BtcSwap = new("BTC", "USDT", "USDT");

    private static readonly StreamSymbols Symbols = new(
    [
        new MarketInfo(BtcUsdt, "BTCUSDT", MarketType.Spot, MarketSubtype.None, true),
        new MarketInfo(new Symbol("ETH", "BTC"), "ETHBTC", MarketType.Spot, MarketSubtype.None, true),
        new MarketInfo(BtcSwap, "BTCUSDT", MarketType.Swap, MarketSubtype.Linear, true),
    ]);

    [Fact]
    public void SubscribeMessages_Group_OneSubscribeRequestWithLowerCaseStreamNames()
    {
        var protocol = new BinanceStreamProtocol("binance");
        var group = new[]
        {
            StreamSubscription.Candles(BtcUsdt, MarketType.Spot, Timeframe.Parse("15m")),
            StreamSubscription.Trades(BtcUsdt, MarketType.Spot),
            StreamSubscription.Tickers(new Symbol("ETH", "BTC"), MarketType.Spot),
        };

        protocol.SubscribeMessages(group, Symbols).ShouldBe(
            ["{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@kline_15m\",\"btcusdt@aggTrade\",\"ethbtc@ticker\"],\"id\":1}"]);
    }

    [Fact]
    public void Limits_FollowTheDocs_1024StreamsListSubscriptionsKeepAlive250msBetweenSends()
    {
        var protocol = new BinanceStreamProtocol("binance");
        protocol.MaxSubscriptionsPerConnection.ShouldBe(1024);
        protocol.KeepAlive.ShouldNotBeNull().Message.ShouldBe("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":0}");
        protocol.KeepAlive.Interval.ShouldBeLessThan(new StreamOptions().StallTimeout);
        protocol.MinimumSendInterval.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(200));
    }

    [Theory]
    [InlineData("binance", MarketType.Spot, null, "wss://stream.binance.com:9443/stream")]
    [InlineData("binance", MarketType.Swap, null, "wss://fstream.binance.com/market/stream")]
    [InlineData("binanceusdm", MarketType.Swap, null, "wss://fstream.binance.com/market/stream")]
    [InlineData("binanceus", MarketType.Spot, null, "wss://stream.binance.us:9443/stream")]
    [InlineData("binance", MarketType.Spot, "http://127.0.0.1:5123", "ws://127.0.0.1:5123/stream")]
    [InlineData("binance", MarketType.Future, "https://mirror.example", "wss://mirror.example/market/stream")]
    public async Task GetEndpointAsync_MarketAndOverride_ProductionHostOrOverrideWithTheSamePath(string exchange, MarketType type, string? endpointOverride, string expected)
    {
        var symbol = type == MarketType.Spot ? BtcUsdt : BtcSwap;
        var url = await new BinanceStreamProtocol(exchange).GetEndpointAsync(
            [StreamSubscription.Trades(symbol, type)], endpointOverride is null ? null : new Uri(endpointOverride), CancellationToken.None);
        url.ShouldBe(new Uri(expected));
    }

    [Fact]
    public void EndpointKey_SpotAndFutures_Differ()
    {
        var protocol = new BinanceStreamProtocol("binance");
        protocol.EndpointKey(StreamSubscription.Trades(BtcUsdt, MarketType.Spot))
            .ShouldNotBe(protocol.EndpointKey(StreamSubscription.Trades(BtcSwap, MarketType.Swap)));
    }

    [Fact]
    public void WhyUnsupported_WhatBinanceDoesNotStream_SaysWhyAndWhatToUse()
    {
        new BinanceStreamProtocol("binance").WhyUnsupported(StreamSubscription.Candles(BtcSwap, MarketType.Swap, Timeframe.OneMinute, PriceType.Index))
            .ShouldNotBeNull().ShouldContain("backfill");
        new BinanceStreamProtocol("binance").WhyUnsupported(StreamSubscription.Candles(BtcSwap, MarketType.Swap, Timeframe.Parse("1s")))
            .ShouldNotBeNull().ShouldContain("1m");
        new BinanceStreamProtocol("binanceus").WhyUnsupported(StreamSubscription.Trades(BtcSwap, MarketType.Swap)).ShouldNotBeNull().ShouldContain("binanceusdm");
        new BinanceStreamProtocol("binanceusdm").WhyUnsupported(StreamSubscription.Trades(BtcUsdt, MarketType.Spot)).ShouldNotBeNull().ShouldContain("'binance'");
        new BinanceStreamProtocol("binance").WhyUnsupported(new StreamSubscription(BtcUsdt, MarketType.Spot, StreamChannel.Candles)).ShouldNotBeNull();
        new BinanceStreamProtocol("binance").WhyUnsupported(StreamSubscription.Candles(BtcUsdt, MarketType.Spot, Timeframe.Parse("1s"))).ShouldBeNull();
        new BinanceStreamProtocol("binance").WhyUnsupported(StreamSubscription.Tickers(BtcSwap, MarketType.Swap)).ShouldBeNull();
    }

    [Fact]
    public void Constructor_UnknownExchange_Throws() =>
        Should.Throw<ArgumentException>(() => new BinanceStreamProtocol("binancee")).Message.ShouldContain("binanceusdm");

    [Theory]
    [InlineData("{\"result\":null,\"id\":1}")]
    [InlineData("{\"result\":[\"btcusdt@aggTrade\"],\"id\":0}")]
    public void Parse_Reply_IsControl(string frame) => Parse(frame, out var events).Kind.ShouldBe(FrameKind.Control);

    [Theory]
    [InlineData("{\"code\":2,\"msg\":\"Invalid request: too many parameters\",\"id\":1}", "code 2: Invalid request: too many parameters")]
    [InlineData("{\"error\":{\"code\":2,\"msg\":\"Invalid request: unknown stream\"},\"id\":1}", "code 2: Invalid request: unknown stream")]
    public void Parse_ErrorReply_IsRejectedWithBinancesMessage(string frame, string message)
    {
        var result = Parse(frame, out _);
        result.Kind.ShouldBe(FrameKind.Rejected);
        result.Message.ShouldBe(message);
    }

    [Fact]
    public void Parse_ServerShutdown_IsError() =>
        Parse("{\"stream\":\"!serverShutdown\",\"data\":{\"e\":\"serverShutdown\",\"E\":1770123456789}}", out _).Kind.ShouldBe(FrameKind.Error);

    [Theory]
    [InlineData("{\"this is not\": json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"foo\":1}")]
    [InlineData("{\"stream\":\"btcusdt@aggTrade\",\"data\":{\"e\":\"aggTrade\",\"s\":\"BTCUSDT\",\"a\":\"x\"}}")]
    [InlineData("{\"stream\":\"btcusdt@kline_1m\",\"data\":{\"e\":\"kline\",\"s\":\"BTCUSDT\",\"k\":{\"t\":1,\"i\":\"1m\"}}}")]
    public void Parse_Garbage_IsMalformedWithoutThrowing(string frame)
    {
        Parse(frame, out var events).Kind.ShouldBe(FrameKind.Malformed);
        events.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_DepthUpdate_IsDataWithoutEvents()
    {
        Parse("{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":1,\"u\":2,\"b\":[[\"1.0\",\"2.0\"]],\"a\":[]}}", out var events)
            .Kind.ShouldBe(FrameKind.Data);
        events.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_Spot24hrTicker_MapsEveryDocumentedField()
    {
        // The payload of "Individual Symbol Ticker Streams" (spot web-socket-streams.md).
        const string frame = "{\"stream\":\"btcusdt@ticker\",\"data\":{\"e\":\"24hrTicker\",\"E\":1672515782136,\"s\":\"BTCUSDT\",\"p\":\"0.0015\",\"P\":\"250.00\",\"w\":\"0.0018\","
            + "\"x\":\"0.0009\",\"c\":\"0.0025\",\"Q\":\"10\",\"b\":\"0.0024\",\"B\":\"10\",\"a\":\"0.0026\",\"A\":\"100\",\"o\":\"0.0010\",\"h\":\"0.0025\",\"l\":\"0.0010\","
            + "\"v\":\"10000\",\"q\":\"18\",\"O\":0,\"C\":86400000,\"F\":0,\"L\":18150,\"n\":18151}}";
        Parse(frame, out var events).Kind.ShouldBe(FrameKind.Data);
        var ticker = events.ShouldHaveSingleItem().ShouldBeOfType<TickerEvent>().Ticker;
        ticker.ShouldBe(new Coinlake.Tickers.Ticker(BtcUsdt, 1672515782136, 0.0025m, 0.0024m, 0.0026m, 0.0025m, 0.0010m, 0.0010m, 10000m, 18m, 0.0015m, 250.00m));
    }

    [Fact]
    public void Parse_UsdmKlineAndAggTrade_ResolveToTheSwapAndKeepExactDecimals()
    {
        var parser = new BinanceStreamProtocol("binance").CreateParser(Symbols, null, new Uri("wss://fstream.binance.com/market/stream"));
        var events = new List<MarketEvent>();
        parser.Parse(Encoding.UTF8.GetBytes("{\"stream\":\"btcusdt@kline_1m\",\"data\":{\"e\":\"kline\",\"E\":1,\"s\":\"BTCUSDT\",\"k\":{\"t\":1672515780000,\"T\":1672515839999,"
            + "\"s\":\"BTCUSDT\",\"i\":\"1m\",\"f\":100,\"L\":200,\"o\":\"0.0010\",\"c\":\"0.0020\",\"h\":\"0.0025\",\"l\":\"0.0015\",\"v\":\"1000\",\"n\":100,\"x\":true,\"q\":\"1.0000\",\"V\":\"500\",\"Q\":\"0.500\",\"B\":\"123456\"}}}"), 5, events)
            .Kind.ShouldBe(FrameKind.Data);
        parser.Parse(Encoding.UTF8.GetBytes("{\"stream\":\"btcusdt@aggTrade\",\"data\":{\"e\":\"aggTrade\",\"E\":1,\"s\":\"BTCUSDT\",\"a\":5933014,\"p\":\"0.001\",\"q\":\"100\",\"f\":100,\"l\":105,\"T\":123456785,\"m\":true}}"), 6, events)
            .Kind.ShouldBe(FrameKind.Data);

        var candle = events[0].ShouldBeOfType<CandleEvent>();
        candle.Subscription.ShouldBe(StreamSubscription.Candles(BtcSwap, MarketType.Swap, Timeframe.OneMinute));
        candle.IsClosed.ShouldBeTrue();
        candle.ReceivedAt.ShouldBe(5);
        candle.Candle.ShouldBe(new Coinlake.Candles.Candle(1672515780000, 0.0010m, 0.0025m, 0.0015m, 0.0020m, 1000m, 1.0000m, 100));
        candle.Candle.Open.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("0.0010");
        var trade = events[1].ShouldBeOfType<TradeEvent>();
        trade.Subscription.ShouldBe(StreamSubscription.Trades(BtcSwap, MarketType.Swap));
        trade.Trade.ShouldBe(new Trade("5933014", 123456785, 0.001m, 100m, TradeSide.Sell));
    }

    [Fact]
    public void Parse_LiveConnection_DropsStreamsItDidNotSubscribeAndReusesTheGroupsSubscription()
    {
        var subscription = StreamSubscription.Trades(BtcUsdt, MarketType.Spot);
        var parser = new BinanceStreamProtocol("binance").CreateParser(Symbols, [subscription], new Uri("ws://127.0.0.1:1/stream"));
        var events = new List<MarketEvent>();
        const string trade = "{\"stream\":\"{0}@aggTrade\",\"data\":{\"e\":\"aggTrade\",\"E\":1,\"s\":\"{1}\",\"a\":1,\"p\":\"1\",\"q\":\"1\",\"f\":1,\"l\":1,\"T\":1,\"m\":false}}";
        parser.Parse(Encoding.UTF8.GetBytes(trade.Replace("{0}", "ethbtc", StringComparison.Ordinal).Replace("{1}", "ETHBTC", StringComparison.Ordinal)), 1, events).Kind.ShouldBe(FrameKind.Data);
        events.ShouldBeEmpty();
        parser.Parse(Encoding.UTF8.GetBytes(trade.Replace("{0}", "btcusdt", StringComparison.Ordinal).Replace("{1}", "BTCUSDT", StringComparison.Ordinal)), 1, events).Kind.ShouldBe(FrameKind.Data);
        events.ShouldHaveSingleItem().Subscription.ShouldBeSameAs(subscription);
    }

    [Theory]
    [InlineData("NKNUSDT", MarketType.Spot, "NKN/USDT")]
    [InlineData("BTCFDUSD", MarketType.Spot, "BTC/FDUSD")]
    [InlineData("LRCBTC", MarketType.Spot, "LRC/BTC")]
    [InlineData("sushiusdt", MarketType.Swap, "SUSHI/USDT:USDT")]
    [InlineData("BTCUSDT_240628", MarketType.Future, "BTC/USDT:USDT-240628")]
    [InlineData("BTCUSDT_240628", MarketType.Swap, null)]
    [InlineData("BTCUSDT", MarketType.Future, null)]
    [InlineData("FOOXYZ", MarketType.Spot, null)]
    public void ParseId_BinanceIds_UnifiedSymbolOrNull(string id, MarketType type, string? expected) =>
        (BinanceStreamProtocol.ParseId(id, type)?.ToString()).ShouldBe(expected);

    private static FrameResult Parse(string frame, out List<MarketEvent> events)
    {
        events = [];
        var parser = new BinanceStreamProtocol("binance").CreateParser(Symbols, null, new Uri("wss://stream.binance.com:9443/stream"));
        return parser.Parse(Encoding.UTF8.GetBytes(frame), 1, events);
    }
}
