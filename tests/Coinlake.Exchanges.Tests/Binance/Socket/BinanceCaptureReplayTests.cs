using System.Globalization;
using System.Text.Json;
using Coinlake.Exchanges.Binance;
using Coinlake.Exchanges.Binance.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Binance.Socket;

/// <summary>
/// Replays the real Binance captures (spot, USDⓈ-M futures, Binance.US; cryptofeed 2021) through
/// <see cref="BinanceStreamProtocol"/> with the symbol map built from the recorded <c>exchangeInfo</c>, and checks every
/// candle, trade and ticker against the frames themselves, read independently with <see cref="JsonDocument"/>.
/// The captures subscribed <c>bookTicker</c> (not today's <c>@ticker</c>): those frames replay as bid/ask tickers.
/// </summary>
public sealed class BinanceCaptureReplayTests
{
    public static TheoryData<string, string, string> Captures => new()
    {
        { "BINANCE.ws.1.0", "BINANCE.0", BinanceClient.BinanceId },
        { "BINANCE_FUTURES.ws.1.0", "BINANCE_FUTURES.0", BinanceClient.BinanceUsdmId },
        { "BINANCE_US.ws.1.0", "BINANCE_US.0", BinanceClient.BinanceUsId },
    };

    [Theory]
    [MemberData(nameof(Captures))]
    public async Task ReplayAsync_RealCapture_YieldsEveryKlineAggTradeAndBookTickerOfTheFrames(string capture, string marketsFile, string exchange)
    {
        var symbols = await LoadSymbolsAsync(marketsFile, exchange);
        var protocol = new BinanceStreamProtocol(exchange);
        var stats = new ReplayStats();
        var events = new List<MarketEvent>();
        await foreach (var e in CaptureReplay.ReplayAsync(TestData.PathOf("captures/" + capture), protocol, symbols, stats))
        {
            events.Add(e);
        }

        var expected = ExpectedFromFrames(TestData.PathOf("captures/" + capture));
        stats.Malformed.ShouldBe(0);
        stats.Connections.ShouldBe(1);
        events.Count.ShouldBe(expected.Count);
        expected.Count(x => x.Kind == "kline").ShouldBeGreaterThan(0);
        expected.Count(x => x.Kind == "aggTrade").ShouldBeGreaterThan(0);
        expected.Count(x => x.Kind == "bookTicker").ShouldBeGreaterThan(0);
        var futures = exchange == BinanceClient.BinanceUsdmId;
        for (var i = 0; i < expected.Count; i++)
        {
            var want = expected[i];
            var got = events[i];
            var data = want.Data;
            var id = data.GetProperty("s").GetString()!;
            got.Subscription.MarketType.ShouldBe(futures ? MarketType.Swap : MarketType.Spot);
            symbols.IdOf(got.Subscription.Symbol, got.Subscription.MarketType).ShouldBe(id);
            got.ReceivedAt.ShouldBe(want.ReceivedAt);
            switch (want.Kind)
            {
                case "kline":
                    var candle = got.ShouldBeOfType<CandleEvent>();
                    var k = data.GetProperty("k");
                    candle.Subscription.Channel.ShouldBe(StreamChannel.Candles);
                    candle.Subscription.Timeframe.ToString().ShouldBe(k.GetProperty("i").GetString());
                    candle.Candle.OpenTime.ShouldBe(k.GetProperty("t").GetInt64());
                    candle.Candle.Open.ShouldBe(Dec(k, "o"));
                    candle.Candle.High.ShouldBe(Dec(k, "h"));
                    candle.Candle.Low.ShouldBe(Dec(k, "l"));
                    candle.Candle.Close.ShouldBe(Dec(k, "c"));
                    candle.Candle.Volume.ShouldBe(Dec(k, "v"));
                    candle.Candle.QuoteVolume.ShouldBe(Dec(k, "q"));
                    candle.Candle.TradeCount.ShouldBe(k.GetProperty("n").GetInt64());
                    candle.IsClosed.ShouldBe(k.GetProperty("x").GetBoolean());
                    break;
                case "aggTrade":
                    var trade = got.ShouldBeOfType<TradeEvent>();
                    trade.Subscription.Channel.ShouldBe(StreamChannel.Trades);
                    trade.Trade.Id.ShouldBe(data.GetProperty("a").GetInt64().ToString(CultureInfo.InvariantCulture));
                    trade.Trade.Timestamp.ShouldBe(data.GetProperty("T").GetInt64());
                    trade.Trade.Price.ShouldBe(Dec(data, "p"));
                    trade.Trade.Amount.ShouldBe(Dec(data, "q"));
                    trade.Trade.Side.ShouldBe(data.GetProperty("m").GetBoolean() ? TradeSide.Sell : TradeSide.Buy);
                    break;
                default:
                    var ticker = got.ShouldBeOfType<TickerEvent>();
                    ticker.Subscription.Channel.ShouldBe(StreamChannel.Tickers);
                    ticker.Ticker.Bid.ShouldBe(Dec(data, "b"));
                    ticker.Ticker.Ask.ShouldBe(Dec(data, "a"));
                    ticker.Ticker.Last.ShouldBeNull();
                    ticker.Ticker.Timestamp.ShouldBe(data.TryGetProperty("E", out var time) ? time.GetInt64() : want.ReceivedAt);
                    break;
            }
        }
    }

