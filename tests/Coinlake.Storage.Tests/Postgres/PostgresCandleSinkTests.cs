using System.Globalization;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Storage.Postgres;
using Coinlake.Testing.Postgres;
using Coinlake.Time;
using Npgsql;

namespace Coinlake.Storage.Tests.Postgres;

/// <summary>The PostgreSQL candle sink on a real server (one database for the class).</summary>
public sealed class PostgresCandleSinkTests : IAsyncLifetime
{
    private static readonly SeriesKey Kraken = new("kraken", Symbol.Parse("SHIB/EUR"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last);

    private string _db = null!;

    public async Task InitializeAsync()
    {
        if (TestPostgres.SkipReason is null)
        {
            _db = await TestPostgres.CreateDatabaseAsync(nameof(PostgresCandleSinkTests));
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static decimal D(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);

    [PostgresFact]
    public async Task UpsertAsync_ExchangeDecimalStrings_ReadBackDigitForDigit()
    {
        Candle[] candles =
        [
            new(1_700_000_000_000, D("23140.48000000"), D("23150.00000000"), D("23100.10000000"), D("23141.99000000"), D("0.00005400"), D("123456789.12345678"), 42),
            new(1_700_000_060_000, D("0.0000123456"), D("0.0000123999"), D("0.0000120001"), D("0.0000123457"), D("1234567890.1234567890"), null, null),
        ];
        var series = Kraken with { Symbol = Symbol.Parse("EXACT/EUR") };
        await using var sink = new PostgresCandleSink(_db, new PostgresStoreOptions { CandleTable = "exact_candles" });

        (await sink.UpsertAsync(series, candles)).ShouldBe(new UpsertResult(2, 0));

        var read = await sink.ReadAsync(series).ToListAsync();
        read.ShouldBe(candles);
        string Text(Candle c) => string.Join('|', c.Open, c.High, c.Low, c.Close, c.Volume, c.QuoteVolume?.ToString(CultureInfo.InvariantCulture) ?? "-");
        read.Select(Text).ShouldBe(candles.Select(Text));
        Text(read[0]).ShouldStartWith("23140.48000000|23150.00000000|");
        Text(read[1]).ShouldBe("0.0000123456|0.0000123999|0.0000120001|0.0000123457|1234567890.1234567890|-");
    }

    [PostgresFact]
    public async Task UpsertAsync_RealSeriesTwice_OneRowPerCandleAndUpdatedCounts()
    {
        var source = TestData.BinanceUsCandles;
        var options = new PostgresStoreOptions { CandleTable = "twice" };
        await using var sink = new PostgresCandleSink(_db, options);

        var first = default(UpsertResult);
        foreach (var batch in source.Chunk(1000))
        {
            first += await sink.UpsertAsync(TestData.BinanceUsSeries, batch);
        }

        var second = default(UpsertResult);
        foreach (var batch in source.Chunk(1000))
        {
            second += await sink.UpsertAsync(TestData.BinanceUsSeries, batch);
        }

        first.ShouldBe(new UpsertResult(30_240, 0));
        second.ShouldBe(new UpsertResult(0, 30_240));
        (await ScalarAsync("SELECT count(*) FROM twice")).ShouldBe(30_240L);
        (await sink.ReadAsync(TestData.BinanceUsSeries).ToListAsync()).ShouldBe(source);
        (await sink.ListSeriesAsync().ToListAsync()).ShouldBe([TestData.BinanceUsSeries]);
    }

    [PostgresFact]
    public async Task UpsertAsync_ChangedCandle_ReplacesTheStoredValues()
    {
        var series = Kraken with { Symbol = Symbol.Parse("CHG/EUR") };
        await using var sink = new PostgresCandleSink(_db);
        var candle = new Candle(60_000, 1m, 2m, 0.5m, 1.5m, 10m);

        await sink.UpsertAsync(series, [candle]);
        var result = await sink.UpsertAsync(series, [candle with { Close = 1.75m, Volume = 11m, TradeCount = 3 }]);

        result.ShouldBe(new UpsertResult(0, 1));
        (await sink.ReadAsync(series).ToListAsync()).ShouldBe([candle with { Close = 1.75m, Volume = 11m, TradeCount = 3 }]);
    }

    [PostgresFact]
    public async Task UpsertAsync_UnorderedBatch_ThrowsWithoutWriting()
    {
        await using var sink = new PostgresCandleSink(_db);

        var error = await Should.ThrowAsync<ArgumentException>(async () =>
            await sink.UpsertAsync(Kraken, [new Candle(120_000, 1, 1, 1, 1, 1), new Candle(60_000, 1, 1, 1, 1, 1)]));

        error.Message.ShouldContain("ascending open-time order");
    }

    [PostgresFact]
    public async Task GetCoverageAsync_StoredAndMergedKnownEmptyRanges_AreReported()
    {
        var series = Kraken with { Symbol = Symbol.Parse("COV/EUR") };
        await using var sink = new PostgresCandleSink(_db);
        const long m = 60_000;
        await sink.UpsertAsync(series, [new Candle(10 * m, 1, 1, 1, 1, 1), new Candle(11 * m, 1, 1, 1, 1, 1), new Candle(20 * m, 1, 1, 1, 1, 1)]);
        await sink.MarkEmptyAsync(series, [new TimeRange(12 * m, 15 * m)]);
        await sink.MarkEmptyAsync(series, [new TimeRange(15 * m, 18 * m), new TimeRange(30 * m, 31 * m)]);

        var coverage = await sink.GetCoverageAsync(series, new TimeRange(0, 40 * m));

        coverage.Stored.Ranges.ShouldBe([new TimeRange(10 * m, 12 * m), new TimeRange(20 * m, 21 * m)]);
        coverage.KnownEmpty.Ranges.ShouldBe([new TimeRange(12 * m, 18 * m), new TimeRange(30 * m, 31 * m)]);
        coverage.Complete.Ranges.ShouldBe([new TimeRange(10 * m, 18 * m), new TimeRange(20 * m, 21 * m), new TimeRange(30 * m, 31 * m)]);
        (await ScalarAsync("SELECT count(*) FROM coinlake_empty_ranges WHERE symbol = 'COV/EUR'")).ShouldBe(2L);
        (await sink.GetCoverageAsync(series, new TimeRange(11 * m, 13 * m))).ShouldBe(
            new SeriesCoverage(RangeSet.Of(new TimeRange(11 * m, 12 * m)), RangeSet.Of(new TimeRange(12 * m, 13 * m))), new CoverageComparer());
        (await sink.GetCoverageAsync(Kraken with { Symbol = Symbol.Parse("OTHER/EUR") }, new TimeRange(0, 40 * m))).Complete.IsEmpty.ShouldBeTrue();
    }

    [PostgresFact]
    public async Task UpsertAsync_TwoWritersAtOnceOnOneTable_EveryCandleOnceAndCountsAddUp()
    {
        var options = new PostgresStoreOptions { CandleTable = "concurrent" };
        var source = TestData.BinanceUsCandles.Take(10_000).ToArray();
        var other = TestData.BinanceUsSeries with { Symbol = Symbol.Parse("ETH/USDT") };

        async Task<UpsertResult> WriteAsync(SeriesKey series, IEnumerable<Candle[]> batches)
        {
            await using var sink = new PostgresCandleSink(_db, options);
            var total = default(UpsertResult);
            foreach (var batch in batches)
            {
                total += await sink.UpsertAsync(series, batch);
            }

            return total;
        }

        var results = await Task.WhenAll(
            Task.Run(() => WriteAsync(TestData.BinanceUsSeries, source.Chunk(500))),
            Task.Run(() => WriteAsync(TestData.BinanceUsSeries, source.Chunk(700))),
            Task.Run(() => WriteAsync(other, source.Chunk(1000))));

        (results[0] + results[1]).ShouldBe(new UpsertResult(10_000, 10_000));
        results[2].ShouldBe(new UpsertResult(10_000, 0));
        (await ScalarAsync("SELECT count(*) FROM concurrent")).ShouldBe(20_000L);
        await using var reader = new PostgresCandleSink(_db, options);
        (await reader.ReadAsync(TestData.BinanceUsSeries).ToListAsync()).ShouldBe(source);
    }

    [PostgresFact]
    public async Task OpenReader_ConnectionString_ReadsThePostgresTable()
    {
        var options = new PostgresStoreOptions { CandleTable = "via_stores" };
        var candles = TestData.FreqtradeCandles.Take(500).ToArray();
        await using (var sink = new PostgresCandleSink(_db, options))
        {
            await sink.UpsertAsync(TestData.FreqtradeSeries, candles);
        }

        var reader = CandleStores.OpenReader(_db, new ReaderHints { Table = "via_stores" });

        (await reader.ListSeriesAsync().ToListAsync()).ShouldBe([TestData.FreqtradeSeries]);
        (await reader.ReadAsync(TestData.FreqtradeSeries, new TimeRange(candles[10].OpenTime, candles[20].OpenTime)).ToListAsync()).ShouldBe(candles[10..20]);
        (await CandleStores.OpenReader(_db, new ReaderHints { Table = "never_written" }).ListSeriesAsync().ToListAsync()).ShouldBeEmpty();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private sealed class CoverageComparer : IEqualityComparer<SeriesCoverage>
    {
        public bool Equals(SeriesCoverage? x, SeriesCoverage? y) =>
            x is not null && y is not null && x.Stored.Ranges.SequenceEqual(y.Stored.Ranges) && x.KnownEmpty.Ranges.SequenceEqual(y.KnownEmpty.Ranges);

        public int GetHashCode(SeriesCoverage obj) => 0;
    }
}
