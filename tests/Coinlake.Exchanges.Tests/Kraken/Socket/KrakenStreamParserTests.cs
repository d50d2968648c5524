using System.Text;
using Coinlake.Candles;
using Coinlake.Exchanges.Kraken;
using Coinlake.Exchanges.Kraken.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Kraken.Socket;

/// <summary>Kraken v2 frames as "Spot WebSocket API v2" documents them, plus control, error and garbage frames.</summary>
public sealed class KrakenStreamParserTests
{
    private const long Received = 1_700_000_000_123;
    private static readonly Symbol BtcUsd = Symbol.Parse("BTC/USD");
    private static readonly Symbol AlgoUsd = Symbol.Parse("ALGO/USD");

    private static StreamSymbols Symbols() => KrakenStreamProtocol.CreateSymbols(
    [
        new MarketInfo(BtcUsd, "XXBTZUSD", MarketType.Spot, MarketSubtype.None, true),
        new MarketInfo(AlgoUsd, "ALGOUSD", MarketType.Spot, MarketSubtype.None, true),
    ], m => m.Id == "XXBTZUSD" ? "XBT/USD" : "ALGO/USD");

    private static (FrameResult Result, List<MarketEvent> Events) Parse(string frame, IReadOnlyList<StreamSubscription>? group = null)
    {
        var parser = KrakenClient.StreamProtocol.CreateParser(Symbols(), group, KrakenStreamProtocol.ProductionEndpoint);
        var events = new List<MarketEvent>();
        var result = parser.Parse(Encoding.UTF8.GetBytes(frame), Received, events);
        return (result, events);
    }

    [Fact]
    public void Parse_V2OhlcSnapshot_YieldsCandlesAtIntervalBeginWithTradeCount()
    {
        const string frame = """
            {"channel":"ohlc","type":"snapshot","timestamp":"2023-10-04T16:26:01.806315597Z","data":[
            {"symbol":"ALGO/USD","open":0.09875,"high":0.09875,"low":0.09875,"close":0.09875,"trades":1,"volume":201.86015,"vwap":0.09875,"interval_begin":"2023-10-04T15:25:00.000000000Z","interval":5,"timestamp":"2023-10-04T15:30:00.000000Z"},
            {"symbol":"ALGO/USD","open":0.09875,"high":0.0988,"low":0.09875,"close":0.09875,"trades":13,"volume":16255.46368,"vwap":0.09879,"interval_begin":"2023-10-04T15:30:00.000000000Z","interval":5,"timestamp":"2023-10-04T15:35:00.000000Z"}]}
            """;

        var (result, events) = Parse(frame);

        result.Kind.ShouldBe(FrameKind.Data);
        var candles = events.Cast<CandleEvent>().ToList();
        candles.Count.ShouldBe(2);
        candles[0].Subscription.ShouldBe(StreamSubscription.Candles(AlgoUsd, MarketType.Spot, Timeframe.Parse("5m")));
        candles[0].Candle.ShouldBe(new Candle(1696433100000, 0.09875m, 0.09875m, 0.09875m, 0.09875m, 201.86015m, null, 1));
        candles[1].Candle.ShouldBe(new Candle(1696433400000, 0.09875m, 0.0988m, 0.09875m, 0.09875m, 16255.46368m, null, 13));
        candles.ShouldAllBe(c => !c.IsClosed && c.ReceivedAt == Received);
    }

    [Fact]
    public void Parse_V2Trade_YieldsTakerSideTradeIdAndMicrosecondTimeFloored()
    {
        const string frame = """
            {"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"sell","price":26998.7,"qty":0.00011,"ord_type":"market","trade_id":64195017,"timestamp":"2023-09-25T07:49:37.708706Z"},
            {"symbol":"BTC/USD","side":"buy","price":"26998.8","qty":"1.5","ord_type":"limit","trade_id":64195018,"timestamp":"2023-09-25T07:49:37.709999Z"}]}
            """;

        var (result, events) = Parse(frame);

        result.Kind.ShouldBe(FrameKind.Data);
        var trades = events.Cast<TradeEvent>().ToList();
        trades[0].Subscription.ShouldBe(StreamSubscription.Trades(BtcUsd, MarketType.Spot));
        trades[0].Trade.ShouldBe(new Trade("64195017", 1695628177708, 26998.7m, 0.00011m, TradeSide.Sell));
        trades[1].Trade.ShouldBe(new Trade("64195018", 1695628177709, 26998.8m, 1.5m, TradeSide.Buy));
    }

    [Fact]
    public void Parse_V2Ticker_DerivesOpenFromLastMinusChange()
    {
        const string frame = """
            {"channel":"ticker","type":"snapshot","data":[{"symbol":"ALGO/USD","bid":0.10025,"bid_qty":740.0,"ask":0.10036,"ask_qty":1361.44813783,"last":0.10035,"volume":997038.98383185,"vwap":0.10148,"low":0.09979,"high":0.10285,"change":-0.00017,"change_pct":-0.17}]}
            """;

        var (result, events) = Parse(frame);

        result.Kind.ShouldBe(FrameKind.Data);
        var ticker = events.Cast<TickerEvent>().Single();
        ticker.Subscription.ShouldBe(StreamSubscription.Tickers(AlgoUsd, MarketType.Spot));
        ticker.Ticker.ShouldBe(new Ticker(AlgoUsd, Received, 0.10035m, 0.10025m, 0.10036m, 0.10285m, 0.09979m, 0.10052m,
            997038.98383185m, 997038.98383185m * 0.10148m, -0.00017m, -0.17m));
    }

    [Fact]
    public void Parse_V2TickerWithTimestamp_IsStampedWithIt()
    {
        var (_, events) = Parse("""{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","last":1,"timestamp":"2024-01-01T00:00:01.5Z"}]}""");

        events.Cast<TickerEvent>().Single().Ticker.Timestamp.ShouldBe(1704067201500);
    }

