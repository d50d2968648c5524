using System.Globalization;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Storage.Internal;
using Coinlake.Storage.Postgres;
using Coinlake.Testing.Postgres;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Coinlake.Storage.Tests.Postgres;

/// <summary>Schema creation, trades, tickers, retention and connection errors of the PostgreSQL store on a real server.</summary>
public sealed class PostgresStoreTests : IAsyncLifetime
{
    private const long Day = 86_400_000;
    private string _db = null!;

    public async Task InitializeAsync()
    {
        if (TestPostgres.SkipReason is null)
        {
            _db = await TestPostgres.CreateDatabaseAsync(nameof(PostgresStoreTests));
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [PostgresFact]
    public async Task UpsertTradesAsync_RealTrades_ReadBackExactlyInTimeThenIdOrder()
    {
        await using var sink = new PostgresTradeSink(_db);
        var trades = TradeTestData.XrpEthTrades;

        var first = default(UpsertResult);
        foreach (var batch in trades.Reverse().Chunk(5000))
        {
            first += await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, batch);
        }

        var again = await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, trades);

        first.ShouldBe(new UpsertResult(12_477, 0));
        again.ShouldBe(new UpsertResult(0, 12_477));
        var read = await sink.ReadTradesAsync(TradeTestData.XrpEthSeries).ToListAsync();
        read.ShouldBe(trades.Order(TradeText.Order).ToList());
        read.Select(t => t.Price.ToString(CultureInfo.InvariantCulture)).ShouldBe(trades.Order(TradeText.Order).Select(t => t.Price.ToString(CultureInfo.InvariantCulture)));
        (await sink.LastTradeTimeAsync(TradeTestData.XrpEthSeries)).ShouldBe(trades.Max(t => t.Timestamp));
        (await sink.LastTradeTimeAsync(TradeTestData.KrakenSeries)).ShouldBeNull();
        (await sink.ListTradeSeriesAsync().ToListAsync()).ShouldContain(TradeTestData.XrpEthSeries);
    }

    [PostgresFact]
    public async Task UpsertTradesAsync_KrakenTradesWithRepeatedIdInBatch_StoredOnceInNumericIdOrder()
    {
        await using var sink = new PostgresTradeSink(_db);
        var trades = TradeTestData.KrakenTrades;
        var batch = trades.Reverse().Append(trades[0] with { Amount = 9.87654321m }).ToList();

        var result = await sink.UpsertTradesAsync(TradeTestData.KrakenSeries, batch);

        result.ShouldBe(new UpsertResult(trades.Count, 1));
        var read = await sink.ReadTradesAsync(TradeTestData.KrakenSeries).ToListAsync();
        read.ShouldBe(trades.Skip(1).Append(trades[0] with { Amount = 9.87654321m }).Order(TradeText.Order).ToList());
        var window = new TimeRange(trades[10].Timestamp, trades[20].Timestamp);
        (await sink.ReadTradesAsync(TradeTestData.KrakenSeries, window).ToListAsync()).ShouldAllBe(t => window.Contains(t.Timestamp));
        var reader = TradeStores.OpenReader(_db);
        (await reader.ReadTradesAsync(TradeTestData.KrakenSeries).CountAsync()).ShouldBe(trades.Count);
    }

    [PostgresFact]
    public async Task UpsertTickersAsync_RealSnapshotsWithNulls_RoundTripAndRepeatsReplace()
    {
        await using var sink = new PostgresTickerSink(_db);
        var tickers = TradeTestData.OkxSpotTickers;
        Ticker[] extra =
        [
            new(Symbol.Parse("ETH/USDT"), 1_650_000_000_000, 2900.12m, null, null, null, null, null, 10.5m, null, null, -1.25m),
            new(Symbol.Parse("ETH/USDT"), 1_650_000_000_000, 2900.13m, null, null, null, null, null, 10.5m, null, null, -1.25m),
        ];

        var first = await sink.UpsertTickersAsync("okx", MarketType.Spot, [.. tickers, .. extra]);
        var again = await sink.UpsertTickersAsync("okx", MarketType.Spot, tickers);

        first.ShouldBe(new UpsertResult(tickers.Count + 1, 1));
        again.ShouldBe(new UpsertResult(0, tickers.Count));
        var expected = tickers.Append(extra[1]).OrderBy(t => t.Timestamp).ThenBy(t => t.Symbol.ToString(), StringComparer.Ordinal).ToList();
        (await sink.ReadTickersAsync("okx", MarketType.Spot).ToListAsync()).ShouldBe(expected);
        (await sink.ReadTickersAsync("okx", MarketType.Swap).ToListAsync()).ShouldBeEmpty();
    }

    [PostgresFact]
    public async Task EnsureSchemaAsync_ManyProcessesAtOnceOnAnEmptyDatabase_AllSucceed()
    {
        var db = await TestPostgres.CreateDatabaseAsync("schema_race");
        var stores = Enumerable.Range(0, 12).Select(_ => new PostgresStore(db)).ToList();

        var layouts = await Task.WhenAll(stores.Select(s => Task.Run(async () => await s.EnsureSchemaAsync())));

        layouts.ShouldAllBe(l => l == new PostgresLayout(false, false));
        await using var sink = new PostgresCandleSink(stores[0]);
        (await sink.UpsertAsync(TestData.BinanceUsSeries, TestData.BinanceUsCandles.Take(10).ToList())).Inserted.ShouldBe(10);
    }

