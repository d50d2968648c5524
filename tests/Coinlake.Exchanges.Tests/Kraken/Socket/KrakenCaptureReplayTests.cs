using System.Globalization;
using System.Text.Json;
using Coinlake.Exchanges.Kraken;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Testing;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Kraken.Socket;

/// <summary>
/// Replays cryptofeed's 2021 Kraken WebSocket v1 captures (<c>KRAKEN.ws.48.0</c> trades, <c>.49.0</c> tickers,
/// <c>.50.0</c> books) through <see cref="KrakenClient.StreamProtocol"/>, with the symbol map built from the recorded
/// AssetPairs answer (<c>KRAKEN.0</c>), and checks the events against the frames themselves.
/// </summary>
public sealed class KrakenCaptureReplayTests
{
    private static async Task<StreamSymbols> RecordedSymbolsAsync()
    {
        using var handler = await RecordedMarkets.LoadAsync("KRAKEN.0");
        using var http = new HttpClient(handler, disposeHandler: false);
        using var client = KrakenClient.Create("kraken", http, options: new KrakenOptions { RespectRateLimits = false, MaxRetries = 0 });
        return await client.GetStreamSymbolsAsync();
    }

    private static async Task<(List<MarketEvent> Events, ReplayStats Stats)> ReplayAsync(string file)
    {
        var symbols = await RecordedSymbolsAsync();
        var stats = new ReplayStats();
        var events = new List<MarketEvent>();
        await foreach (var e in CaptureReplay.ReplayAsync(TestData.PathOf("captures/" + file), KrakenClient.StreamProtocol, symbols, stats))
        {
            events.Add(e);
        }

        return (events, stats);
    }

    /// <summary>The v1 data frames of a capture: (pair, channel, payload) of every received array frame.</summary>
    private static List<(string Pair, string Channel, JsonElement Payload)> DataFrames(string file)
    {
        var frames = new List<(string, string, JsonElement)>();
        foreach (var line in File.ReadLines(TestData.PathOf("captures/" + file)))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0 || line.StartsWith("wss://", StringComparison.Ordinal) || line[colon + 2] != '[')
            {
                continue;
            }

