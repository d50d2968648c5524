using System.Text.Json;
using Coinlake.Testing;
using Microsoft.Data.Sqlite;

namespace Coinlake.Cli.Tests;

/// <summary><c>coinlake replay</c> on the real captures: what it stores is counted against the frames themselves.</summary>
public sealed class ReplayCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>The JSON payload of every received frame (<c>T: PAYLOAD</c> lines) of a capture.</summary>
    private static IEnumerable<JsonElement> Frames(string capture)
    {
        foreach (var line in File.ReadLines(TestData.PathOf("captures/" + capture)))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0 || !char.IsAsciiDigit(line[0]) || line.Contains(" <-", StringComparison.Ordinal))
            {
                continue;
            }

            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(line[(colon + 2)..]);
                root = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                continue;
            }

            yield return root;
        }
    }

    private long Count(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_cli.Path("replay.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task Replay_BinanceFuturesCapture_StoresEveryClosedCandleAndEveryAggregateTradeOfTheFrames()
    {
        var data = Frames("BINANCE_FUTURES.ws.1.0").Where(f => f.TryGetProperty("data", out _)).Select(f => f.GetProperty("data")).ToList();
        var closed = data.Where(d => d.GetProperty("e").GetString() == "kline" && d.GetProperty("k").GetProperty("x").GetBoolean())
            .Select(d => (d.GetProperty("s").GetString(), d.GetProperty("k").GetProperty("t").GetInt64())).ToHashSet();
        var trades = data.Where(d => d.GetProperty("e").GetString() == "aggTrade").Select(d => (d.GetProperty("s").GetString(), d.GetProperty("a").GetInt64())).ToHashSet();
        var first = data.First(d => d.GetProperty("e").GetString() == "kline" && d.GetProperty("k").GetProperty("x").GetBoolean());

        var result = await _cli.RunAsync("replay", TestData.PathOf("captures/BINANCE_FUTURES.ws.1.0"), "--exchange", "binanceusdm", "--output", "replay.db");

        result.ExitCode.ShouldBe(0, result.ToString());
        closed.Count.ShouldBe(4);
        Count("SELECT COUNT(*) FROM candles WHERE market_type = 'swap'").ShouldBe(closed.Count);
        Count("SELECT COUNT(*) FROM trades WHERE market_type = 'swap'").ShouldBe(trades.Count);
        Count("SELECT COUNT(*) FROM tickers").ShouldBeGreaterThan(0);
        var k = first.GetProperty("k");
        Count($"SELECT COUNT(*) FROM candles WHERE symbol = '{first.GetProperty("s").GetString()![..^4]}/USDT:USDT' AND open_time = {k.GetProperty("t").GetInt64()} AND close = {k.GetProperty("c").GetString()} AND volume = {k.GetProperty("v").GetString()}").ShouldBe(1);
        result.Out.ShouldContain($"candles {closed.Count} new");

        var again = await _cli.RunAsync("replay", TestData.PathOf("captures/BINANCE_FUTURES.ws.1.0"), "--exchange", "binanceusdm", "--output", "replay.db");

        again.ExitCode.ShouldBe(0, again.ToString());
        again.Out.ShouldContain("candles 0 new");
        again.Out.ShouldContain("trades 0 new");
        Count("SELECT COUNT(*) FROM trades").ShouldBe(trades.Count);
    }

    [Fact]
    public async Task Replay_OkxCapture_StoresEveryTradeOfTheFramesResolvedFromTheRecordedInstruments()
    {
        var trades = Frames("OKX.ws.1.0")
            .Where(f => f.TryGetProperty("arg", out var arg) && arg.GetProperty("channel").GetString() == "trades" && f.TryGetProperty("data", out _))
            .SelectMany(f => f.GetProperty("data").EnumerateArray().Select(t => (t.GetProperty("instId").GetString(), t.GetProperty("tradeId").GetString())))
            .ToHashSet();

        var result = await _cli.RunAsync("replay", TestData.PathOf("captures/OKX.ws.1.0"), "--exchange", "okx", "--output", "replay.db");

        result.ExitCode.ShouldBe(0, result.ToString());
        trades.Count.ShouldBeGreaterThan(0);
        Count("SELECT COUNT(*) FROM trades").ShouldBe(trades.Count);
        Count("SELECT COUNT(DISTINCT symbol) FROM tickers").ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Replay_OkxCapture_StoresEachTickerUnderItsOwnMarketType()
    {
        var result = await _cli.RunAsync("replay", TestData.PathOf("captures/OKX.ws.1.0"), "--exchange", "okx", "--output", "replay.db");

        result.ExitCode.ShouldBe(0, result.ToString());
        Count("SELECT COUNT(*) FROM tickers WHERE symbol = 'BTC/USDT' AND market_type = 'spot'").ShouldBeGreaterThan(0);
        Count("SELECT COUNT(*) FROM tickers WHERE symbol = 'UNI/USD:UNI' AND market_type = 'swap'").ShouldBeGreaterThan(0);
        Count("SELECT COUNT(*) FROM tickers WHERE symbol LIKE 'BTC/USD:BTC-%' AND market_type = 'future'").ShouldBeGreaterThan(0);
        Count("SELECT COUNT(*) FROM tickers WHERE symbol LIKE '%:%' AND market_type = 'spot'").ShouldBe(0);
    }

    [Fact]
    public async Task Replay_KucoinCapture_WithIncludeCurrent_StoresEveryCandleOfTheFrames()
    {
        var candles = Frames("KUCOIN.ws.1.0")
            .Where(f => f.TryGetProperty("topic", out var topic) && topic.GetString()!.StartsWith("/market/candles:", StringComparison.Ordinal))
            .Select(f => (f.GetProperty("data").GetProperty("symbol").GetString(), f.GetProperty("data").GetProperty("candles")[0].GetString()))
            .ToHashSet();

        var result = await _cli.RunAsync("replay", TestData.PathOf("captures/KUCOIN.ws.1.0"), "--exchange", "kucoin", "--output", "replay.db", "--include-current");

        result.ExitCode.ShouldBe(0, result.ToString());
        candles.Count.ShouldBeGreaterThan(0);
        Count("SELECT COUNT(*) FROM candles").ShouldBe(candles.Count);
    }

    [Fact]
    public async Task Replay_BadUsage_ExitsWith2AndSaysWhatToFix()
    {
        var none = await _cli.RunAsync("replay", TestData.PathOf("captures/OKX.ws.1.0"), "--exchange", "okx");
        var missing = await _cli.RunAsync("replay", _cli.Path("nope.ws.1.0"), "--exchange", "okx", "--output", "replay.db");
        var unknown = await _cli.RunAsync("replay", TestData.PathOf("captures/OKX.ws.1.0"), "--exchange", "okex", "--output", "replay.db");

        none.ExitCode.ShouldBe(2);
        none.Error.ShouldContain("give either --output PATH");
        missing.ExitCode.ShouldBe(2);
        missing.Error.ShouldContain("nope.ws.1.0' does not exist");
        unknown.ExitCode.ShouldBe(2);
        unknown.Error.ShouldContain("unknown exchange 'okex'");
    }
}
