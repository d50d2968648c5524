using System.Globalization;
using System.Text.Json;
using Coinlake.Exchanges.Coinbase;
using Coinlake.Exchanges.Tests.Kraken.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Coinbase.Socket;

/// <summary>
/// Replays cryptofeed's 2021 Coinbase feed capture (<c>COINBASE.ws.28.0</c>: level2, ticker, matches) through
/// <see cref="CoinbaseClient.StreamProtocol"/> with the recorded product list (<c>COINBASE.0</c>), checking the events
/// against the frames themselves.
/// </summary>
public sealed class CoinbaseCaptureReplayTests
{
    private static async Task<(List<MarketEvent> Events, ReplayStats Stats)> ReplayAsync()
    {
        using var handler = await RecordedMarkets.LoadAsync("COINBASE.0");
        using var http = new HttpClient(handler, disposeHandler: false);
        using var client = CoinbaseClient.Create("coinbase", http, options: new CoinbaseOptions { RespectRateLimits = false, MaxRetries = 0 });
        var symbols = await client.GetStreamSymbolsAsync();
        symbols.Count.ShouldBeGreaterThan(50);
        var stats = new ReplayStats();
        var events = new List<MarketEvent>();
        await foreach (var e in CaptureReplay.ReplayAsync(TestData.PathOf("captures/COINBASE.ws.28.0"), CoinbaseClient.StreamProtocol, symbols, stats))
        {
            events.Add(e);
        }

        return (events, stats);
    }

    private static List<JsonElement> Frames(params string[] types)
    {
        var frames = new List<JsonElement>();
        foreach (var line in File.ReadLines(TestData.PathOf("captures/COINBASE.ws.28.0")))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0 || line.StartsWith("wss://", StringComparison.Ordinal))
            {
                continue;
            }

            var root = JsonDocument.Parse(line[(colon + 2)..]).RootElement;
            if (types.Contains(root.GetProperty("type").GetString()))
            {
                frames.Add(root);
            }
        }

        return frames;
    }

    [Fact]
    public async Task Replay_Matches_YieldEveryTradeWithTheTakerSide()
    {
        var (events, stats) = await ReplayAsync();

        stats.Malformed.ShouldBe(0);
        var expected = Frames("match", "last_match");
        expected.Count.ShouldBe(107);
        var trades = events.OfType<TradeEvent>().ToList();
        trades.Count.ShouldBe(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var m = expected[i];
            var t = trades[i];
            t.Subscription.ShouldBe(StreamSubscription.Trades(Symbol.Parse(m.GetProperty("product_id").GetString()!.Replace('-', '/')), MarketType.Spot));
            t.Trade.Id.ShouldBe(m.GetProperty("trade_id").GetInt64().ToString(CultureInfo.InvariantCulture));
            t.Trade.Price.ShouldBe(decimal.Parse(m.GetProperty("price").GetString()!, CultureInfo.InvariantCulture));
            t.Trade.Amount.ShouldBe(decimal.Parse(m.GetProperty("size").GetString()!, CultureInfo.InvariantCulture));
            t.Trade.Timestamp.ShouldBe(DateTimeOffset.Parse(m.GetProperty("time").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
            t.Trade.Side.ShouldBe(m.GetProperty("side").GetString() == "sell" ? TradeSide.Buy : TradeSide.Sell); // maker side -> taker side
        }

        // First match, by hand: SKL-BTC, maker sold 985 at 0.00001305 (trade 280232): the taker bought.
        var first = trades.First(t => t.Trade.Id == "280232");
        first.Trade.ShouldBe(new Trade("280232", 1618677817089, 0.00001305m, 985m, TradeSide.Buy));
        first.Subscription.Symbol.ShouldBe(Symbol.Parse("SKL/BTC"));
    }

    [Fact]
    public async Task Replay_Tickers_YieldEveryTickerWith24hValues()
    {
        var (events, _) = await ReplayAsync();

        var expected = Frames("ticker");
        var tickers = events.OfType<TickerEvent>().ToList();
        tickers.Count.ShouldBe(expected.Count);
        tickers.Count.ShouldBe(107);
        for (var i = 0; i < expected.Count; i++)
        {
            var f = expected[i];
            var t = tickers[i].Ticker;
            t.Symbol.ShouldBe(Symbol.Parse(f.GetProperty("product_id").GetString()!.Replace('-', '/')));
            t.Last.ShouldBe(decimal.Parse(f.GetProperty("price").GetString()!, CultureInfo.InvariantCulture));
            t.Bid.ShouldBe(decimal.Parse(f.GetProperty("best_bid").GetString()!, CultureInfo.InvariantCulture));
            t.Ask.ShouldBe(decimal.Parse(f.GetProperty("best_ask").GetString()!, CultureInfo.InvariantCulture));
            t.Open.ShouldBe(decimal.Parse(f.GetProperty("open_24h").GetString()!, CultureInfo.InvariantCulture));
            t.BaseVolume.ShouldBe(decimal.Parse(f.GetProperty("volume_24h").GetString()!, CultureInfo.InvariantCulture));
        }

        // BAND-GBP, first ticker, by hand.
        var band = tickers[0].Ticker;
        band.Symbol.ShouldBe(Symbol.Parse("BAND/GBP"));
        band.Timestamp.ShouldBe(1618677810244);
        band.High.ShouldBe(16.55m);
        band.Low.ShouldBe(14.3691m);
        band.Change.ShouldBe(14.7775m - 14.6647m);
        band.QuoteVolume.ShouldBeNull();
    }

    [Fact]
    public async Task Replay_Level2_IsDataWithoutEvents()
    {
        var (events, stats) = await ReplayAsync();

        var books = Frames("snapshot", "l2update").Count;
        books.ShouldBeGreaterThan(9000);
        stats.DataFrames.ShouldBe(books + 107 + 107);
        events.Count.ShouldBe(107 + 107);
    }
}
