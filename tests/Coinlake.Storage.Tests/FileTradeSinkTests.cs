using Coinlake.Markets;
using Coinlake.Storage.Csv;
using Coinlake.Storage.Internal;
using Coinlake.Storage.Json;
using Coinlake.Storage.Parquet;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Storage.Tests;

public sealed class FileTradeSinkTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Formats => new() { "parquet", "csv", "json" };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task UpsertTradesAsync_FreqtradeTrades_RoundTripExactlyThroughSinkAndTradeStores(string format)
    {
        var trades = TradeTestData.XrpEthTrades;
        var expected = trades.Order(TradeText.Order).ToList();
        await using (var sink = Open(format, _temp.Path))
        {
            (await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, trades)).ShouldBe(new UpsertResult(12_477, 0));
            (await ((ITradeReader)sink).ReadTradesAsync(TradeTestData.XrpEthSeries).ToListAsync()).ShouldBe(expected);
        }

        var reader = TradeStores.OpenReader(_temp.Path);
        (await reader.ListTradeSeriesAsync().ToListAsync()).ShouldBe([TradeTestData.XrpEthSeries]);
        var read = await reader.ReadTradesAsync(TradeTestData.XrpEthSeries).ToListAsync();
        read.ShouldBe(expected);
        read.Select(t => t.Side).ShouldBe(expected.Select(t => t.Side));
        _temp.AllFiles().ShouldNotContain(f => AtomicFile.IsTemp(f));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task UpsertTradesAsync_KrakenTradesIntoSingleFile_RoundTripInNumericIdOrder(string format)
    {
        var file = _temp.File("kraken-BCHEUR-trades." + format);
        await using (var sink = Open(format, file))
        {
            await sink.UpsertTradesAsync(TradeTestData.KrakenSeries, TradeTestData.KrakenTrades.Reverse().ToList());
        }

        var reader = TradeStores.OpenReader(file);
        (await reader.ListTradeSeriesAsync().ToListAsync()).ShouldBe([TradeTestData.KrakenSeries]);
        (await reader.ReadTradesAsync(TradeTestData.KrakenSeries).ToListAsync())
            .ShouldBe(TradeTestData.KrakenTrades.OrderBy(t => t.Timestamp).ThenBy(t => t.Id.Length).ThenBy(t => t.Id, StringComparer.Ordinal).ToList());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task UpsertTradesAsync_OverlappingRunsWithChangedPrices_MergedWithoutDuplicatesNewWins(string format)
    {
        var trades = TradeTestData.XrpEthTrades;
        await using (var first = Open(format, _temp.Path))
        {
            await first.UpsertTradesAsync(TradeTestData.XrpEthSeries, trades.Take(3_000).ToList());
        }

        var changed = trades.Skip(2_000).Take(1_000).Select(t => t with { Price = t.Price * 2 }).ToList();
        UpsertResult result;
        await using (var second = Open(format, _temp.Path))
        {
            result = await second.UpsertTradesAsync(TradeTestData.XrpEthSeries, [.. changed, .. trades.Skip(3_000).Take(1_000)]);
        }

        result.ShouldBe(new UpsertResult(1_000, 1_000));
        var read = await TradeStores.OpenReader(_temp.Path).ReadTradesAsync(TradeTestData.XrpEthSeries).ToListAsync();
        read.ShouldBe(trades.Take(2_000).Concat(changed).Concat(trades.Skip(3_000).Take(1_000)).ToList());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task UpsertTradesAsync_SameTradesInASecondRun_AllUpdatedAndFileUnchanged(string format)
    {
        var trades = TradeTestData.KrakenTrades;
        await using (var first = Open(format, _temp.Path))
        {
            await first.UpsertTradesAsync(TradeTestData.KrakenSeries, trades);
        }

        var file = _temp.AllFiles().Single(f => !f.Contains(".coinlake", StringComparison.Ordinal));
        var before = await File.ReadAllBytesAsync(file);
        await using (var second = Open(format, _temp.Path))
        {
            (await second.UpsertTradesAsync(TradeTestData.KrakenSeries, trades)).ShouldBe(new UpsertResult(0, trades.Count));
        }

        (await File.ReadAllBytesAsync(file)).ShouldBe(before);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task LastTradeTimeAsync_BufferedAndStoredTrades_NewestTimestampOfTheSeries(string format)
    {
        await using var sink = Open(format, _temp.Path);
        (await sink.LastTradeTimeAsync(TradeTestData.KrakenSeries)).ShouldBeNull();

        await sink.UpsertTradesAsync(TradeTestData.KrakenSeries, TradeTestData.KrakenTrades);
        await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, TradeTestData.XrpEthTrades.Take(10).ToList());

        (await sink.LastTradeTimeAsync(TradeTestData.KrakenSeries)).ShouldBe(TradeTestData.KrakenTrades.Max(t => t.Timestamp));
        (await sink.LastTradeTimeAsync(TradeTestData.XrpEthSeries)).ShouldBe(TradeTestData.XrpEthTrades[9].Timestamp);
    }

    [Fact]
    public async Task ParquetTradeSink_TradesOfTwoMonths_OneFilePerMonthAndRangeReadsOpenOnlyItsMonth()
    {
        var trades = TradeTestData.XrpEthTrades;
        var month = 31L * 24 * 3600 * 1000;
        var shifted = trades.Take(5_000).Concat(trades.Skip(5_000).Select(t => t with { Timestamp = t.Timestamp + month })).ToList();
        await using var sink = new ParquetTradeSink(_temp.Path);

        await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, shifted);
        await sink.FlushAsync();

        sink.PathOf(TradeTestData.XrpEthSeries, trades[0].Timestamp).ShouldEndWith(Path.Combine("binance", "XRPETH", "trades", "2019-10.parquet"));
        File.Exists(sink.PathOf(TradeTestData.XrpEthSeries, shifted[^1].Timestamp)).ShouldBeTrue();
        sink.PathOf(TradeTestData.XrpEthSeries, shifted[^1].Timestamp).ShouldEndWith("2019-11.parquet");
        var november = TimeRange.FromDates(new DateTimeOffset(2019, 11, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2019, 12, 1, 0, 0, 0, TimeSpan.Zero));
        (await sink.ReadTradesAsync(TradeTestData.XrpEthSeries, november).ToListAsync()).ShouldBe(shifted.Skip(5_000).ToList());
        (await sink.ReadTradesAsync(TradeTestData.XrpEthSeries).ToListAsync()).ShouldBe(shifted);
        (await sink.LastTradeTimeAsync(TradeTestData.XrpEthSeries)).ShouldBe(shifted[^1].Timestamp);
    }

    [Fact]
    public async Task ParquetTradeSink_ValueBeyondDecimal38_18_ThrowsNamingTheColumn()
    {
        await using var sink = new ParquetTradeSink(_temp.Path);

        var e = await Should.ThrowAsync<ArgumentException>(async () =>
            await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, [new Trade("1", 1_570_752_011_620, 1.0000000000000000001m, 1m, TradeSide.Buy)]));

        e.Message.ShouldContain("DECIMAL(38,18)");
        e.Message.ShouldContain("price");
    }

    [Fact]
    public void TradeSink_TemplateWithTimeframe_ThrowsListingUsablePlaceholders()
    {
        var e = Should.Throw<ArgumentException>(() => new CsvTradeSink(_temp.Path, "{symbol}_{timeframe}.csv"));

        e.Message.ShouldContain("{timeframe}");
        e.Message.ShouldContain("{symbol}");
    }

    [Fact]
    public async Task CsvTradeSink_TwoSeriesToOneFile_ThrowsAskingForPlaceholders()
    {
        await using var sink = new CsvTradeSink(_temp.Path, "trades.csv");
        await sink.UpsertTradesAsync(TradeTestData.KrakenSeries, TradeTestData.KrakenTrades);

        var e = await Should.ThrowAsync<InvalidOperationException>(async () =>
            await sink.UpsertTradesAsync(TradeTestData.XrpEthSeries, TradeTestData.XrpEthTrades.Take(1).ToList()));

        e.Message.ShouldContain("{symbol}");
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task CandleAndTradeSinks_ShareAFolder_EachReaderSeesOnlyItsKind(string format)
    {
        var candles = TestData.BinanceUsCandles.Take(100).ToList();
        await using (var candleSink = OpenCandles(format, _temp.Path))
        {
            await candleSink.UpsertAsync(TestData.BinanceUsSeries, candles);
        }

        await using (var tradeSink = Open(format, _temp.Path))
        {
            await tradeSink.UpsertTradesAsync(TradeTestData.KrakenSeries, TradeTestData.KrakenTrades);
        }

        await using (var candleSink = OpenCandles(format, _temp.Path))
        {
            (await ((ICandleReader)candleSink).ListSeriesAsync().ToListAsync()).ShouldBe([TestData.BinanceUsSeries]);
            (await ((ICandleReader)candleSink).ReadAsync(TestData.BinanceUsSeries).ToListAsync()).ShouldBe(candles);
        }

        var trades = TradeStores.OpenReader(_temp.Path);
        (await trades.ListTradeSeriesAsync().ToListAsync()).ShouldBe([TradeTestData.KrakenSeries]);
        (await trades.ReadTradesAsync(TradeTestData.KrakenSeries).CountAsync()).ShouldBe(TradeTestData.KrakenTrades.Count);
        if (format == "parquet")
        {
            (await CandleStores.OpenReader(_temp.Path).ListSeriesAsync().ToListAsync()).ShouldBe([TestData.BinanceUsSeries]);
        }
    }

    [Fact]
    public async Task OpenReader_FreqtradeTradeFile_ReadsItsTradesWithSymbolFromNameAndExchangeFromHints()
    {
        var reader = TradeStores.OpenReader(TradeTestData.Trades("freqtrade-XRP_ETH-trades.json.gz"), new ReaderHints { Exchange = "binance" });

        var series = (await reader.ListTradeSeriesAsync().ToListAsync()).Single();

        series.ShouldBe(TradeTestData.XrpEthSeries);
        (await reader.ReadTradesAsync(series).ToListAsync()).ShouldBe(TradeTestData.XrpEthTrades.Order(TradeText.Order).ToList());
    }

    [Fact]
    public void OpenReader_UnsupportedFile_ThrowsListingWhatIsSupported()
    {
        var file = _temp.File("trades.txt");
        File.WriteAllText(file, "x");

        var e = Should.Throw<ArgumentException>(() => TradeStores.OpenReader(file));

        e.Message.ShouldContain(".parquet");
    }

    [Fact]
    public async Task CsvTickerSink_OkxSnapshotsInTwoFlushes_AppendedThenReadBackExactly()
    {
        var tickers = TradeTestData.OkxSpotTickers;
        var half = tickers.Count / 2;
        await using var sink = new CsvTickerSink(_temp.Path);
        (await sink.UpsertTickersAsync("okx", MarketType.Spot, tickers.Take(half).ToList())).ShouldBe(new UpsertResult(half, 0));
        await sink.FlushAsync();
        var file = sink.PathOf("okx", MarketType.Spot, tickers[0].Timestamp);
        var firstLength = new FileInfo(file).Length;

        // A handle opened before the second flush sees the appended rows only if the file was not replaced.
        await using var before = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        (await sink.UpsertTickersAsync("okx", MarketType.Spot, tickers.Skip(half).ToList())).ShouldBe(new UpsertResult(tickers.Count - half, 0));
        await sink.FlushAsync();

        Path.GetFileName(file).ShouldBe("okx_spot_tickers_2022-05.csv");
        new FileInfo(file).Length.ShouldBeGreaterThan(firstLength);
        before.Length.ShouldBe(new FileInfo(file).Length);
        var read = await sink.ReadTickersAsync("okx", MarketType.Spot).ToListAsync();
        read.ShouldBe(tickers.OrderBy(t => t.Timestamp).ToList());
        read.ShouldAllBe(t => t.ChangePercent == null);
    }

    [Fact]
    public async Task CsvTickerSink_RepeatedAndChangedSnapshots_DeduplicatedNewWins()
    {
        var tickers = TradeTestData.OkxSpotTickers;
        await using (var first = new CsvTickerSink(_temp.Path))
        {
            await first.UpsertTickersAsync("okx", MarketType.Spot, tickers);
        }

        var changed = tickers[3] with { Last = 1m };
        await using (var second = new CsvTickerSink(_temp.Path))
        {
            (await second.UpsertTickersAsync("okx", MarketType.Spot, [.. tickers.Take(5), changed])).ShouldBe(new UpsertResult(0, 6));
            await second.FlushAsync();
            var read = await second.ReadTickersAsync("okx", MarketType.Spot).ToListAsync();
            read.Count.ShouldBe(tickers.Count);
            read.ShouldContain(changed);
            read.ShouldNotContain(tickers[3]);
        }
    }

    private static ITradeSink Open(string format, string output) => format switch
    {
        "parquet" => new ParquetTradeSink(output),
        "csv" => new CsvTradeSink(output),
        _ => new JsonTradeSink(output),
    };

    private static ICandleSink OpenCandles(string format, string output) => format switch
    {
        "parquet" => new ParquetCandleSink(output),
        "csv" => new CsvCandleSink(output),
        _ => new JsonCandleSink(output),
    };
}