    [Fact]
    public async Task ReplayAsync_FuturesCapture_KeepsTheFourClosedKlines()
    {
        var symbols = await LoadSymbolsAsync("BINANCE_FUTURES.0", BinanceClient.BinanceUsdmId);
        var candles = new List<CandleEvent>();
        await foreach (var e in CaptureReplay.ReplayAsync(TestData.PathOf("captures/BINANCE_FUTURES.ws.1.0"), new BinanceStreamProtocol("binanceusdm"), symbols))
        {
            if (e is CandleEvent candle)
            {
                candles.Add(candle);
            }
        }

        // shared/data/README.md: 67 kline_1m frames, 4 of them closed.
        candles.Count.ShouldBe(67);
        candles.Count(c => c.IsClosed).ShouldBe(4);
        candles.Select(c => c.Subscription.Symbol.ToString()).Distinct().Order(StringComparer.Ordinal)
            .ShouldBe(["AKRO/USDT:USDT", "CTK/USDT:USDT", "KEEP/USDT:USDT", "SUSHI/USDT:USDT"]);
    }

    [Fact]
    public async Task ReplayAsync_WithoutMarketList_ResolvesIdsWithTheFallbackParser()
    {
        var symbols = new StreamSymbols([], BinanceStreamProtocol.ParseId);
        var trades = new List<TradeEvent>();
        await foreach (var e in CaptureReplay.ReplayAsync(TestData.PathOf("captures/BINANCE.ws.1.0"), new BinanceStreamProtocol("binance"), symbols))
        {
            if (e is TradeEvent trade)
            {
                trades.Add(trade);
            }
        }

        trades.Count.ShouldBe(2);
        trades[0].Subscription.Symbol.ShouldBe(new Symbol("NKN", "USDT"));
        trades[0].Trade.ShouldBe(new Trade("15683430", 1633998523963, 0.35280000m, 58.00000000m, TradeSide.Buy));
    }

    /// <summary>The symbol map of the recorded market list, loaded through the REST client as a live stream does.</summary>
    internal static async Task<StreamSymbols> LoadSymbolsAsync(string marketsFile, string exchange)
    {
        var handler = await CaptureHttpHandler.LoadAsync([TestData.PathOf("captures/" + marketsFile)]);
        using var http = new HttpClient(handler);
        using var client = BinanceClient.Create(exchange, http, options: new BinanceOptions { RespectRateLimits = false, MaxRetries = 0 });
        var markets = new List<MarketInfo>();
        foreach (var type in exchange == BinanceClient.BinanceUsdmId ? new[] { MarketType.Swap, MarketType.Future } : [MarketType.Spot])
        {
            markets.AddRange(await client.GetMarketsAsync(type));
        }

        markets.Count.ShouldBeGreaterThan(100);
        return new StreamSymbols(markets, BinanceStreamProtocol.ParseId);
    }

    private static decimal Dec(JsonElement element, string name) =>
        decimal.Parse(element.GetProperty(name).GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The kline, aggTrade and bookTicker payloads of the capture's received frames, in file order.</summary>
    private static List<(string Kind, long ReceivedAt, JsonElement Data)> ExpectedFromFrames(string path)
    {
        var result = new List<(string, long, JsonElement)>();
        foreach (var line in File.ReadLines(path))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0 || !char.IsAsciiDigit(line[0]) || line.Contains(" <-> ", StringComparison.Ordinal))
            {
                continue;
            }

            var receivedAt = (long)Math.Round(double.Parse(line[..colon], CultureInfo.InvariantCulture) * 1000d);
            using var document = JsonDocument.Parse(line[(colon + 2)..]);
            if (!document.RootElement.TryGetProperty("stream", out var stream))
            {
                continue;
            }

            var name = stream.GetString()!;
            var kind = name.EndsWith("@bookTicker", StringComparison.Ordinal) ? "bookTicker"
                : name.EndsWith("@aggTrade", StringComparison.Ordinal) ? "aggTrade"
                : name.Contains("@kline_", StringComparison.Ordinal) ? "kline"
                : null;
            if (kind is not null)
            {
                result.Add((kind, receivedAt, document.RootElement.GetProperty("data").Clone()));
            }
        }

        return result;
    }
}
