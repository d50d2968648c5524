using System.Text.Json;
using Coinlake.Exchanges.Kraken;
using Coinlake.Exchanges.Kraken.Socket;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Time;

namespace Coinlake.Exchanges.Tests.Kraken.Socket;

public sealed class KrakenStreamProtocolTests
{
    private static readonly Symbol BtcUsd = Symbol.Parse("BTC/USD");
    private static readonly Symbol EthEur = Symbol.Parse("ETH/EUR");

    [Fact]
    public void SubscribeMessages_Group_OneV2RequestPerChannelAndInterval()
    {
        var symbols = KrakenStreamProtocol.CreateSymbols([new MarketInfo(BtcUsd, "XXBTZUSD", MarketType.Spot, MarketSubtype.None, true)]);
        var group = new[]
        {
            StreamSubscription.Trades(BtcUsd, MarketType.Spot),
            StreamSubscription.Trades(EthEur, MarketType.Spot),
            StreamSubscription.Candles(BtcUsd, MarketType.Spot, Timeframe.Parse("1m")),
            StreamSubscription.Candles(BtcUsd, MarketType.Spot, Timeframe.Parse("1h")),
            StreamSubscription.Tickers(EthEur, MarketType.Spot),
        };

        var messages = KrakenClient.StreamProtocol.SubscribeMessages(group, symbols);

        messages.ShouldBe(
        [
            """{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD","ETH/EUR"],"snapshot":true}}""",
            """{"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USD"],"interval":1,"snapshot":true}}""",
            """{"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USD"],"interval":60,"snapshot":true}}""",
            """{"method":"subscribe","params":{"channel":"ticker","symbol":["ETH/EUR"],"snapshot":true}}""",
        ]);
    }

    [Fact]
    public void SubscribeMessages_DogeSymbol_UsesTheV2Name()
    {
        var doge = Symbol.Parse("DOGE/USD");
        var symbols = KrakenStreamProtocol.CreateSymbols([new MarketInfo(doge, "XDGUSD", MarketType.Spot, MarketSubtype.None, true)], _ => "XDG/USD");

        var message = KrakenClient.StreamProtocol.SubscribeMessages([StreamSubscription.Trades(doge, MarketType.Spot)], symbols).Single();

        JsonDocument.Parse(message).RootElement.GetProperty("params").GetProperty("symbol")[0].GetString().ShouldBe("DOGE/USD");
        symbols.Resolve("XDG/USD", MarketType.Spot).ShouldBe(doge);
        symbols.Resolve("DOGE/USD", MarketType.Spot).ShouldBe(doge);
    }

    [Fact]
    public void Protocol_Limits_AreTheDocumentedOnes()
    {
        var protocol = KrakenClient.StreamProtocol;

        protocol.MaxSubscriptionsPerConnection.ShouldBe(50);
        protocol.KeepAlive!.Message.ShouldBe("""{"method":"ping"}""");
        protocol.KeepAlive.Interval.ShouldBeLessThan(TimeSpan.FromSeconds(30));
        protocol.EndpointKey(StreamSubscription.Trades(BtcUsd, MarketType.Spot)).ShouldBe(protocol.EndpointKey(StreamSubscription.Tickers(EthEur, MarketType.Spot)));
    }

    [Theory]
    [InlineData("1m", true)]
    [InlineData("4h", true)]
    [InlineData("1d", true)]
    [InlineData("3m", false)]
    [InlineData("1w", false)]
    public void WhyUnsupported_Timeframes_FollowTheOhlcIntervals(string timeframe, bool supported)
    {
        var why = KrakenClient.StreamProtocol.WhyUnsupported(StreamSubscription.Candles(BtcUsd, MarketType.Spot, Timeframe.Parse(timeframe)));

        (why is null).ShouldBe(supported);
        if (!supported)
        {
            why!.ShouldContain("1m 5m 15m 30m 1h 4h 1d");
        }
    }

    [Fact]
    public void WhyUnsupported_SwapsAndMarkPrices_SaySo()
    {
        KrakenClient.StreamProtocol.WhyUnsupported(StreamSubscription.Trades(Symbol.Parse("BTC/USD:USD"), MarketType.Swap))!.ShouldContain("Kraken Futures");
        KrakenClient.StreamProtocol.WhyUnsupported(StreamSubscription.Candles(BtcUsd, MarketType.Spot, Timeframe.OneMinute, PriceType.Mark))!.ShouldContain("last-price");
        KrakenClient.StreamProtocol.WhyUnsupported(StreamSubscription.Tickers(BtcUsd, MarketType.Spot)).ShouldBeNull();
    }

    [Fact]
    public async Task GetEndpointAsync_Override_KeepsTheV2Path()
    {
        var production = await KrakenClient.StreamProtocol.GetEndpointAsync([], null, CancellationToken.None);
        var overridden = await KrakenClient.StreamProtocol.GetEndpointAsync([], new Uri("http://127.0.0.1:5123"), CancellationToken.None);

        production.ShouldBe(new Uri("wss://ws.kraken.com/v2"));
        overridden.ShouldBe(new Uri("ws://127.0.0.1:5123/v2"));
    }

    [Fact]
    public void StreamEndpointOverride_RestOverride_IsUsedUnlessTheStreamHasOne()
    {
        using var http = new HttpClient();
        using var production = KrakenClient.Create("kraken", http);
        using var mirrored = KrakenClient.Create("kraken", http, new Uri("http://127.0.0.1:5999"));

        production.StreamEndpointOverride(null).ShouldBeNull();
        mirrored.StreamEndpointOverride(null).ShouldBe(new Uri("http://127.0.0.1:5999"));
        mirrored.StreamEndpointOverride(new Uri("ws://10.0.0.1:1")).ShouldBe(new Uri("ws://10.0.0.1:1"));
    }

    [Theory]
    [InlineData("XBT/USD", "BTC/USD")]
    [InlineData("BTC/USD", "BTC/USD")]
    [InlineData("XDG/EUR", "DOGE/EUR")]
    [InlineData("ETH2.S/ETH", "ETH2.S/ETH")]
    public void SymbolOf_V1AndV2Names_AreUnified(string name, string expected) =>
        KrakenStreamProtocol.SymbolOf(name).ShouldBe(Symbol.Parse(expected));

    [Theory]
    [InlineData("XBTUSD")]
    [InlineData("/USD")]
    [InlineData("A/B/C")]
    public void SymbolOf_NotAPairName_IsNull(string name) => KrakenStreamProtocol.SymbolOf(name).ShouldBeNull();
}
