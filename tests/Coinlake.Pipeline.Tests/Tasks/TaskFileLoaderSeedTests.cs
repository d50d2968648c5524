using Coinlake.Markets;
using Coinlake.Pipeline.Tasks;
using Coinlake.Time;
using static Coinlake.Pipeline.Tests.Tasks.TaskFileTestSupport;

namespace Coinlake.Pipeline.Tests.Tasks;

/// <summary>The task files of seed 000 (the YAML orchestrator's README), verbatim: a seed user's file must run unchanged.</summary>
public sealed class TaskFileLoaderSeedTests
{
    private const string RestBinanceJan2024 = """
        version: 1
        tasks:
          - name: binance_btc_1m_jan2024
            mode: rest
            exchange: binance
            symbole: BTC/USDT
            timeframe: 1m
            date_debut: 2024-01-01
            date_fin: 2024-02-01
            format: parquet
            sortie: donnees/binance_btcusdt_1m_202401.parquet
        """;

    private const string StreamOkxMulti = """
        version: 1
        tasks:
          - name: okx_multi_ohlcv
            mode: stream
            stream: ohlcv
            exchange: okx
            type_marche: swap
            sous_type: linear
            symboles: [BTC/USDT:USDT, ETH/USDT:USDT]
            timeframe: 1m
            duree: 300
            prix_ohlcv: mark
            exclure_bougie_courante: true
            format: sqlite
            sqlite_table: ohlcv_1m
            sortie: donnees/okx_multi_ohlcv.sqlite
        """;

    private const string StreamBybitTrades = """
        version: 1
        tasks:
          - name: bybit_btc_trades_to_ohlcv
            mode: stream
            stream: trades
            exchange: bybit
            symbole: BTC/USD:BTC
            timeframe: 1m
            duree: 120
            format: csv
            sortie: donnees/bybit_btc_trades_ohlcv.csv
        """;

    private const string StreamOkxLiveProd = """
        version: 1
        tasks:
          - name: okx_btc_live_sqlite
            mode: stream
            stream: ohlcv
            exchange: okx
            type_marche: swap
            sous_type: linear
            symbole: BTC/USDT:USDT
            timeframe: 1m
            duree: 0
            prix_ohlcv: mark
            exclure_bougie_courante: true
            format: sqlite
            sqlite_table: ohlcv_1m
            sortie: donnees/okx_live.sqlite
        """;

    [Fact]
    public void Parse_SeedRestBinanceJan2024_ReadsEveryFrenchKey()
    {
        var file = Parse(RestBinanceJan2024);

        file.Version.ShouldBe(1);
        file.Path.ShouldBe(FilePath);
        var task = file.Tasks.ShouldHaveSingleItem();
        task.Name.ShouldBe("binance_btc_1m_jan2024");
        task.Mode.ShouldBe(TaskMode.Rest);
        task.Exchange.ShouldBe("binance");
        task.MarketType.ShouldBe(MarketType.Spot);
        task.Subtype.ShouldBe(MarketSubtype.None);
        task.Symbols.ShouldBe([Symbol.Parse("BTC/USDT")]);
        task.Timeframes.ShouldBe([Timeframe.OneMinute]);
        task.Start.ShouldBe(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        task.End.ShouldBe(new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero));
        task.Price.ShouldBe(PriceType.Last);
        task.Sinks.ShouldBe([new SinkDefinition(SinkFormat.Parquet, Path.Combine(Folder, "donnees", "binance_btcusdt_1m_202401.parquet"))]);
        task.Stream.ShouldBeNull();
        task.Duration.ShouldBeNull();
        task.Location.ShouldBe(new SourceLocation(FilePath, 3, 5));
    }

    [Fact]
    public void Parse_SeedStreamOkxMulti_ReadsSwapSymbolsMarkPriceAndSqliteTable()
    {
        var task = ParseOne(StreamOkxMulti);

        task.Mode.ShouldBe(TaskMode.Stream);
        task.Stream.ShouldBe("ohlcv");
        task.Exchange.ShouldBe("okx");
        task.MarketType.ShouldBe(MarketType.Swap);
        task.Subtype.ShouldBe(MarketSubtype.Linear);
        task.Symbols.ShouldBe([Symbol.Parse("BTC/USDT:USDT"), Symbol.Parse("ETH/USDT:USDT")]);
        task.Duration.ShouldBe(TimeSpan.FromSeconds(300));
        task.Price.ShouldBe(PriceType.Mark);
        task.ExcludeCurrentCandle.ShouldBeTrue();
        task.Sinks.ShouldBe([new SinkDefinition(SinkFormat.Sqlite, Path.Combine(Folder, "donnees", "okx_multi_ohlcv.sqlite"), "ohlcv_1m")]);
        task.Start.ShouldBe(Now);
        task.End.ShouldBeNull();
    }

    [Fact]
    public void Parse_SeedStreamBybitTrades_ReadsInverseSwapFromSymbol()
    {
        var task = ParseOne(StreamBybitTrades);

        task.Stream.ShouldBe("trades");
        task.MarketType.ShouldBe(MarketType.Swap);
        task.Subtype.ShouldBe(MarketSubtype.Inverse);
        task.Symbols.ShouldBe([Symbol.Parse("BTC/USD:BTC")]);
        task.Duration.ShouldBe(TimeSpan.FromSeconds(120));
        task.Sinks.ShouldBe([new SinkDefinition(SinkFormat.Csv, Path.Combine(Folder, "donnees", "bybit_btc_trades_ohlcv.csv"))]);
    }

    [Fact]
    public void Parse_SeedStreamOkxLiveProd_ZeroDurationRunsForever()
    {
        var task = ParseOne(StreamOkxLiveProd);

        task.Name.ShouldBe("okx_btc_live_sqlite");
        task.Duration.ShouldBeNull();
        task.Symbols.ShouldBe([Symbol.Parse("BTC/USDT:USDT")]);
        task.Sinks.ShouldHaveSingleItem().Table.ShouldBe("ohlcv_1m");
    }

    [Fact]
    public void Parse_SeedDurationNone_RunsForever()
    {
        // The seed's key table documents `duree`: "secondes (0/None = infini)".
        var task = ParseOne(StreamOkxLiveProd.Replace("duree: 0", "duree: None", StringComparison.Ordinal));

        task.Duration.ShouldBeNull();
    }
}
