using System.Text;
using Coinlake.Exchanges.Coinbase;
using Coinlake.Exchanges.Coinbase.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Coinbase.Socket;

/// <summary>Coinbase Exchange feed frames as "Exchange WebSocket Channels" documents them, and the protocol's requests.</summary>
public sealed class CoinbaseStreamTests
{
    private static readonly Symbol BtcUsd = Symbol.Parse("BTC/USD");
    private static readonly Symbol EthEur = Symbol.Parse("ETH/EUR");

    private static StreamSymbols Symbols() => CoinbaseStreamProtocol.CreateSymbols(
    [
        new MarketInfo(BtcUsd, "BTC-USD", MarketType.Spot, MarketSubtype.None, true),
        new MarketInfo(EthEur, "ETH-EUR", MarketType.Spot, MarketSubtype.None, true),
    ]);

    private static (FrameResult Result, List<MarketEvent> Events) Parse(string frame, IReadOnlyList<StreamSubscription>? group = null)
    {
        var parser = CoinbaseClient.StreamProtocol.CreateParser(Symbols(), group, CoinbaseStreamProtocol.ProductionEndpoint);
        var events = new List<MarketEvent>();
        return (parser.Parse(Encoding.UTF8.GetBytes(frame), 5, events), events);
    }

    [Theory]
    [InlineData("sell", TradeSide.Buy)]
    [InlineData("buy", TradeSide.Sell)]
    public void Parse_Match_TakerSideIsTheOppositeOfTheMakerSide(string makerSide, TradeSide taker)
    {
        var (result, events) = Parse($$"""{"type":"match","trade_id":10,"sequence":50,"maker_order_id":"a","taker_order_id":"b","time":"2014-11-07T08:19:27.028459Z","product_id":"BTC-USD","size":"5.23512","price":"400.23","side":"{{makerSide}}"}""");

        result.Kind.ShouldBe(FrameKind.Data);
        var trade = events.Cast<TradeEvent>().Single();
        trade.Subscription.ShouldBe(StreamSubscription.Trades(BtcUsd, MarketType.Spot));
        trade.Trade.ShouldBe(new Trade("10", 1415348367028, 400.23m, 5.23512m, taker));
    }

    [Fact]
    public void Parse_Ticker_MapsThe24hFields()
    {
        var (_, events) = Parse("""{"type":"ticker","sequence":1,"product_id":"ETH-EUR","price":"2000.5","open_24h":"1900","volume_24h":"12.5","low_24h":"1890","high_24h":"2010","volume_30d":"99","best_bid":"2000.4","best_bid_size":"1","best_ask":"2000.6","best_ask_size":"2","side":"buy","time":"2024-01-01T00:00:00.123456Z","trade_id":7,"last_size":"0.1"}""");

        var ticker = events.Cast<TickerEvent>().Single().Ticker;
        ticker.ShouldBe(new Tickers.Ticker(EthEur, 1704067200123, 2000.5m, 2000.4m, 2000.6m, 2010m, 1890m, 1900m, 12.5m, null, 100.5m, 100.5m / 1900m * 100m));
    }