    [PostgresFact]
    public async Task EnsureSchemaAsync_NoTimescaleOnTheServer_PlainTablesWithTimeIndexes()
    {
        var db = await TestPostgres.CreateDatabaseAsync("plain");
        var store = new PostgresStore(db);

        var layout = await store.EnsureSchemaAsync();

        layout.ShouldBe(new PostgresLayout(Timescale: false, TradesKeyedByTime: false));
        var indexes = await ListAsync(db, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1");
        indexes.ShouldContain("trades_by_time");
        indexes.ShouldContain("tickers_by_time");
        indexes.ShouldNotContain("candles_by_time");
        (await ListAsync(db, "SELECT data_type FROM information_schema.columns WHERE table_name = 'candles' AND column_name = 'close'")).ShouldBe(["numeric"]);
    }

    [PostgresFact]
    public async Task EnsureSchemaAsync_TimescaleRequiredButMissing_ClearError()
    {
        var store = new PostgresStore(_db, new PostgresStoreOptions { Timescale = TimescaleMode.Required });

        var error = await Should.ThrowAsync<InvalidOperationException>(async () => await store.EnsureSchemaAsync());

        error.Message.ShouldContain("does not offer the timescaledb extension");
    }

    [PostgresFact]
    public async Task ApplyRetentionAsync_PlainTables_DeletesOnlyRowsOlderThanEachRetention()
    {
        var db = await TestPostgres.CreateDatabaseAsync("retention");
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var store = new PostgresStore(db, timeProvider: clock);
        var series = TradeTestData.KrakenSeries;
        await using (var trades = new PostgresTradeSink(store))
        {
            await trades.UpsertTradesAsync(series, [
                new Trade("1", now - (31 * Day), 1m, 1m, TradeSide.Buy),
                new Trade("2", now - (30 * Day) + 1, 1m, 1m, TradeSide.Buy),
                new Trade("3", now - Day, 1m, 1m, TradeSide.Sell),
            ]);
        }

        await using (var tickers = new PostgresTickerSink(store))
        {
            var symbol = Symbol.Parse("BTC/USDT");
            await tickers.UpsertTickersAsync("binance", MarketType.Spot, [
                new Ticker(symbol, now - (91 * Day), 1m, null, null, null, null, null, null, null, null, null),
                new Ticker(symbol, now - (89 * Day), 2m, null, null, null, null, null, null, null, null, null),
            ]);
        }

        await using (var candles = new PostgresCandleSink(store))
        {
            await candles.UpsertAsync(TestData.BinanceUsSeries, [new Candle(0, 1, 1, 1, 1, 1)]);
        }

        var result = await store.ApplyRetentionAsync();

        result.ShouldBe(new RetentionResult(Candles: 0, Trades: 1, Tickers: 1));
        (await ListAsync(db, "SELECT trade_id FROM trades ORDER BY 1")).ShouldBe(["2", "3"]);
        (await ListAsync(db, "SELECT last::text FROM tickers")).ShouldBe(["2"]);
        (await ListAsync(db, "SELECT open_time::text FROM candles")).ShouldBe(["0"]);

        clock.Advance(TimeSpan.FromDays(1));
        (await store.ApplyRetentionAsync()).Trades.ShouldBe(1);
    }

    [PostgresFact]
    public async Task ApplyRetentionAsync_CandleRetentionSet_DeletesOldCandlesByOpenTime()
    {
        var db = await TestPostgres.CreateDatabaseAsync("candle_retention");
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(400 * Day));
        var store = new PostgresStore(db, new PostgresStoreOptions { CandleRetention = TimeSpan.FromDays(365) }, clock);
        await using (var candles = new PostgresCandleSink(store))
        {
            await candles.UpsertAsync(TestData.BinanceUsSeries, [new Candle(34 * Day, 1, 1, 1, 1, 1), new Candle(36 * Day, 1, 1, 1, 1, 1)]);
        }

        (await store.ApplyRetentionAsync()).Candles.ShouldBe(1);
        (await ListAsync(db, "SELECT indexname FROM pg_indexes WHERE tablename = 'candles'")).ShouldContain("candles_by_time");
    }

    [PostgresFact]
    public async Task UpsertAsync_ServerNotListening_ClearConnectionError()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(_db) { Port = 1, Timeout = 3 }.ConnectionString;
        await using var sink = new PostgresCandleSink(unreachable);

        var error = await Should.ThrowAsync<NpgsqlException>(async () => await sink.UpsertAsync(TestData.BinanceUsSeries, [new Candle(0, 1, 1, 1, 1, 1)]));

        error.Message.ShouldContain("Cannot connect to PostgreSQL at 127.0.0.1:1/");
        error.Message.ShouldContain("connection string");
    }

    [PostgresFact]
    public async Task UpsertAsync_DatabaseMissing_ClearErrorNamingIt()
    {
        var missing = new NpgsqlConnectionStringBuilder(_db) { Database = "no_such_db" }.ConnectionString;
        await using var sink = new PostgresCandleSink(missing);

        var error = await Should.ThrowAsync<NpgsqlException>(async () => await sink.GetCoverageAsync(TestData.BinanceUsSeries, new TimeRange(0, 60_000)));

        error.Message.ShouldContain("no_such_db");
        error.Message.ShouldContain("that the database exists");
    }

    private static async Task<List<string>> ListAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<string>();
        while (await reader.ReadAsync())
        {
            list.Add(reader.GetString(0));
        }

        return list;
    }
}
