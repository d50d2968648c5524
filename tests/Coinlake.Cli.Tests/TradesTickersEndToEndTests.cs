using System.Globalization;
using Coinlake.Candles;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Testing.Bybit;
using Coinlake.Testing.Coinbase;
using Coinlake.Testing.Kraken;
using Coinlake.Testing.Kucoin;
using Microsoft.Data.Sqlite;

namespace Coinlake.Cli.Tests;

/// <summary>Trades, trades -> OHLCV, tickers and several exchanges through the CLI, on real data.</summary>
public sealed class TradesTickersEndToEndTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private List<object?[]> Query(string db, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_cli.Path(db)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public async Task Run_TradesTaskThenTradesToOhlcv_CandlesEqualARecomputationFromTheTrades()
    {
        await using var server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0 });
        var trades = TradeData.FreqtradeXrpEth();
        server.AddTrades("XRPETH", FakeMarket.Spot, trades);
        var file = _cli.WriteFile("trades.yaml", $"""
            version: 1
            tasks:
              - name: xrp_trades
                exchange: binance
                symbol: XRP/ETH
                stream: trades
                start: 2019-10-11
                end: 2019-10-14
                base_url: {server.BaseUrl}
                format: sqlite
                output: trades.db
            """);

        var run = await _cli.RunAsync("run", file);

        run.ExitCode.ShouldBe(0, run.ToString());
        Query("trades.db", "SELECT COUNT(*), COUNT(DISTINCT trade_id) FROM trades")[0].ShouldBe([12_477L, 12_477L]);

        // A second run resumes from the newest stored trade instead of starting over.
        server.ClearRequests();
        (await _cli.RunAsync("run", file)).ExitCode.ShouldBe(0);
        server.CountRequests("aggTrades").ShouldBeLessThanOrEqualTo(2);
        Query("trades.db", "SELECT COUNT(*) FROM trades")[0][0].ShouldBe(12_477L);

        var convert = await _cli.RunAsync("trades-to-ohlcv", _cli.Path("trades.db"), "--timeframe", "1m", "--output", _cli.Path("candles.db"));
        convert.ExitCode.ShouldBe(0, convert.ToString());

        var expected = trades
            .GroupBy(t => t.Timestamp / 60_000 * 60_000)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var ordered = g.OrderBy(t => t.Timestamp).ThenBy(t => long.Parse(t.Id, CultureInfo.InvariantCulture)).ToList();
                return new Candle(g.Key, ordered[0].Price, ordered.Max(t => t.Price), ordered.Min(t => t.Price), ordered[^1].Price,
                    ordered.Sum(t => t.Amount), ordered.Sum(t => t.Price * t.Amount), ordered.Count);
            })
            .ToList();
        var reader = Coinlake.Storage.CandleStores.OpenReader(_cli.Path("candles.db"));
        var stored = new List<Candle>();
        await foreach (var series in reader.ListSeriesAsync())
        {
            series.Symbol.ToString().ShouldBe("XRP/ETH");
            await foreach (var candle in reader.ReadAsync(series))
            {
                stored.Add(candle);
            }
        }

        stored.Count.ShouldBe(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            stored[i].ShouldBe(expected[i], $"candle {i}");
        }
    }

    [Fact]
    public async Task Run_TickersTask_StoresSnapshotsWithTheirTime()
    {
        var candles = TestData.BinanceUsBtcUsdt1m();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(candles[^1].OpenTime + 60_000);
        await using var server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0, TickerTime = at });
        server.AddSeries("BTCUSDT", FakeMarket.Spot, candles);
        server.AddSeries("ETHUSDT", FakeMarket.Spot, candles);
        var file = _cli.WriteFile("tickers.yaml", $"""
            version: 1
            tasks:
              - name: tickers
                exchange: binance
                symbols: [BTC/USDT, ETH/USDT]
                stream: tickers
                interval: 1s
                duration: 3s
                base_url: {server.BaseUrl}
                sinks:
                  - {"{"} format: sqlite, output: tickers.db {"}"}
                  - {"{"} format: csv, output: tickers.csv {"}"}
            """);

        var run = await _cli.RunAsync("run", file);

        run.ExitCode.ShouldBe(0, run.ToString());
        var last24h = candles.Where(c => c.OpenTime >= at.ToUnixTimeMilliseconds() - 86_400_000).ToList();
        var rows = Query("tickers.db", "SELECT symbol, last, high, low, timestamp FROM tickers ORDER BY timestamp, symbol");
        rows.Count.ShouldBeGreaterThanOrEqualTo(2);
        rows[0][0].ShouldBe("BTC/USDT");
        Convert.ToDecimal(rows[0][1], CultureInfo.InvariantCulture).ShouldBe(last24h[^1].Close);
        Convert.ToDecimal(rows[0][2], CultureInfo.InvariantCulture).ShouldBe(last24h.Max(c => c.High));
        Convert.ToDecimal(rows[0][3], CultureInfo.InvariantCulture).ShouldBe(last24h.Min(c => c.Low));
        File.ReadAllLines(_cli.Path("tickers.csv")).Length.ShouldBe(rows.Count + 1);
    }

    [Fact]
    public async Task Run_OneFileSeveralExchanges_EachBackfillEqualsTheSource()
    {
        var day = TestData.BinanceUsBtcUsdt1m().Take(1440).ToList();
        await using var kucoin = await FakeKucoinServer.StartAsync();
        kucoin.AddSeries("BTC-USDT", day);
        await using var coinbase = await FakeCoinbaseServer.StartAsync();
        coinbase.AddSeries("BTC-USD", day);
        await using var bybit = await FakeBybitServer.StartAsync();
        bybit.AddSeries(FakeBybitCategory.Spot, "BTCUSDT", day);
        string Task(string name, string exchange, string symbol, Uri url) => $"""
              - name: {name}
                exchange: {exchange}
                symbol: {symbol}
                timeframes: [1m, 1h]
                start: 2023-03-01
                end: 2023-03-02
                base_url: {url}
                output: all.db

            """;
        var file = _cli.WriteFile("all.yaml", "version: 1\ntasks:\n"
            + Task("kucoin_btc", "kucoin", "BTC/USDT", kucoin.BaseUrl)
            + Task("coinbase_btc", "coinbase", "BTC/USD", coinbase.BaseUrl)
            + Task("bybit_btc", "bybit", "BTC/USDT", bybit.BaseUrl));

        var run = await _cli.RunAsync("run", file);

        run.ExitCode.ShouldBe(0, run.ToString());
        var counts = Query("all.db", "SELECT exchange || ' ' || timeframe, COUNT(*), SUM(volume) FROM candles GROUP BY exchange, timeframe ORDER BY 1");
        counts.Select(r => $"{r[0]}={r[1]}").ShouldBe(["bybit 1h=24", "bybit 1m=1440", "coinbase 1h=24", "coinbase 1m=1440", "kucoin 1h=24", "kucoin 1m=1440"]);
        foreach (var exchange in new[] { "bybit", "coinbase", "kucoin" })
        {
            var reader = Coinlake.Storage.CandleStores.OpenReader(_cli.Path("all.db"));
            await foreach (var series in reader.ListSeriesAsync())
            {
                if (series.Exchange != exchange || series.Timeframe != Coinlake.Time.Timeframe.OneMinute)
                {
                    continue;
                }

                var stored = new List<Candle>();
                await foreach (var c in reader.ReadAsync(series))
                {
                    stored.Add(c);
                }

                stored.Select(c => (c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume))
                    .ShouldBe(day.Select(c => (c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume)), exchange);
            }
        }
    }

    [Fact]
    public async Task Run_KrakenHistoryOlderThanItsOhlcWindow_IsRebuiltFromTradesAndTheReportSaysSo()
    {
        var hours = TestData.BinanceUsBtcUsdt1m().Take(120).ToList();
        await using var kraken = await FakeKrakenServer.StartAsync();
        kraken.AddSeries("XXBTZUSD", hours);
        kraken.AddTrades("XXBTZUSD", KrakenTradeData.FromCandles(hours));
        var file = _cli.WriteFile("kraken.yaml", $"""
            version: 1
            tasks:
              - name: kraken_btc
                exchange: kraken
                symbol: BTC/USD
                timeframe: 1m
                start: 2023-03-01
                end: 2023-03-01T02:00:00Z
                base_url: {kraken.BaseUrl}
                output: kraken.db
            """);

        var run = await _cli.RunAsync("run", file);

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Out.ShouldContain("note");
        run.Out.ShouldContain("rebuilt from trades");
        kraken.CountRequests("/0/public/Trades").ShouldBeGreaterThan(0);
        var rows = Query("kraken.db", "SELECT COUNT(*) FROM candles WHERE exchange = 'kraken'");
        Convert.ToInt64(rows[0][0], CultureInfo.InvariantCulture).ShouldBeGreaterThan(100);
    }
}
