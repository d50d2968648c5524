using Coinlake.Pipeline.Tasks;
using static Coinlake.Pipeline.Tests.Tasks.TaskFileTestSupport;

namespace Coinlake.Pipeline.Tests.Tasks;

/// <summary>One test per validation rule: each bad file yields exactly the expected error, at the expected line:column.</summary>
public sealed class TaskFileLoaderValidationTests
{
    public static TheoryData<string, string, int, int, string> SingleErrorCases() => new()
    {
        // description, yaml, line, column, expected message fragment
        { "unknown key, close", RestTask("timefrme: 1h"), 8, 5, "unknown key 'timefrme' in a task; did you mean 'timeframe'?" },
        { "unknown key, far", RestTask("colour: blue"), 8, 5, "valid keys in a task: name, mode, exchange," },
        { "list where scalar expected", Task("symbol: [BTC/USDT, ETH/USDT]", "timeframe: 1m", "start: 2024-01-01"), 5, 13, "'symbol' takes a single value, found a list; for several values write 'symbols: [BTC/USDT, ETH/USDT]'" },
        { "mapping where scalar expected", RestTask("price: { kind: mark }"), 8, 12, "'price' takes a single value, found a mapping" },
        { "bad date", Task("symbol: BTC/USDT", "timeframe: 1m", "start: 2024-13-01"), 7, 12, "'2024-13-01' is not a date; write 2024-01-01 (00:00 UTC), 2024-01-01T12:00:00Z or 2024-01-01 12:00" },
        { "end before start", RestTask("end: 2023-12-31"), 8, 10, "end 2023-12-31T00:00:00Z is not after start 2024-01-01T00:00:00Z" },
        { "end equal to start", RestTask("end: 2024-01-01T00:00:00Z"), 8, 10, "is not after start" },
        { "unknown exchange", RestTask().Replace("exchange: binance", "exchange: binanse", StringComparison.Ordinal), 4, 15, "unknown exchange 'binanse'; did you mean 'binance'? known exchanges: binance, bybit, coinbase, kraken, kucoin, okx." },
        { "bad timeframe", Task("symbol: BTC/USDT", "timeframe: 1H", "start: 2024-01-01"), 6, 16, "'1H' is not a timeframe; did you mean '1h'? valid timeframes: 1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M" },
        { "unknown timeframe, no near one", Task("symbol: BTC/USDT", "timeframe: 1x", "start: 2024-01-01"), 6, 16, "'1x' is not a timeframe; valid timeframes:" },
        { "merge of a scalar", RestTask("<<: 5"), 8, 9, "'<<' merges the keys of an anchored mapping (<<: *base), found '5'." },
        { "duplicate timeframe", Task("symbol: BTC/USDT", "timeframes: [1m, 1h, 1m]", "start: 2024-01-01"), 6, 26, "timeframe 1m is listed twice" },
        { "bad format", RestTask("format: parqet"), 8, 13, "unknown format 'parqet'; did you mean 'parquet'? use sqlite, postgres, parquet, csv or json." },
        { "bad price", RestTask("price: median"), 8, 12, "unknown price type 'median'; use last (traded price), mark or index" },
        { "mark price on spot", RestTask("price: mark"), 8, 12, "mark prices exist for derivatives only" },
        { "bad market type", RestTask("market_type: margin"), 8, 18, "unknown market type 'margin'; use spot, swap (perpetual) or future" },
        { "bad subtype", Task("market_type: swap", "subtype: quanto", "symbol: BTC/USDT:USDT", "timeframe: 1m", "start: 2024-01-01"), 6, 14, "unknown subtype 'quanto'" },
        { "exchange id as symbol", Task("symbol: BTCUSDT", "timeframe: 1m", "start: 2024-01-01"), 5, 13, "'BTCUSDT' is not a unified symbol; did you mean 'BTC/USDT'" },
        { "dash symbol", Task("symbol: BTC-USDT", "timeframe: 1m", "start: 2024-01-01"), 5, 13, "did you mean 'BTC/USDT'?" },
        { "duplicate symbol", Task("symbols: [BTC/USDT, btc/usdt]", "timeframe: 1m", "start: 2024-01-01"), 5, 25, "symbol BTC/USDT is listed twice" },
        { "spot with swap symbol", Task("market_type: spot", "symbol: BTC/USDT:USDT", "timeframe: 1m", "start: 2024-01-01"), 6, 13, "BTC/USDT:USDT is a swap symbol but the task's market type is spot; write BTC/USDT for spot or set 'market_type: swap'" },
        { "swap with future symbol", Task("market_type: swap", "symbol: BTC/USDT:USDT-250328", "timeframe: 1m", "start: 2024-01-01"), 6, 13, "is a dated future but the task's market type is swap" },
        { "future without expiry", Task("market_type: future", "symbol: BTC/USDT:USDT", "timeframe: 1m", "start: 2024-01-01"), 6, 13, "BTC/USDT:USDT has no expiry but the task's market type is future; write the dated symbol, e.g. BTC/USDT:USDT-250328" },
        { "subtype vs symbol", Task("subtype: inverse", "symbol: BTC/USDT:USDT", "timeframe: 1m", "start: 2024-01-01"), 6, 13, "BTC/USDT:USDT settles in USDT, so it is linear, but the task's subtype is inverse" },
        { "subtype on spot", Task("market_type: spot", "subtype: linear", "symbol: BTC/USDT", "timeframe: 1m", "start: 2024-01-01"), 6, 5, "'subtype' applies to swap and future markets" },
        { "subtype with spot symbol", Task("sous_type: linear", "symbol: BTC/USDT", "timeframe: 1m", "start: 2024-01-01"), 5, 5, "'sous_type: linear' applies to swap and future markets, but BTC/USDT is a spot symbol; write BTC/USDT:USDT or add 'market_type: swap'" },
        { "mixed market types", Task("symbols: [BTC/USDT, ETH/USDT:USDT]", "timeframe: 1m", "start: 2024-01-01"), 5, 25, "symbols mix spot and swap markets (BTC/USDT is spot, ETH/USDT:USDT is swap); put them in separate tasks" },
        { "mixed subtypes", Task("symbols: [BTC/USDT:USDT, BTC/USD:BTC]", "timeframe: 1m", "start: 2024-01-01"), 5, 30, "symbols mix linear and inverse contracts" },
        { "symbol and symbols", Task("symbol: BTC/USDT", "symbols: [ETH/USDT]", "timeframe: 1m", "start: 2024-01-01"), 6, 5, "'symbol' and 'symbols' cannot both be given" },
        { "alias and key", RestTask("symbole: ETH/USDT"), 8, 5, "'symbole' and 'symbol' (line 5) both set 'symbol'; keep one." },
        { "missing name", "version: 1\ntasks:\n  - exchange: binance\n    symbol: BTC/USDT\n    timeframe: 1m\n    start: 2024-01-01\n", 3, 5, "this task has no 'name'; add e.g. 'name: binance_btc_1m_jan2024'." },
        { "empty name", RestTask().Replace("name: t1", "name:", StringComparison.Ordinal), 3, 5, "'name' has no value" },
        { "bad name", RestTask().Replace("name: t1", "name: my task", StringComparison.Ordinal), 3, 11, "task name 'my task' may hold only letters, digits" },
        { "missing exchange", "version: 1\ntasks:\n  - name: t1\n    symbol: BTC/USDT\n    timeframe: 1m\n    start: 2024-01-01\n", 3, 5, "task 't1' has no 'exchange'; add e.g. 'exchange: binance'." },
        { "missing symbol", Task("timeframe: 1m", "start: 2024-01-01"), 3, 5, "task 't1' has no 'symbol'; add e.g. 'symbol: BTC/USDT' or 'symbols: [BTC/USDT, ETH/USDT]'." },
        { "missing timeframe", Task("symbol: BTC/USDT", "start: 2024-01-01"), 3, 5, "task 't1' has no 'timeframe'; add e.g. 'timeframe: 1m' or 'timeframes: [1m, 1h]'." },
        { "missing start for rest", Task("symbol: BTC/USDT", "timeframe: 1m"), 3, 5, "task 't1' has no 'start'; a rest task needs one, e.g. 'start: 2024-01-01'" },
        { "missing version", RestTask().Replace("version: 1\n", "", StringComparison.Ordinal), 1, 1, "missing 'version: 1'; add it as the first line of the file." },
        { "wrong version", RestTask().Replace("version: 1", "version: 2", StringComparison.Ordinal), 1, 10, "unsupported version '2'; this Coinlake reads 'version: 1' task files." },
        { "bad table", RestTask("table: 1candles"), 8, 12, "'1candles' is not a valid table name; use letters, digits and '_'" },
        { "injected table", RestTask("table: \"x; DROP TABLE y\""), 8, 12, "is not a valid table name" },
        { "reserved table", RestTask("table: sqlite_master"), 8, 12, "not sqlite_*" },
        { "table on file sink", RestTask("format: parquet", "table: candles"), 9, 5, "'table' applies to sqlite and postgres sinks; parquet sinks write files under 'output'" },
        { "template on sqlite", RestTask("path_template: x.parquet"), 8, 5, "'path_template' applies to parquet, csv and json sinks" },
        { "template escaping output", RestTask("format: csv", "path_template: ../x.csv"), 9, 20, "is not a valid path template" },
        { "bad url", RestTask("base_url: not a url"), 8, 15, "'not a url' is not an absolute http(s) base URL" },
        { "non-http url", RestTask("base_url: ftp://127.0.0.1/"), 8, 15, "is not an absolute http(s) base URL" },
        { "bad mode", RestTask("mode: batch"), 8, 11, "unknown mode 'batch'; use 'rest' (historical backfill) or 'stream' (live WebSocket)." },
        { "rest trades task with timeframe", RestTask("stream: trades"), 6, 5, "a rest trades task stores raw trades and has no timeframe" },
        { "duration on rest task", RestTask("duree: 300"), 8, 5, "'duree' applies to stream and ticker tasks; a rest task stops at 'end'" },
        { "rest tickers task with start", Task("stream: tickers", "symbol: BTC/USDT", "start: 2024-01-01"), 7, 5, "a tickers task snapshots the current 24h tickers; it has no 'start'" },
        { "bad ticker interval", Task("stream: tickers", "symbol: BTC/USDT", "interval: often"), 7, 15, "'often' is not a snapshot interval" },
        { "interval and timeframe", RestTask("interval: 1h"), 8, 5, "'interval' is an alias of 'timeframe', which this task already has; keep one." },
        { "start on stream task", RestTask("mode: stream"), 7, 5, "'start' applies to rest tasks; a stream collects from the moment it starts" },
        { "bad stream kind", Task("mode: stream", "stream: candles", "symbol: BTC/USDT", "timeframe: 1m"), 6, 13, "unknown stream 'candles'; use ohlcv (candles), trades (aggregated into candles) or tickers." },
        { "bad duration", Task("mode: stream", "symbol: BTC/USDT", "timeframe: 1m", "duration: 5 minutes"), 8, 15, "'5 minutes' is not a duration; write whole seconds (300)" },
        { "negative duration", Task("mode: stream", "symbol: BTC/USDT", "timeframe: 1m", "duration: -5"), 8, 15, "is not a duration" },
        { "tickers with timeframe", Task("mode: stream", "stream: tickers", "symbol: BTC/USDT", "timeframe: 1m"), 8, 5, "a tickers task has no timeframe" },
        { "trades stream mark price", Task("mode: stream", "stream: trades", "symbol: BTC/USDT:USDT", "timeframe: 1m", "price: mark"), 9, 12, "a trades stream builds last-price candles" },
        { "bad bool", RestTask("exclude_current_candle: maybe"), 8, 29, "'exclude_current_candle' takes true (write only closed candles, the default) or false" },
        { "output with several formats", RestTask("format: [sqlite, parquet]", "output: data/x"), 9, 5, "'output' is ambiguous with several formats; give each format its own output under 'sinks:'" },
        { "duplicate format", RestTask("format: [csv, csv]"), 8, 19, "format csv is listed twice" },
        { "sinks and format", RestTask("format: csv", "sinks: [{ format: sqlite }]"), 8, 5, "'format' cannot be combined with 'sinks:'; move it into each entry of 'sinks'." },
        { "sink without format", RestTask("sinks:", "  - output: data/x.db"), 9, 9, "this sink has no 'format'" },
        { "unknown sink key", RestTask("sinks:", "  - { format: sqlite, tabel: c }"), 9, 27, "unknown key 'tabel' in a sink; did you mean 'table'?" },
        { "table on parquet sink", RestTask("sinks:", "  - { format: parquet, table: c }"), 9, 28, "'table' applies to sqlite and postgres sinks; a parquet sink writes files under 'output'" },
        { "repeated sink", RestTask("sinks:", "  - { format: csv }", "  - { format: csv }"), 10, 9, "this sink repeats an earlier one" },
        { "empty sinks", RestTask("sinks: []"), 8, 5, "'sinks' must be a non-empty list of sinks" },
        { "task key at top level", "version: 1\nexchange: binance\ntasks:\n  - name: t1\n    exchange: binance\n    symbol: BTC/USDT\n    timeframe: 1m\n    start: 2024-01-01\n", 2, 1, "unknown key 'exchange' at the top level; task keys go inside an item of the 'tasks:' list" },
        { "tasks not a list", "version: 1\ntasks:\n  name: t1\n", 3, 3, "'tasks' must be a list of tasks ('- name: ...' items), found a mapping" },
        { "tasks empty", "version: 1\ntasks: []\n", 2, 8, "'tasks' is empty; add at least one task." },
        { "missing tasks", "version: 1\n", 1, 1, "missing 'tasks:'" },
        { "task not a mapping", "version: 1\ntasks:\n  - binance_btc\n", 3, 5, "each entry of 'tasks' must be a mapping of keys" },
        { "empty file", "# nothing here\n", 1, 1, "the task file is empty; it needs 'version: 1' and a 'tasks:' list" },
        { "two documents", RestTask() + "---\nversion: 1\n", 9, 1, "a task file holds one YAML document; remove the '---' separator" },
        { "syntax error: tab", "version: 1\ntasks:\n  - name: t1\n\texchange: binance\n", 3, 11, "YAML syntax error: While scanning a plain scalar, found a tab character" },
        { "syntax error: unclosed list", RestTask("timeframes: [1m, 1h"), 9, 1, "YAML syntax error: While parsing a flow sequence, did not find expected ',' or ']'" },
        { "syntax error: duplicate key", RestTask("exchange: okx"), 8, 5, "YAML syntax error: key 'exchange' appears twice in the same mapping (keep one)" },
    };

