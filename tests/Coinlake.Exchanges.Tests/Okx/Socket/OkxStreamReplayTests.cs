using System.Text.Json;
using Coinlake.Exchanges.Okx;
using Coinlake.Exchanges.Okx.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Okx.Socket;

/// <summary>Replays the real OKX v5 capture (<c>captures/OKX.ws.1.0</c>: tickers, trades, books of a spot pair, a swap and a future).</summary>
public sealed class OkxStreamReplayTests
{
    private static readonly string _capture = TestData.PathOf("captures/OKX.ws.1.0");

    [Fact]
    public async Task ReplayAsync_RealCapture_YieldsEveryTradeAndTickerOfTheFrames()
    {
        var symbols = await LoadSymbolsAsync();
        var stats = new ReplayStats();
        var events = new List<MarketEvent>();
        await foreach (var e in CaptureReplay.ReplayAsync(_capture, new OkxStreamProtocol(), symbols, stats))
        {
            events.Add(e);
        }

        var expected = ExpectedRows();
        var trades = events.OfType<TradeEvent>().ToList();
        var tickers = events.OfType<TickerEvent>().ToList();
        trades.Count.ShouldBe(expected.Trades.Count);
        tickers.Count.ShouldBe(expected.Tickers.Count);
        trades.Count.ShouldBeGreaterThan(50);
        stats.Malformed.ShouldBe(0);
        events.Count.ShouldBe(trades.Count + tickers.Count);

        // Values and order exactly as the frames carry them.
        for (var i = 0; i < trades.Count; i++)
        {
            var (instId, row) = expected.Trades[i];
            var t = trades[i].Trade;
            t.Id.ShouldBe(row.GetProperty("tradeId").GetString());
            t.Price.ShouldBe(decimal.Parse(row.GetProperty("px").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            t.Amount.ShouldBe(decimal.Parse(row.GetProperty("sz").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            t.Timestamp.ShouldBe(long.Parse(row.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            t.Side.ShouldBe(row.GetProperty("side").GetString() == "buy" ? TradeSide.Buy : TradeSide.Sell);
            trades[i].Subscription.Channel.ShouldBe(StreamChannel.Trades);
            symbols.IdOf(trades[i].Subscription.Symbol, trades[i].Subscription.MarketType).ShouldBe(instId);
        }

        var types = trades.Select(t => (t.Subscription.Symbol.ToString(), t.Subscription.MarketType)).Distinct().ToList();
        types.ShouldBe([("BTC/USD:BTC-220527", MarketType.Future), ("UNI/USD:UNI", MarketType.Swap), ("BTC/USDT", MarketType.Spot)], ignoreOrder: true);
    }

    [Fact]
    public async Task ReplayAsync_RealCapture_MapsTickerFieldsLikeRest()
    {
        var symbols = await LoadSymbolsAsync();
        var tickers = new List<TickerEvent>();
        await foreach (var e in CaptureReplay.ReplayAsync(_capture, new OkxStreamProtocol(), symbols))
        {
            if (e is TickerEvent t)
            {
                tickers.Add(t);
            }
        }

        // 1652459225.5069652: {"instType":"SPOT","instId":"BTC-USDT","last":"30236","askPx":"30228.7","bidPx":"30228.6",
        // "open24h":"29700.4","high24h":"31073","low24h":"28020.3","volCcy24h":"525802090.62716611","vol24h":"17602.13085371","ts":"1652459224956"}
        var spot = tickers.First(t => t.Subscription.MarketType == MarketType.Spot);
        spot.ReceivedAt.ShouldBeInRange(1652459225506, 1652459225507); // 1652459225.5069652 s
        spot.Ticker.Symbol.ShouldBe(Symbol.Parse("BTC/USDT"));
        spot.Ticker.Timestamp.ShouldBe(1652459224956);
        spot.Ticker.Last.ShouldBe(30236m);
        spot.Ticker.Ask.ShouldBe(30228.7m);
        spot.Ticker.Bid.ShouldBe(30228.6m);
        spot.Ticker.Open.ShouldBe(29700.4m);
        spot.Ticker.High.ShouldBe(31073m);
        spot.Ticker.Low.ShouldBe(28020.3m);
        spot.Ticker.BaseVolume.ShouldBe(17602.13085371m);
        spot.Ticker.QuoteVolume.ShouldBe(525802090.62716611m);
        spot.Ticker.Change.ShouldBe(30236m - 29700.4m);

        // Derivatives: vol24h counts contracts, so the base volume is volCcy24h and there is no quote volume.
        var swap = tickers.First(t => t.Subscription.MarketType == MarketType.Swap);
        swap.Ticker.QuoteVolume.ShouldBeNull();
        swap.Ticker.BaseVolume.ShouldNotBeNull();
    }

    /// <summary>The markets recorded in <c>OKX.0</c>, loaded by the REST client itself over the recorded answers.</summary>
    internal static async Task<StreamSymbols> LoadSymbolsAsync()
    {
        using var handler = await CaptureHttpHandler.LoadAsync([TestData.PathOf("captures/OKX.0")]);
        using var http = new HttpClient(handler);
        using var client = new OkxClient(http, new OkxOptions { RespectRateLimits = false, MaxRetries = 0 });
        var markets = new List<MarketInfo>();
        foreach (var type in new[] { MarketType.Spot, MarketType.Swap, MarketType.Future })
        {
            markets.AddRange(await client.GetMarketsAsync(type));
        }

        return new StreamSymbols(markets, OkxStreamProtocol.ParseId);
    }

    private static (List<(string InstId, JsonElement Row)> Trades, List<JsonElement> Tickers) ExpectedRows()
    {
        var trades = new List<(string, JsonElement)>();
        var tickers = new List<JsonElement>();
        foreach (var line in File.ReadLines(_capture))
        {
            var colon = line.IndexOf(": {", StringComparison.Ordinal);
            if (line.StartsWith("wss://", StringComparison.Ordinal) || colon < 0)
            {
                continue;
            }

            var root = JsonDocument.Parse(line[(colon + 2)..]).RootElement;
            if (!root.TryGetProperty("data", out var data))
            {
                continue;
            }

            var arg = root.GetProperty("arg");
            var channel = arg.GetProperty("channel").GetString();
            foreach (var row in data.EnumerateArray())
            {
                if (channel == "trades")
                {
                    trades.Add((arg.GetProperty("instId").GetString()!, row));
                }
                else if (channel == "tickers")
                {
                    tickers.Add(row);
                }
            }
        }

        return (trades, tickers);
    }
}