            var root = JsonDocument.Parse(line[(colon + 2)..]).RootElement;
            var n = root.GetArrayLength();
            frames.Add((root[n - 1].GetString()!, root[n - 2].GetString()!, root[1]));
        }

        return frames;
    }

    [Fact]
    public async Task Replay_TradeCapture_YieldsEveryTradeRowWithExactValues()
    {
        var (events, stats) = await ReplayAsync("KRAKEN.ws.48.0");

        var expected = DataFrames("KRAKEN.ws.48.0").Where(f => f.Channel == "trade").ToList();
        var rows = expected.SelectMany(f => f.Payload.EnumerateArray().Select(r => (f.Pair, Row: r))).ToList();
        rows.Count.ShouldBeGreaterThan(5);
        stats.Malformed.ShouldBe(0);
        stats.DataFrames.ShouldBe(expected.Count);
        var trades = events.OfType<TradeEvent>().ToList();
        trades.Count.ShouldBe(rows.Count);
        events.Count.ShouldBe(trades.Count);

        for (var i = 0; i < rows.Count; i++)
        {
            var (pair, row) = rows[i];
            var trade = trades[i];
            trade.Subscription.ShouldBe(StreamSubscription.Trades(KrakenSymbolOf(pair), MarketType.Spot));
            trade.Trade.Price.ShouldBe(decimal.Parse(row[0].GetString()!, CultureInfo.InvariantCulture));
            trade.Trade.Amount.ShouldBe(decimal.Parse(row[1].GetString()!, CultureInfo.InvariantCulture));
            trade.Trade.Timestamp.ShouldBe((long)decimal.Floor(decimal.Parse(row[2].GetString()!, CultureInfo.InvariantCulture) * 1000m));
            trade.Trade.Side.ShouldBe(row[3].GetString() == "b" ? TradeSide.Buy : TradeSide.Sell);
        }

        // The first trade of the file, by hand: [993,[["354.11000000","0.89594024","1618678142.557535","s","l",""]],"trade","XMR/USD"].
        trades[0].Subscription.Symbol.ShouldBe(Symbol.Parse("XMR/USD"));
        trades[0].Trade.ShouldBe(new Trade("1618678142.557535-s-354.11000000-0.89594024", 1618678142557, 354.11m, 0.89594024m, TradeSide.Sell));
        trades[0].ReceivedAt.ShouldBe(1618678142593);
        trades.Select(t => t.Trade.Id).Distinct().Count().ShouldBe(trades.Count);
    }

    [Fact]
    public async Task Replay_TickerCapture_MapsXbtPairsToBtc()
    {
        var (events, _) = await ReplayAsync("KRAKEN.ws.49.0");

        var symbols = events.Select(e => e.Subscription.Symbol.ToString()).ToHashSet();
        symbols.ShouldNotContain(s => s.Contains("XBT", StringComparison.Ordinal));
        var xbtPairs = DataFrames("KRAKEN.ws.49.0").Where(f => f.Pair.Contains("XBT", StringComparison.Ordinal)).Select(f => f.Pair).Distinct().ToList();
        xbtPairs.ShouldNotBeEmpty();
        foreach (var pair in xbtPairs)
        {
            symbols.ShouldContain(pair.Replace("XBT", "BTC", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Replay_TickerCapture_YieldsEveryTickerWith24hValues()
    {
        var (events, stats) = await ReplayAsync("KRAKEN.ws.49.0");

        var expected = DataFrames("KRAKEN.ws.49.0").Where(f => f.Channel == "ticker").ToList();
        expected.Count.ShouldBeGreaterThan(5);
        stats.Malformed.ShouldBe(0);
        var tickers = events.OfType<TickerEvent>().ToList();
        tickers.Count.ShouldBe(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (pair, _, t) = expected[i];
            var ticker = tickers[i].Ticker;
            ticker.Symbol.ShouldBe(KrakenSymbolOf(pair));
            ticker.Last.ShouldBe(Dec(t.GetProperty("c")[0]));
            ticker.Bid.ShouldBe(Dec(t.GetProperty("b")[0]));
            ticker.Ask.ShouldBe(Dec(t.GetProperty("a")[0]));
            ticker.High.ShouldBe(Dec(t.GetProperty("h")[1]));
            ticker.Low.ShouldBe(Dec(t.GetProperty("l")[1]));
            ticker.Open.ShouldBe(Dec(t.GetProperty("o")[1]));
            ticker.BaseVolume.ShouldBe(Dec(t.GetProperty("v")[1]));
            ticker.Timestamp.ShouldBe(tickers[i].ReceivedAt);
        }

        // WAVES/EUR, first ticker, by hand: c[0] 13.253900, o[1] 13.428300.
        var first = tickers[0].Ticker;
        first.Symbol.ShouldBe(Symbol.Parse("WAVES/EUR"));
        first.Last.ShouldBe(13.2539m);
        first.Change.ShouldBe(13.2539m - 13.4283m);
        first.QuoteVolume.ShouldBe(72035.05488104m * 13.734728m);
    }

    [Fact]
    public async Task Replay_BookCapture_IsDataWithoutEvents()
    {
        var (events, stats) = await ReplayAsync("KRAKEN.ws.50.0");

        events.ShouldBeEmpty();
        stats.Malformed.ShouldBe(0);
        stats.DataFrames.ShouldBe(DataFrames("KRAKEN.ws.50.0").Count);
        stats.DataFrames.ShouldBeGreaterThan(100);
    }

    private static Symbol KrakenSymbolOf(string wsname) => KrakenStreamProtocolSymbol(wsname);

    private static Symbol KrakenStreamProtocolSymbol(string wsname)
    {
        var parts = wsname.Split('/');
        return new Symbol(KrakenSymbols.Alias(parts[0]), KrakenSymbols.Alias(parts[1]));
    }

    private static decimal Dec(JsonElement e) => decimal.Parse(e.GetString()!, CultureInfo.InvariantCulture);
}