    [Theory]
    [InlineData("""{"channel":"heartbeat"}""")]
    [InlineData("""{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":1,"system":"online","version":"2.0.0"}]}""")]
    [InlineData("""{"method":"pong","req_id":101,"time_in":"2023-09-24T14:10:23.799685Z","time_out":"2023-09-24T14:10:23.799703Z"}""")]
    [InlineData("""{"method":"subscribe","result":{"channel":"ticker","snapshot":true,"symbol":"ALGO/USD"},"success":true,"time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}""")]
    [InlineData("""{"event":"heartbeat"}""")]
    [InlineData("""{"connectionID":1,"event":"systemStatus","status":"online","version":"1.8.3"}""")]
    [InlineData("""{"channelID":993,"channelName":"trade","event":"subscriptionStatus","pair":"XMR/USD","status":"subscribed","subscription":{"name":"trade"}}""")]
    public void Parse_ControlFrames_AreControlWithoutEvents(string frame)
    {
        var (result, events) = Parse(frame);

        result.Kind.ShouldBe(FrameKind.Control);
        events.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_RefusedSubscribe_IsRejectedWithKrakensError()
    {
        var (result, _) = Parse("""{"error":"Currency pair not supported ALGO/ABC","method":"subscribe","success":false,"symbol":"ALGO/ABC","time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}""");

        result.Kind.ShouldBe(FrameKind.Rejected);
        result.Message.ShouldBe("Currency pair not supported ALGO/ABC (ALGO/ABC)");
    }

    [Fact]
    public void Parse_V1SubscriptionError_IsRejected()
    {
        var (result, _) = Parse("""{"errorMessage":"Currency pair not in ISO 4217-A3 format XBTUSD","event":"subscriptionStatus","pair":"XBTUSD","status":"error","subscription":{"name":"trade"}}""");

        result.Kind.ShouldBe(FrameKind.Rejected);
        result.Message!.ShouldStartWith("Currency pair not in ISO 4217-A3 format XBTUSD");
    }

    [Fact]
    public void Parse_FailedOtherRequest_IsError()
    {
        var (result, _) = Parse("""{"error":"Exceeded msg rate","method":"ping","success":false}""");

        result.Kind.ShouldBe(FrameKind.Error);
        result.Message!.ShouldContain("Exceeded msg rate");
    }

    [Fact]
    public void Parse_BookFrame_IsDataWithoutEvents()
    {
        var (result, events) = Parse("""{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":0.1,"qty":1}],"asks":[],"checksum":1,"timestamp":"2023-10-06T17:35:55.440295Z"}]}""");

        result.Kind.ShouldBe(FrameKind.Data);
        events.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("{\"this is not\": json at all")]
    [InlineData("")]
    [InlineData("42")]
    [InlineData("""{"hello":"world"}""")]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":"abc","qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37.708706Z"}]}""")]
    [InlineData("""{"channel":"ohlc","type":"update"}""")]
    [InlineData("""[1,"x"]""")]
    public void Parse_Garbage_IsMalformedAndNeverThrows(string frame)
    {
        var (result, events) = Parse(frame);

        result.Kind.ShouldBe(FrameKind.Malformed);
        events.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_MalformedSecondItem_AddsNoEventOfTheFrame()
    {
        var (result, events) = Parse("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"},{"symbol":"BTC/USD"}]}""");

        result.Kind.ShouldBe(FrameKind.Malformed);
        events.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_LiveGroup_EmitsOnlyTheGroupsSubscriptions()
    {
        var group = new[] { StreamSubscription.Trades(AlgoUsd, MarketType.Spot) };
        var (_, events) = Parse("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"},{"symbol":"ALGO/USD","side":"buy","price":2,"qty":1,"trade_id":2,"timestamp":"2023-09-25T07:49:37Z"}]}""", group);

        events.Cast<TradeEvent>().Single().Trade.Id.ShouldBe("2");
        events[0].Subscription.ShouldBeSameAs(group[0]);
    }

    [Fact]
    public void Parse_V1OhlcRow_OpensAtEndTimeMinusInterval()
    {
        var (result, events) = Parse("""[42,["1542057314.748456","1542057360.000000","3586.70000","3586.70000","3586.60000","3586.60000","3586.68894","0.03373000",2],"ohlc-5","XBT/USD"]""");

        result.Kind.ShouldBe(FrameKind.Data);
        var candle = events.Cast<CandleEvent>().Single();
        candle.Subscription.ShouldBe(StreamSubscription.Candles(BtcUsd, MarketType.Spot, Timeframe.Parse("5m")));
        candle.Candle.ShouldBe(new Candle(1542057060000, 3586.7m, 3586.7m, 3586.6m, 3586.6m, 0.03373m, null, 2));
    }

    [Fact]
    public void Parse_V1TradeWithTradeId_UsesIt()
    {
        var (_, events) = Parse("""[0,[["5541.20000","0.15850568","1534614057.321597","s","l","",12345]],"trade","XBT/USD"]""");

        events.Cast<TradeEvent>().Single().Trade.ShouldBe(new Trade("12345", 1534614057321, 5541.2m, 0.15850568m, TradeSide.Sell));
    }

    [Fact]
    public void Parse_UnknownPair_ResolvesThroughTheNameFallback()
    {
        var (_, events) = Parse("""{"channel":"trade","type":"update","data":[{"symbol":"XDG/EUR","side":"buy","price":1,"qty":1,"trade_id":7,"timestamp":"2023-09-25T07:49:37Z"}]}""");

        events.Single().Subscription.Symbol.ShouldBe(Symbol.Parse("DOGE/EUR"));
    }
}
