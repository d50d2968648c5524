using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Pipeline.Tasks;
using Coinlake.Time;
using static Coinlake.Pipeline.Tests.Tasks.TaskFileTestSupport;

namespace Coinlake.Pipeline.Tests.Tasks;

/// <summary>What valid task files turn into: defaults, normalizations, aliases, sinks and paths.</summary>
public sealed class TaskFileLoaderTests
{
    [Fact]
    public void Parse_MinimalRestTask_AppliesDefaults()
    {
        var task = ParseOne(RestTask());

        task.Mode.ShouldBe(TaskMode.Rest);
        task.MarketType.ShouldBe(MarketType.Spot);
        task.Subtype.ShouldBe(MarketSubtype.None);
        task.Price.ShouldBe(PriceType.Last);
        task.End.ShouldBeNull();
        task.ExcludeCurrentCandle.ShouldBeTrue();
        task.BaseUrl.ShouldBeNull();
        task.Stream.ShouldBeNull();
        task.Duration.ShouldBeNull();
        task.Sinks.ShouldBe([new SinkDefinition(SinkFormat.Sqlite, Path.Combine(Folder, "data", "coinlake.db"))]);
    }

    [Fact]
    public void Parse_NoSink_UsesTheConfiguredDefaultSqlitePathRelativeToTheFile()
    {
        var options = Options();
        options.DefaultSqlitePath = "db/all.sqlite";

        var task = TaskFileLoader.Parse(RestTask(), FilePath, options).Tasks.ShouldHaveSingleItem();

        task.Sinks.ShouldBe([new SinkDefinition(SinkFormat.Sqlite, Path.Combine(Folder, "db", "all.sqlite"))]);
    }

