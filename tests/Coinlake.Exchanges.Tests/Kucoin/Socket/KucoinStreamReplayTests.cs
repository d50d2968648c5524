using System.Globalization;
using Coinlake.Candles;
using System.Text.Json;
using Coinlake.Exchanges.Kucoin;
using Coinlake.Exchanges.Kucoin.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Kucoin.Socket;

/// <summary>Replays the real KuCoin capture (<c>captures/KUCOIN.ws.1.0</c>, April 2021: 1min candles, matches, tickers, level2 of 10 spot pairs).</summary>
public sealed class KucoinStreamReplayTests
{
    private static readonly string _capture = TestData.PathOf("captures/KUCOIN.ws.1.0");

    [Fact]
    public async Task ReplayAsync_RealCapture_EveryCandleTradeAndTickerOfTheFrames()
    {
        var symbols = await LoadSymbolsAsync();
        var stats = new ReplayStats();
        var events = new List<MarketEvent>();
        await foreach (var e in CaptureReplay.ReplayAsync(_capture, new KucoinStreamProtocol(), symbols, stats))
        {
            events.Add(e);
        }

        var expected = ExpectedMessages();
        stats.Malformed.ShouldBe(0);
        var candles = events.OfType<CandleEvent>().ToList();
        var trades = events.OfType<TradeEvent>().ToList();
        var tickers = events.OfType<TickerEvent>().ToList();
        candles.Count.ShouldBe(expected.Count(m => m.Topic.StartsWith("/market/candles:", StringComparison.Ordinal)));
        trades.Count.ShouldBe(expected.Count(m => m.Topic.StartsWith("/market/match:", StringComparison.Ordinal)));
        tickers.Count.ShouldBe(expected.Count(m => m.Topic.StartsWith("/market/ticker:", StringComparison.Ordinal)));
        events.Count.ShouldBe(candles.Count + trades.Count + tickers.Count);
        tickers.Count.ShouldBeGreaterThan(800);

        // Every trade exactly as its frame: id = sequence (as REST), ns time floored to ms, taker side.
        var matches = expected.Where(m => m.Topic.StartsWith("/market/match:", StringComparison.Ordinal)).ToList();
        for (var i = 0; i < trades.Count; i++)
        {
            var data = matches[i].Data;
            var t = trades[i].Trade;
            t.Id.ShouldBe(data.GetProperty("sequence").GetString());
            t.Timestamp.ShouldBe(long.Parse(data.GetProperty("time").GetString()!, CultureInfo.InvariantCulture) / 1_000_000);
            t.Price.ShouldBe(Dec(data.GetProperty("price")));
            t.Amount.ShouldBe(Dec(data.GetProperty("size")));
            t.Side.ShouldBe(data.GetProperty("side").GetString() == "buy" ? TradeSide.Buy : TradeSide.Sell);
            symbols.IdOf(trades[i].Subscription.Symbol, MarketType.Spot).ShouldBe(data.GetProperty("symbol").GetString());
        }

        // 1619378328.867116: DAPPT-BTC ["1619378280","0.0000001117","0.0000001123","0.0000001123","0.0000001117","3437.9375","0.00038556424505"]
        // = [start s, open, close, high, low, volume, turnover]; KuCoin marks no candle closed.
        var second = candles[1];
        second.Subscription.ShouldBe(StreamSubscription.Candles(Symbol.Parse("DAPPT/BTC"), MarketType.Spot, Coinlake.Time.Timeframe.OneMinute));
        second.Candle.ShouldBe(new Candle(1619378280000, 0.0000001117m, 0.0000001123m, 0.0000001117m, 0.0000001123m, 3437.9375m, 0.00038556424505m));
        candles.ShouldAllBe(c => !c.IsClosed);

        // Renamed currencies resolve through the market list: BCHSV-USDT is BSV/USDT.
        tickers.ShouldContain(t => t.Ticker.Symbol == Symbol.Parse("BSV/USDT"));
        var first = tickers[0].Ticker; // /market/ticker:SNX-BTC {"bestAsk":"0.00028717","price":"0.00028676","time":1619378326323,"bestBid":"0.00028678"}
        first.Symbol.ShouldBe(Symbol.Parse("SNX/BTC"));
        (first.Timestamp, first.Last, first.Bid, first.Ask).ShouldBe((1619378326323L, 0.00028676m, 0.00028678m, 0.00028717m));
        first.High.ShouldBeNull();
    }

    /// <summary>The symbols recorded in <c>KUCOIN.0</c> (<c>/api/v1/symbols</c>, the same rows as today's <c>/api/v2/symbols</c>), loaded by the REST client.</summary>
    internal static async Task<StreamSymbols> LoadSymbolsAsync()
    {
        var recorded = await CaptureHttpHandler.LoadAsync([TestData.PathOf("captures/KUCOIN.0")]);
        using var http = new HttpClient(new V1Symbols { InnerHandler = recorded });
        using var client = new KucoinClient(http, new KucoinOptions { RespectRateLimits = false, MaxRetries = 0 });
        return new StreamSymbols(await client.GetMarketsAsync(MarketType.Spot), KucoinStreamProtocol.ParseId);
    }

    private static decimal Dec(JsonElement e) => decimal.Parse(e.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static List<(string Topic, JsonElement Data)> ExpectedMessages()
    {
        var messages = new List<(string, JsonElement)>();
        foreach (var line in File.ReadLines(_capture))
        {
            var colon = line.IndexOf(": {", StringComparison.Ordinal);
            if (line.StartsWith("wss://", StringComparison.Ordinal) || colon < 0)
            {
                continue;
            }

            var root = JsonDocument.Parse(line[(colon + 2)..]).RootElement;
            if (root.GetProperty("type").GetString() == "message")
            {
                messages.Add((root.GetProperty("topic").GetString()!, root.GetProperty("data")));
            }
        }

        return messages;
    }

    /// <summary>Asks the capture for <c>/api/v1/symbols</c> (recorded in 2021) when the client asks for <c>/api/v2/symbols</c>.</summary>
    private sealed class V1Symbols : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = new Uri(request.RequestUri!.AbsoluteUri.Replace("/api/v2/symbols", "/api/v1/symbols", StringComparison.Ordinal));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