    [Theory]
    [InlineData("""{"type":"subscriptions","channels":[{"name":"matches","product_ids":["BTC-USD"]}]}""", FrameKind.Control)]
    [InlineData("""{"type":"heartbeat","sequence":90,"last_trade_id":20,"product_id":"BTC-USD","time":"2014-11-07T08:19:28.464459Z"}""", FrameKind.Control)]
    [InlineData("""{"type":"l2update","product_id":"BTC-USD","changes":[["buy","1","2"]],"time":"2019-08-14T20:42:27.265Z"}""", FrameKind.Data)]
    [InlineData("""{"type":"snapshot","product_id":"BTC-USD","bids":[["10101.10","0.45054140"]],"asks":[]}""", FrameKind.Data)]
    [InlineData("{\"this is not\": json at all", FrameKind.Malformed)]
    [InlineData("""{"product_id":"BTC-USD"}""", FrameKind.Malformed)]
    [InlineData("""{"type":"match","product_id":"BTC-USD","price":"1"}""", FrameKind.Malformed)]
    [InlineData("[]", FrameKind.Malformed)]
    public void Parse_OtherFrames_HaveTheirKindAndNoEvents(string frame, FrameKind kind)
    {
        var (result, events) = Parse(frame);

        result.Kind.ShouldBe(kind);
        events.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_FailedSubscribe_IsRejectedWithTheReason()
    {
        var (result, _) = Parse("""{"type":"error","message":"Failed to subscribe","reason":"XYZ-USD is not a valid product"}""");

        result.Kind.ShouldBe(FrameKind.Rejected);
        result.Message.ShouldBe("Failed to subscribe: XYZ-USD is not a valid product");
    }

    [Fact]
    public void Parse_OtherError_IsError()
    {
        Parse("""{"type":"error","message":"rate limit exceeded"}""").Result.Kind.ShouldBe(FrameKind.Error);
    }

    [Fact]
    public void Parse_LiveGroup_EmitsOnlyTheGroupsSubscriptions()
    {
        var group = new[] { StreamSubscription.Tickers(BtcUsd, MarketType.Spot) };

        Parse("""{"type":"match","trade_id":1,"time":"2014-11-07T08:19:27Z","product_id":"BTC-USD","size":"1","price":"1","side":"buy"}""", group).Events.ShouldBeEmpty();
    }

    [Fact]
    public void SubscribeMessages_Group_OneMessageWithMatchesTickerAndHeartbeat()
    {
        var group = new[]
        {
            StreamSubscription.Trades(BtcUsd, MarketType.Spot),
            StreamSubscription.Tickers(BtcUsd, MarketType.Spot),
            StreamSubscription.Tickers(EthEur, MarketType.Spot),
        };

        CoinbaseClient.StreamProtocol.SubscribeMessages(group, Symbols()).ShouldBe(
        [
            """{"type":"subscribe","channels":[{"name":"matches","product_ids":["BTC-USD"]},{"name":"ticker","product_ids":["BTC-USD","ETH-EUR"]},{"name":"heartbeat","product_ids":["BTC-USD","ETH-EUR"]}]}""",
        ]);
    }

    [Fact]
    public void WhyUnsupported_Candles_PointsToTradesWithATimeframe()
    {
        var protocol = CoinbaseClient.StreamProtocol;

        protocol.WhyUnsupported(StreamSubscription.Candles(BtcUsd, MarketType.Spot, Timeframe.OneMinute))!.ShouldContain("stream: trades");
        protocol.WhyUnsupported(StreamSubscription.Trades(Symbol.Parse("BTC/USD:USD"), MarketType.Swap))!.ShouldContain("spot products only");
        protocol.WhyUnsupported(StreamSubscription.Trades(BtcUsd, MarketType.Spot)).ShouldBeNull();
        protocol.MaxSubscriptionsPerConnection.ShouldBe(50);
        protocol.KeepAlive.ShouldBeNull();
    }

    [Fact]
    public async Task GetEndpointAsync_ProductionAndOverride()
    {
        (await CoinbaseClient.StreamProtocol.GetEndpointAsync([], null, CancellationToken.None)).ShouldBe(new Uri("wss://ws-feed.exchange.coinbase.com"));
        (await CoinbaseClient.StreamProtocol.GetEndpointAsync([], new Uri("http://127.0.0.1:81"), CancellationToken.None)).ShouldBe(new Uri("ws://127.0.0.1:81/"));
    }

    [Theory]
    [InlineData("BTC-USD", "BTC/USD")]
    [InlineData("eth-eur", "ETH/EUR")]
    public void SymbolOf_ProductIds_AreUnified(string id, string expected) => CoinbaseStreamProtocol.SymbolOf(id).ShouldBe(Symbol.Parse(expected));

    [Fact]
    public async Task StreamAsync_Candles_ThrowsNotSupportedBeforeConnecting()
    {
        using var http = new HttpClient();
        using var client = CoinbaseClient.Create("coinbase", http, new Uri("http://127.0.0.1:9"));

        await Should.ThrowAsync<NotSupportedException>(async () =>
        {
            await foreach (var unused in client.StreamAsync([StreamSubscription.Candles(BtcUsd, MarketType.Spot, Timeframe.OneMinute)], new StreamOptions()))
            {
            }
        });
    }
}