    [Fact]
    public void Parse_RelativeOutput_ResolvesAgainstTheTaskFilesFolderNotTheWorkingDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "elsewhere", "conf", "tasks.yaml");

        var task = TaskFileLoader.Parse(RestTask("output: ../out/candles.db"), path, Options()).Tasks.ShouldHaveSingleItem();

        task.Sinks.ShouldHaveSingleItem().Output.ShouldBe(Path.Combine(Path.GetTempPath(), "elsewhere", "out", "candles.db"));
    }

    [Fact]
    public void Parse_TildeOutput_ExpandsToTheHomeFolder()
    {
        var task = ParseOne(RestTask("output: ~/coinlake/candles.db"));

        task.Sinks.ShouldHaveSingleItem().Output.ShouldBe(Path.Combine(Options().HomeDirectory!, "coinlake", "candles.db"));
    }

    [Fact]
    public void Parse_AbsoluteOutput_IsKept()
    {
        var absolute = Path.Combine(Path.GetTempPath(), "abs", "c.db");

        var task = ParseOne(RestTask($"output: '{absolute}'"));

        task.Sinks.ShouldHaveSingleItem().Output.ShouldBe(absolute);
    }

    [Fact]
    public void Parse_FormatList_MakesOneSinkPerFormatWithDefaultOutputs()
    {
        var task = ParseOne(RestTask("format: [sqlite, parquet, csv, json]", "table: ohlcv_1m", "path_template: '{symbol}/{year}.dat'"));

        task.Sinks.ShouldBe([
            new SinkDefinition(SinkFormat.Sqlite, Path.Combine(Folder, "data", "coinlake.db"), "ohlcv_1m"),
            new SinkDefinition(SinkFormat.Parquet, Path.Combine(Folder, "data", "parquet"), null, "{symbol}/{year}.dat"),
            new SinkDefinition(SinkFormat.Csv, Path.Combine(Folder, "data", "csv"), null, "{symbol}/{year}.dat"),
            new SinkDefinition(SinkFormat.Json, Path.Combine(Folder, "data", "json"), null, "{symbol}/{year}.dat"),
        ]);
    }

    [Fact]
    public void Parse_SinksList_ReadsEachSink()
    {
        var task = ParseOne(RestTask(
            "sinks:",
            "  - { format: sqlite, output: data/coinlake.db, table: candles }",
            "  - format: parquet",
            "    sortie: data/parquet",
            "    path_template: '{exchange}/{symbol}.parquet'",
            "  - { format: CSV }"));

        task.Sinks.ShouldBe([
            new SinkDefinition(SinkFormat.Sqlite, Path.Combine(Folder, "data", "coinlake.db"), "candles"),
            new SinkDefinition(SinkFormat.Parquet, Path.Combine(Folder, "data", "parquet"), null, "{exchange}/{symbol}.parquet"),
            new SinkDefinition(SinkFormat.Csv, Path.Combine(Folder, "data", "csv")),
        ]);
    }

    [Theory]
    [InlineData("2024-01-01", "2024-01-01T00:00:00Z")]
    [InlineData("2024-01-01T12:00:00Z", "2024-01-01T12:00:00Z")]
    [InlineData("2024-01-01 12:00", "2024-01-01T12:00:00Z")]
    [InlineData("2024-01-01T12:30", "2024-01-01T12:30:00Z")]
    [InlineData("2024-01-01 12:30:15", "2024-01-01T12:30:15Z")]
    [InlineData("2024-01-01T12:30:15.250Z", "2024-01-01T12:30:15.250Z")]
    [InlineData("2024-01-01T14:00:00+02:00", "2024-01-01T12:00:00Z")]
    [InlineData("'2024-01-01'", "2024-01-01T00:00:00Z")]
    public void Parse_StartForms_AreReadAsUtc(string written, string expected)
    {
        var task = ParseOne(Task("symbol: BTC/USDT", "timeframe: 1m", $"start: {written}"));

        task.Start.ShouldBe(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
        task.Start.Offset.ShouldBe(TimeSpan.Zero);
    }

    [Theory]
    [InlineData("300", 300)]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    public void Parse_DurationForms_AreSeconds(string written, int seconds)
    {
        var task = ParseOne(Task("mode: stream", "symbol: BTC/USDT", "timeframe: 1m", $"duration: {written}"));

        task.Duration.ShouldBe(TimeSpan.FromSeconds(seconds));
    }

    [Theory]
    [InlineData("duration: 0")]
    [InlineData("duration:")]
    [InlineData("duration: ~")]
    [InlineData("duree: None")]
    public void Parse_ZeroOrEmptyDuration_RunsUntilStopped(string line)
    {
        ParseOne(Task("mode: stream", "symbol: BTC/USDT", "timeframe: 1m", line)).Duration.ShouldBeNull();
    }

    [Fact]
    public void Parse_StreamTask_StartsAtLoadTimeWithOhlcvByDefault()
    {
        var task = ParseOne(Task("mode: stream", "symbol: BTC/USDT", "timeframe: 1m"));

        task.Stream.ShouldBe("ohlcv");
        task.Start.ShouldBe(Now);
        task.End.ShouldBeNull();
        task.Duration.ShouldBeNull();
    }

    [Fact]
    public void Parse_TickersStream_NeedsNoTimeframe()
    {
        var task = ParseOne(Task("mode: stream", "stream: tickers", "symbols: [BTC/USDT, ETH/USDT]"));

        task.Timeframes.ShouldBeEmpty();
        task.Symbols.Count.ShouldBe(2);
    }

    [Fact]
    public void Parse_SwapWithSpotSyntaxSymbols_NormalizesToLinearPerpetuals()
    {
        // Seed style: `type_marche: swap` with `symbole: BTC/USDT`; ccxt reads it as BTC/USDT:USDT.
        var task = ParseOne(Task("type_marche: swap", "symboles: [BTC/USDT, ETH/USDT:USDT]", "timeframe: 1m", "start: 2024-01-01"));

        task.MarketType.ShouldBe(MarketType.Swap);
        task.Subtype.ShouldBe(MarketSubtype.Linear);
        task.Symbols.ShouldBe([Symbol.Parse("BTC/USDT:USDT"), Symbol.Parse("ETH/USDT:USDT")]);
    }

    [Fact]
    public void Parse_InverseSwapWithSpotSyntaxSymbol_NormalizesToBaseSettlement()
    {
        var task = ParseOne(Task("market_type: swap", "subtype: inverse", "symbol: BTC/USD", "timeframe: 1m", "start: 2024-01-01"));

        task.Subtype.ShouldBe(MarketSubtype.Inverse);
        task.Symbols.ShouldBe([Symbol.Parse("BTC/USD:BTC")]);
    }

    [Fact]
    public void Parse_DatedFutureSymbol_ImpliesFutureMarket()
    {
        var task = ParseOne(Task("symbol: BTC/USDT:USDT-250328", "timeframe: 1d", "start: 2025-01-01", "price: index"));

        task.MarketType.ShouldBe(MarketType.Future);
        task.Subtype.ShouldBe(MarketSubtype.Linear);
        task.Price.ShouldBe(PriceType.Index);
    }

    [Fact]
    public void Parse_IntervalAliasAndTimeframeList_AreRead()
    {
        ParseOne(Task("symbol: BTC/USDT", "interval: 1M", "start: 2024-01-01")).Timeframes.ShouldBe([Timeframe.Parse("1M")]);
        ParseOne(Task("symbol: BTC/USDT", "timeframes: [1m, 1h, 1d]", "start: 2024-01-01")).Timeframes
            .ShouldBe([Timeframe.OneMinute, Timeframe.OneHour, Timeframe.Parse("1d")]);
    }

    [Fact]
    public void Parse_ScalarUnderSymbols_IsOneSymbol()
    {
        ParseOne(Task("symbols: eth/usdt", "timeframe: 1h", "start: 2024-01-01")).Symbols.ShouldBe([Symbol.Parse("ETH/USDT")]);
    }

    [Fact]
    public void Parse_ExchangeInUpperCase_IsStoredLowerCase()
    {
        ParseOne(RestTask().Replace("exchange: binance", "exchange: Binance", StringComparison.Ordinal)).Exchange.ShouldBe("binance");
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("no", false)]
    [InlineData("true", true)]
    public void Parse_ExcludeCurrentCandle_IsRead(string written, bool expected)
    {
        ParseOne(RestTask($"exclure_bougie_courante: {written}")).ExcludeCurrentCandle.ShouldBe(expected);
    }

    [Fact]
    public void Parse_BaseUrl_IsRead()
    {
        ParseOne(RestTask("base_url: http://127.0.0.1:8080")).BaseUrl.ShouldBe(new Uri("http://127.0.0.1:8080"));
    }

    [Fact]
    public void Parse_MergeKey_TakesTheAnchoredTasksKeysUnlessOverridden()
    {
        const string yaml = """
            version: 1
            tasks:
              - &base
                name: btc_1m
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1m
                start: 2024-01-01
              - <<: *base
                name: btc_1h
                timeframe: 1h
            """;

        var tasks = Parse(yaml).Tasks;

        tasks.Select(t => (t.Name, t.Timeframes.Single().ToString(), t.Symbols.Single().ToString(), t.Exchange))
            .ShouldBe([("btc_1m", "1m", "BTC/USDT", "binance"), ("btc_1h", "1h", "BTC/USDT", "binance")]);
    }

    [Fact]
    public void Parse_MergeKeyWithoutOwnName_ReportsTheDuplicateName()
    {
        const string yaml = """
            version: 1
            tasks:
              - &base
                name: btc_1m
                exchange: binance
                symbol: BTC/USDT
                timeframe: 1m
                start: 2024-01-01
              - <<: *base
                timeframe: 1h
            """;

        var error = SingleError(yaml);

        error.Message.ShouldStartWith("task name 'btc_1m' is already used by the task at line 4");
    }

    [Fact]
    public void Parse_SeveralTasks_KeepFileOrderAndLocations()
    {
        var yaml = RestTask() + "  - name: t2\n    exchange: okx\n    symbol: ETH/USDT\n    timeframe: 1h\n    start: 2024-01-01\n";

        var file = Parse(yaml);

        file.Tasks.Select(t => (t.Name, t.Location.Line)).ShouldBe([("t1", 3), ("t2", 8)]);
    }

    [Fact]
    public void Parse_ManyProblems_ReportsEveryOneSortedByLine()
    {
        const string yaml = """
            version: 3
            tasks:
              - name: a
                exchange: binanse
                symbol: BTCUSDT
                timeframe: 2m
                start: 2024-02-30
                formt: csv
              - name: a
                exchange: okx
                market_type: spot
                symbols: [BTC/USDT:USDT]
                timeframe: 1m
                start: 2024-01-01
                end: 2023-01-01
                table: "bad name"
              - mode: stream
                exchange: bybit
                symbol: BTC/USD:BTC
                timeframe: 1m
                duree: forever
            """;

        var errors = Errors(yaml);

        (int Line, int Column, string Start)[] expected =
        [
            (1, 10, "unsupported version '3'"),
            (4, 15, "unknown exchange 'binanse'; did you mean 'binance'?"),
            (5, 13, "'BTCUSDT' is not a unified symbol; did you mean 'BTC/USDT'"),
            (6, 16, "'2m' is not a timeframe;"),
            (7, 12, "'2024-02-30' is not a date;"),
            (8, 5, "unknown key 'formt' in a task; did you mean 'format'?"),
            (9, 11, "task name 'a' is already used by the task at line 3"),
            (12, 15, "BTC/USDT:USDT is a swap symbol but the task's market type is spot"),
            (15, 10, "end 2023-01-01T00:00:00Z is not after start 2024-01-01T00:00:00Z"),
            (16, 12, "'bad name' is not a valid table name"),
            (17, 5, "this task has no 'name'"),
            (21, 12, "'forever' is not a duration"),
        ];
        errors.Count.ShouldBe(expected.Length, string.Join('\n', errors));
        for (var i = 0; i < expected.Length; i++)
        {
            errors[i].Location.ShouldBe(new SourceLocation(FilePath, expected[i].Line, expected[i].Column));
            errors[i].Message.ShouldStartWith(expected[i].Start, Case.Sensitive);
        }
    }

    [Fact]
    public void Load_ExistingFile_ReadsItAndResolvesOutputsAgainstItsFolder()
    {
        var folder = Directory.CreateTempSubdirectory("coinlake-load-");
        try
        {
            var path = Path.Combine(folder.FullName, "tasks.yaml");
            File.WriteAllText(path, RestTask("output: out/c.db"));

            var file = TaskFileLoader.Load(path, Options());

            file.Path.ShouldBe(path);
            file.Tasks.ShouldHaveSingleItem().Sinks.ShouldHaveSingleItem().Output.ShouldBe(Path.Combine(folder.FullName, "out", "c.db"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_MissingFile_ThrowsTaskFileExceptionNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "coinlake-no-such-folder", "tasks.yaml");

        var ex = Should.Throw<TaskFileException>(() => TaskFileLoader.Load(path, Options()));

        ex.Errors.ShouldHaveSingleItem().Location.ShouldBe(new SourceLocation(path, 1, 1));
        ex.Message.ShouldContain("task file not found");
        ex.InnerException.ShouldBeAssignableTo<IOException>();
    }

    [Fact]
    public void Series_EverySymbolAndTimeframe_InFileOrder()
    {
        var task = ParseOne(Task("market_type: swap", "symbols: [BTC/USDT, ETH/USDT]", "timeframes: [1m, 1h]", "start: 2024-01-01", "price: mark"));

        task.Series().Select(s => s.ToString()).ShouldBe([
            "binance BTC/USDT:USDT swap 1m mark",
            "binance BTC/USDT:USDT swap 1h mark",
            "binance ETH/USDT:USDT swap 1m mark",
            "binance ETH/USDT:USDT swap 1h mark",
        ]);
    }

    [Fact]
    public void RangeAt_OpenEnd_EndsNowAndClosedEndIsKept()
    {
        var open = ParseOne(RestTask());
        var closed = ParseOne(RestTask("end: 2024-01-02"));
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

        open.RangeAt(Now).ShouldBe(new TimeRange(start, Now.ToUnixTimeMilliseconds()));
        closed.RangeAt(Now).ShouldBe(new TimeRange(start, start + 86_400_000));
        open.RangeAt(new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero)).IsEmpty.ShouldBeTrue();
    }
}
