using Coinlake.Markets;
using Coinlake.Storage.Internal;
using Coinlake.Storage.Sqlite;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Data.Sqlite;

namespace Coinlake.Storage.Tests;

public sealed class SqliteTradeSinkTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task UpsertTradesAsync_FreqtradeTrades_ReadBackExactlyByTimeThenId()
    {
        var trades = TradeTestData.XrpEthTrades;
        await using var sink = new SqliteTradeSink(_temp.File("sub/t.db"));

        var result = await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, trades);

        result.ShouldBe(new UpsertResult(12_477, 0));
        var read = await sink.ReadTradesAsync(TradeTestData.XrpEthSeries).ToListAsync();
        read.ShouldBe(trades.Order(TradeText.Order).ToList());
        read.Sum(t => t.Cost).ShouldBe(trades.Sum(t => t.Price * t.Amount));
        Scalar(_temp.File("sub/t.db"), "SELECT COUNT(*) FROM trades WHERE exact IS NOT NULL").ShouldBe(0L);
        Scalar(_temp.File("sub/t.db"), "SELECT typeof(price) || typeof(timestamp) FROM trades LIMIT 1").ShouldBe("realinteger");
    }

    [Fact]
    public async Task UpsertTradesAsync_KrakenTradesSharingSeconds_ReadBackInNumericIdOrder()
    {
        var trades = TradeTestData.KrakenTrades;
        await using var sink = new SqliteTradeSink(_temp.File("t.db"));

        await sink.UpsertTradesAsync(TradeTestData.KrakenSeries, trades.Reverse().ToList());

        var read = await sink.ReadTradesAsync(TradeTestData.KrakenSeries).ToListAsync();
        read.ShouldBe(trades.OrderBy(t => t.Timestamp).ThenBy(t => int.Parse(t.Id, System.Globalization.CultureInfo.InvariantCulture)).ToList());
        read.ShouldAllBe(t => t.Side == TradeSide.Unknown);
    }

    [Fact]
    public async Task UpsertTradesAsync_SameTradesTwice_SecondTimeAllUpdatedAndNoNewRows()
    {
        var trades = TradeTestData.XrpEthTrades.Take(3_000).ToList();
        await using var sink = new SqliteTradeSink(_temp.File("t.db"));
        await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, trades);

        var second = await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, trades);

        second.ShouldBe(new UpsertResult(0, 3_000));
        Scalar(_temp.File("t.db"), "SELECT COUNT(*) FROM trades").ShouldBe(3_000L);
    }

    [Fact]
    public async Task UpsertTradesAsync_OverlappingBatchWithChangedPrices_CountsNewAndReplacedAndNewWins()
    {
        var trades = TradeTestData.XrpEthTrades;
        await using var sink = new SqliteTradeSink(_temp.File("t.db"));
        await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, trades.Take(100).ToList());
        var changed = trades.Skip(50).Take(100).Select(t => t with { Price = t.Price + 1 }).ToList();

        var result = await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, changed);

        result.ShouldBe(new UpsertResult(50, 50));
        var read = await sink.ReadTradesAsync(TradeTestData.XrpEthSeries).ToListAsync();
        read.ShouldBe(trades.Take(50).Concat(changed).ToList());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1000)]
    public async Task UpsertTradesAsync_BatchSizesAroundTheChunkHalfStored_CountsEachAndNewValuesWin(int count)
    {
        var trades = TradeTestData.XrpEthTrades.Take(count).ToList();
        await using var sink = new SqliteTradeSink(_temp.File("t.db"));
        var stored = trades.Where((_, i) => i % 2 == 0).ToList();
        await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, stored);
        var changed = trades.Select(t => t with { Amount = t.Amount + 1 }).ToList();

        var result = await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, changed);

        result.ShouldBe(new UpsertResult(count - stored.Count, stored.Count));
        (await sink.ReadTradesAsync(TradeTestData.XrpEthSeries).ToListAsync()).ShouldBe(changed);
        Scalar(_temp.File("t.db"), "SELECT COUNT(*) FROM trades").ShouldBe((long)count);
    }

    [Fact]
    public async Task UpsertTradesAsync_IdRepeatedInBatch_StoredOnceLastWins()
    {
        var t = TradeTestData.XrpEthTrades[0];
        await using var sink = new SqliteTradeSink(_temp.File("t.db"));

        var result = await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, [t, t with { Amount = 7m }]);

        result.ShouldBe(new UpsertResult(1, 1));
        (await sink.ReadTradesAsync(TradeTestData.XrpEthSeries).ToListAsync()).ShouldBe([t with { Amount = 7m }]);
    }

    [Fact]
    public async Task UpsertTradesAsync_ValuesBeyondDoublePrecision_ReadBackExactAndStayNumeric()
    {
        var trade = new Trade("9007199254740993", 1_570_752_011_620, 0.123456789012345678m, 12345678.123456789012m, TradeSide.Buy);
        await using var sink = new SqliteTradeSink(_temp.File("t.db"));

        await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, [trade]);

        (await sink.ReadTradesAsync(TradeTestData.XrpEthSeries).ToListAsync()).ShouldBe([trade]);
        Scalar(_temp.File("t.db"), "SELECT exact FROM trades").ShouldBe("0.123456789012345678|12345678.123456789012");
        Scalar(_temp.File("t.db"), "SELECT COUNT(*) FROM trades WHERE cost > 1500000").ShouldBe(1L);
    }

    [Fact]
    public async Task UpsertTradesAsync_TradeWithoutId_ThrowsNamingTheTrade()
    {
        await using var sink = new SqliteTradeSink(_temp.File("t.db"));

        var e = await Should.ThrowAsync<ArgumentException>(async () =>
            await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, [new Trade("", 1_570_752_011_620, 1m, 1m, TradeSide.Buy)]));

        e.Message.ShouldContain("has no id");
    }

    [Fact]
    public async Task LastTradeTimeAsync_EmptyThenStored_NullThenNewestTimestampOfThatSeriesOnly()
    {
        await using var sink = new SqliteTradeSink(_temp.File("t.db"));
        (await sink.LastTradeTimeAsync(TradeTestData.XrpEthSeries)).ShouldBeNull();

        await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, TradeTestData.XrpEthTrades);
        await sink.UpsertTradesAsync(TradeTestData.KrakenSeries, TradeTestData.KrakenTrades);

        (await sink.LastTradeTimeAsync(TradeTestData.XrpEthSeries)).ShouldBe(TradeTestData.XrpEthTrades.Max(t => t.Timestamp));
        (await sink.LastTradeTimeAsync(TradeTestData.KrakenSeries)).ShouldBe(TradeTestData.KrakenTrades.Max(t => t.Timestamp));
        (await sink.LastTradeTimeAsync(TradeTestData.XrpEthSeries with { MarketType = MarketType.Swap })).ShouldBeNull();
    }

    [Fact]
    public async Task UpsertTradesAsync_TwoWritersOnOneDatabaseConcurrently_EveryTradeStoredOnce()
    {
        var path = _temp.File("t.db");
        var trades = TradeTestData.XrpEthTrades;
        await using var a = new SqliteTradeSink(path);
        await using var b = new SqliteTradeSink(path);

        // Overlapping halves in batches of 500, written by two connections at once.
        async Task<UpsertResult> Write(SqliteTradeSink sink, IEnumerable<Trade> part)
        {
            var total = default(UpsertResult);
            foreach (var batch in part.Chunk(500))
            {
                total += await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, batch);
            }

            return total;
        }

        var results = await Task.WhenAll(
            Task.Run(() => Write(a, trades.Take(8_000))),
            Task.Run(() => Write(b, trades.Skip(4_000))));

        (results[0].Inserted + results[1].Inserted).ShouldBe(12_477);
        (results[0].Updated + results[1].Updated).ShouldBe(4_000);
        var read = await a.ReadTradesAsync(TradeTestData.XrpEthSeries).ToListAsync();
        read.ShouldBe(trades.Order(TradeText.Order).ToList());
    }

    [Fact]
    public async Task ReadTradesAsync_RangeAndSeriesList_OnlyTradesInRangeAndEverySeries()
    {
        var trades = TradeTestData.XrpEthTrades;
        await using var sink = new SqliteTradeSink(_temp.File("t.db"));
        await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, trades);
        await sink.UpsertTradesAsync(TradeTestData.KrakenSeries, TradeTestData.KrakenTrades);
        var range = new TimeRange(trades[1_000].Timestamp, trades[2_000].Timestamp);

        var read = await sink.ReadTradesAsync(TradeTestData.XrpEthSeries, range).ToListAsync();

        read.ShouldBe(trades.Where(t => range.Contains(t.Timestamp)).Order(TradeText.Order).ToList());
        (await sink.ListTradeSeriesAsync().ToListAsync()).ShouldBe([TradeTestData.XrpEthSeries, TradeTestData.KrakenSeries]);
    }

    [Fact]
    public async Task OpenReader_DatabaseWithCandlesAndTrades_ReadsTheTradesTable()
    {
        var path = _temp.File("coinlake.db");
        await using (var candles = new SqliteCandleSink(path))
        {
            await candles.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(10).ToList());
        }

        await using (var sink = new SqliteTradeSink(path))
        {
            await sink.UpsertTradesAsync(TradeTestData.KrakenSeries, TradeTestData.KrakenTrades);
        }

        var reader = TradeStores.OpenReader(path);

        (await reader.ListTradeSeriesAsync().ToListAsync()).ShouldBe([TradeTestData.KrakenSeries]);
        (await reader.ReadTradesAsync(TradeTestData.KrakenSeries).CountAsync()).ShouldBe(TradeTestData.KrakenTrades.Count);
        (await CandleStores.OpenReader(path).ListSeriesAsync().ToListAsync()).ShouldBe([TestData.BinanceUsSeries]);
    }

    [Fact]
    public async Task UpsertTradesAsync_TableOfAnotherShape_ThrowsAskingForAnotherName()
    {
        var path = _temp.File("t.db");
        await using (var candles = new SqliteCandleSink(path, "trades"))
        {
            await candles.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(1).ToList());
        }

        await using var sink = new SqliteTradeSink(path);

        var e = await Should.ThrowAsync<InvalidOperationException>(async () => await sink.UpsertTradesAsync(TradeTestData.KrakenSeries, TradeTestData.KrakenTrades));

        e.Message.ShouldContain("another table name");
    }

    [Fact]
    public async Task UpsertTickersAsync_OkxSnapshots_ReadBackExactlyIncludingNullsAndLongVolumes()
    {
        var tickers = TradeTestData.OkxSpotTickers;
        await using var sink = new SqliteTickerSink(_temp.File("t.db"));

        var first = await sink.UpsertTickersAsync("okx", MarketType.Spot, tickers);
        var second = await sink.UpsertTickersAsync("okx", MarketType.Spot, tickers);

        tickers.Count.ShouldBeGreaterThan(10);
        first.ShouldBe(new UpsertResult(tickers.Count, 0));
        second.ShouldBe(new UpsertResult(0, tickers.Count));
        var read = await sink.ReadTickersAsync("okx", MarketType.Spot).ToListAsync();
        read.ShouldBe(tickers.OrderBy(t => t.Timestamp).ToList());
        read.ShouldAllBe(t => t.ChangePercent == null);
        Scalar(_temp.File("t.db"), "SELECT COUNT(*) FROM tickers WHERE exact IS NOT NULL").ShouldBe((long)tickers.Count);
        Scalar(_temp.File("t.db"), "SELECT COUNT(*) FROM tickers WHERE quote_volume > 500000000").ShouldBe((long)tickers.Count(t => t.QuoteVolume > 500_000_000m));
        (await sink.ReadTickersAsync("okx", MarketType.Swap).ToListAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task UpsertTickersAsync_ChangedSnapshot_ReplacesTheRow()
    {
        var ticker = TradeTestData.OkxSpotTickers[0];
        await using var sink = new SqliteTickerSink(_temp.File("t.db"));
        await sink.UpsertTickersAsync("okx", MarketType.Spot, [ticker]);

        var result = await sink.UpsertTickersAsync("okx", MarketType.Spot, [ticker with { Last = 1m, Bid = null }]);

        result.ShouldBe(new UpsertResult(0, 1));
        (await sink.ReadTickersAsync("okx", MarketType.Spot).ToListAsync()).ShouldBe([ticker with { Last = 1m, Bid = null }]);
    }

    private static object? Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