    [Theory]
    [MemberData(nameof(SingleErrorCases))]
    public void Parse_InvalidFile_ReportsOneErrorAtItsLocation(string rule, string yaml, int line, int column, string message)
    {
        var error = SingleError(yaml);

        error.Message.ShouldContain(message, Case.Sensitive, rule);
        error.Location.ShouldBe(new SourceLocation(FilePath, line, column), rule);
    }

    [Fact]
    public void Parse_DuplicateTaskName_NamesTheFirstDefinition()
    {
        var yaml = RestTask() + "  - name: t1\n    exchange: okx\n    symbol: ETH/USDT\n    timeframe: 1h\n    start: 2024-01-01\n";

        var error = SingleError(yaml);

        error.Location.ShouldBe(new SourceLocation(FilePath, 8, 11));
        error.Message.ShouldBe("task name 't1' is already used by the task at line 3; task names must be unique (--tasks selects tasks by name).");
    }

    [Fact]
    public void Parse_MisspelledRequiredKey_ReportsOnlyTheMisspelling()
    {
        var yaml = Task("symbole: BTC/USDT", "timefram: 1m", "date_debu: 2024-01-01");

        var errors = Errors(yaml);

        errors.Select(e => e.Message).ShouldBe([
            "unknown key 'timefram' in a task; did you mean 'timeframe'?",
            "unknown key 'date_debu' in a task; did you mean 'date_debut'?",
        ]);
    }

    [Fact]
    public void Parse_UnknownExchangeWithCustomKnownSet_SuggestsFromThatSet()
    {
        var options = Options();
        options.KnownExchanges = new HashSet<string>(["binanceus", "kraken"], StringComparer.Ordinal);

        var ex = Should.Throw<TaskFileException>(() => TaskFileLoader.Parse(RestTask(), FilePath, options));

        ex.Errors.ShouldHaveSingleItem().Message.ShouldBe("unknown exchange 'binance'; did you mean 'binanceus'? known exchanges: binanceus, kraken.");
    }

    [Fact]
    public void TaskFileException_Message_ListsEveryErrorOnePerLine()
    {
        var ex = Should.Throw<TaskFileException>(() => Parse(Task("symbol: BTCUSDT", "timeframe: 1H", "start: 2024-01-01")));

        ex.Message.Split('\n').ShouldBe([
            $"{FilePath}:5:13: {ex.Errors[0].Message}",
            $"{FilePath}:6:16: {ex.Errors[1].Message}",
        ]);
    }
}
