using System.Globalization;
using System.Text.RegularExpressions;
using Coinlake.Markets;
using Coinlake.Text;
using Coinlake.Time;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using TimeframeValue = Coinlake.Time.Timeframe;

namespace Coinlake.Pipeline.Tasks;

/// <summary>
/// Reads one task file through YamlDotNet's representation model (so every node keeps its line and column),
/// validates it and collects every problem before failing. One instance per file.
/// </summary>
internal sealed partial class TaskFileReader
{
    private static readonly string[] s_quoteCurrencies = ["USDT", "USDC", "FDUSD", "BUSD", "TUSD", "USD", "EUR", "GBP", "TRY", "BTC", "ETH", "BNB"];
    private static readonly string[] s_streamKinds = ["ohlcv", "trades", "tickers"];
    private static readonly string[] s_formatNames = ["sqlite", "postgres", "parquet", "csv", "json"];
    private static readonly string s_timeframeList = string.Join(" ", TimeframeValue.All);

    private readonly string _path;
    private readonly string _folder;
    private readonly TaskFileOptions _options;
    private readonly List<TaskFileError> _errors = [];
    private readonly Dictionary<string, SourceLocation> _names = new(StringComparer.Ordinal);

    public TaskFileReader(string path, TaskFileOptions options)
    {
        _path = path;
        _options = options;
        _folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? Path.GetFullPath(".");
    }

    private sealed record Field(string Written, YamlScalarNode Key, YamlNode Value);

    /// <summary>The keys of one mapping by canonical name, and the keys that unknown (misspelled) keys were closest to.</summary>
    private sealed class Fields() : Dictionary<string, Field>(StringComparer.Ordinal)
    {
        public HashSet<string> Misspelled { get; } = new(StringComparer.Ordinal);

        /// <summary>True when the key is absent and no misspelling of it was reported (so "missing" is the right message).</summary>
        public bool IsMissing(string key) => !ContainsKey(key) && !Misspelled.Contains(key);
    }

    private sealed record Item(string? Text, YamlNode Node);

    /// <summary>Parses and validates <paramref name="yaml"/>.</summary>
    /// <exception cref="TaskFileException">Every problem found, sorted by line and column.</exception>
    public TaskFile Read(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            Error(ex.Start, $"YAML syntax error: {SyntaxMessage(ex)}; check the indentation (spaces, not tabs), the ':' after each key, and quote values containing ': ' or ' #'.");
            throw new TaskFileException(_errors);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Style: ScalarStyle.Plain, Value: var v } && TaskValues.IsNull(v ?? ""))
        {
            _errors.Add(new TaskFileError(new SourceLocation(_path, 1, 1), "the task file is empty; it needs 'version: 1' and a 'tasks:' list (see examples/)."));
            throw new TaskFileException(_errors);
        }

        if (stream.Documents.Count > 1)
        {
            Error(stream.Documents[1].RootNode, "a task file holds one YAML document; remove the '---' separator and put every task under one 'tasks:' list.");
        }

        var tasks = ReadRoot(stream.Documents[0].RootNode);
        if (_errors.Count > 0)
        {
            throw new TaskFileException(SortedErrors());
        }

        return new TaskFile(_path, 1, tasks);
    }

    private List<TaskDefinition> ReadRoot(YamlNode root)
    {
        if (root is not YamlMappingNode map)
        {
            Error(root, $"the top level must be a mapping with 'version: 1' and 'tasks:', found {Describe(root)}.");
            return [];
        }

        var fields = Collect(map, TaskKeys.Root, "at the top level", isRoot: true);
        if (!fields.TryGetValue(TaskKeys.Version, out var version))
        {
            Error(map, "missing 'version: 1'; add it as the first line of the file.");
        }
        else if (TryText(version, out var text) && !string.Equals(text?.Trim(), "1", StringComparison.Ordinal))
        {
            Error(version.Value, text is null
                ? "'version' has no value; write 'version: 1'."
                : $"unsupported version '{text}'; this Coinlake reads 'version: 1' task files.");
        }

        if (!fields.TryGetValue(TaskKeys.Tasks, out var tasksField))
        {
            Error(map, "missing 'tasks:'; list the tasks under it ('- name: ...' items, see examples/).");
            return [];
        }

        if (tasksField.Value is not YamlSequenceNode sequence)
        {
            Error(tasksField.Value, $"'tasks' must be a list of tasks ('- name: ...' items), found {Describe(tasksField.Value)}.");
            return [];
        }

        if (sequence.Children.Count == 0)
        {
            Error(tasksField.Value, "'tasks' is empty; add at least one task.");
            return [];
        }

        var tasks = new List<TaskDefinition>();
        foreach (var item in sequence.Children)
        {
            if (item is not YamlMappingNode taskMap)
            {
                Error(item, $"each entry of 'tasks' must be a mapping of keys (name: ..., exchange: ...), found {Describe(item)}.");
                continue;
            }

            if (ReadTask(taskMap) is { } task)
            {
                tasks.Add(task);
            }
        }

        return tasks;
    }

    private TaskDefinition? ReadTask(YamlMappingNode map)
    {
        var errorsBefore = _errors.Count;
        var fields = Collect(map, TaskKeys.Task, "in a task", isRoot: false);

        var name = ReadName(fields, map);
        var label = name is null ? "this task" : $"task '{name}'";
        var (mode, modeValid) = ReadMode(fields);
        var exchange = ReadExchange(fields, map, label);
        var market = ReadMarket(fields, map, label);
        var stream = ReadStream(fields, mode, modeValid);
        var interval = ReadInterval(fields, stream);
        var timeframes = ReadTimeframes(fields, map, label, stream, mode);
        var price = ReadPrice(fields, market, stream);
        var (start, end) = ReadRange(fields, map, label, mode, modeValid, stream);
        var duration = ReadDuration(fields, mode, modeValid, stream);
        var exclude = ReadExcludeCurrentCandle(fields);
        var streamSettings = ReadStreamSettings(fields, mode, modeValid);
        var baseUrl = ReadBaseUrl(fields);
        var sinks = ReadSinks(fields);
        var alerts = ReadAlerts(fields, mode, modeValid, stream);
        var rotation = ReadRotation(fields, mode, modeValid);
        var schedule = ReadSchedule(fields, mode, modeValid);

        if (_errors.Count > errorsBefore || name is null || exchange is null || market is null)
        {
            return null;
        }

        return new TaskDefinition
        {
            Name = name,
            Mode = mode,
            Exchange = exchange,
            MarketType = market.Value.Type,
            Subtype = market.Value.Subtype,
            Symbols = market.Value.Symbols,
            Timeframes = timeframes,
            Start = mode == TaskMode.Stream ? _options.Time.GetUtcNow() : start,
            End = end,
            Price = price,
            Sinks = sinks,
            BaseUrl = baseUrl,
            Stream = stream,
            Duration = duration,
            Interval = interval,
            ExcludeCurrentCandle = exclude,
            StallTimeout = streamSettings.StallTimeout,
            Capture = streamSettings.Capture,
            Group = streamSettings.Group,
            Grace = streamSettings.Grace,
            HealLookback = streamSettings.HealLookback,
            Alerts = alerts,
            Rotation = rotation,
            Schedule = schedule,
            Location = Location(map),
        };
    }

    private string? ReadName(Fields fields, YamlMappingNode map)
    {
        var name = Required(fields, TaskKeys.Name, map, "this task", "binance_btc_1m_jan2024");
        if (name is null)
        {
            return null;
        }

        var node = fields[TaskKeys.Name].Value;
        if (!TaskValues.IsTaskName(name))
        {
            Error(node, $"task name '{name}' may hold only letters, digits, '_', '.' and '-' (no spaces or commas, at most 100 characters) and must start with a letter or digit; e.g. binance_btc_1m.");
            return null;
        }

        if (_names.TryGetValue(name, out var first))
        {
            Error(node, $"task name '{name}' is already used by the task at line {first.Line}; task names must be unique (--tasks selects tasks by name).");
            return null;
        }

        _names[name] = Location(node);
        return name;
    }

    private (TaskMode Mode, bool Valid) ReadMode(Fields fields)
    {
        if (Optional(fields, TaskKeys.Mode) is not { } text)
        {
            return (TaskMode.Rest, !fields.ContainsKey(TaskKeys.Mode));
        }

        switch (text.Trim().ToLowerInvariant())
        {
            case "rest":
                return (TaskMode.Rest, true);
            case "stream":
                return (TaskMode.Stream, true);
            default:
                Error(fields[TaskKeys.Mode].Value, $"unknown mode '{text}'; use 'rest' (historical backfill) or 'stream' (live WebSocket).");
                return (TaskMode.Rest, false);
        }
    }

    private string? ReadExchange(Fields fields, YamlMappingNode map, string label)
    {
        var exchange = Required(fields, TaskKeys.Exchange, map, label, "binance")?.ToLowerInvariant();
        if (exchange is null)
        {
            return null;
        }

        if (!_options.KnownExchanges.Contains(exchange))
        {
            var known = _options.KnownExchanges.Order(StringComparer.Ordinal).ToList();
            Error(fields[TaskKeys.Exchange].Value, $"unknown exchange '{exchange}';{Suggest(exchange, known)} known exchanges: {string.Join(", ", known)}.");
            return null;
        }

        return exchange;
    }

    private (MarketType Type, MarketSubtype Subtype, IReadOnlyList<Symbol> Symbols)? ReadMarket(Fields fields, YamlMappingNode map, string label)
    {
        var valid = true;
        MarketType? explicitType = null;
        if (Optional(fields, TaskKeys.MarketType) is { } typeText)
        {
            if (MarketNames.TryParseMarketType(typeText, out var type))
            {
                explicitType = type;
            }
            else
            {
                Error(fields[TaskKeys.MarketType].Value, $"unknown market type '{typeText}'; use spot, swap (perpetual) or future (dated delivery).");
                valid = false;
            }
        }

        MarketSubtype? explicitSubtype = null;
        if (Optional(fields, TaskKeys.Subtype) is { } subtypeText)
        {
            if (MarketNames.TryParseSubtype(subtypeText, out var subtype))
            {
                explicitSubtype = subtype;
            }
            else
            {
                Error(fields[TaskKeys.Subtype].Value, $"unknown subtype '{subtypeText}'; use linear (settled in the quote currency, e.g. BTC/USDT:USDT) or inverse (settled in the base currency, e.g. BTC/USD:BTC).");
                valid = false;
            }
        }

        var symbols = ReadSymbols(fields, map, label);
        if (symbols is null || !valid)
        {
            return null;
        }

        MarketType marketType;
        if (explicitType is { } given)
        {
            marketType = given;
        }
        else
        {
            var first = symbols[0];
            if (symbols.FirstOrDefault(s => s.Symbol.ImpliedMarketType != first.Symbol.ImpliedMarketType) is { Symbol: not null } other)
            {
                Error(other.Node, $"symbols mix {first.Symbol.ImpliedMarketType.ToName()} and {other.Symbol.ImpliedMarketType.ToName()} markets ({first.Symbol} is {first.Symbol.ImpliedMarketType.ToName()}, {other.Symbol} is {other.Symbol.ImpliedMarketType.ToName()}); put them in separate tasks.");
                return null;
            }

            marketType = first.Symbol.ImpliedMarketType;
            if (marketType == MarketType.Spot && explicitSubtype is MarketSubtype.Linear or MarketSubtype.Inverse)
            {
                var field = fields[TaskKeys.Subtype];
                var settle = explicitSubtype == MarketSubtype.Linear ? first.Symbol.Quote : first.Symbol.Base;
                Error(field.Key, $"'{field.Written}: {explicitSubtype.Value.ToName()}' applies to swap and future markets, but {first.Symbol} is a spot symbol; write {first.Symbol}:{settle} or add 'market_type: swap'.");
                return null;
            }
        }

        if (marketType == MarketType.Spot && explicitSubtype is MarketSubtype.Linear or MarketSubtype.Inverse)
        {
            var field = fields[TaskKeys.Subtype];
            Error(field.Key, $"'{field.Written}' applies to swap and future markets; remove it for a spot task or set 'market_type: swap'.");
            return null;
        }

        if (marketType != MarketType.Spot && explicitSubtype == MarketSubtype.None)
        {
            var field = fields[TaskKeys.Subtype];
            Error(field.Value, $"a {marketType.ToName()} market is linear or inverse; write '{field.Written}: linear' or '{field.Written}: inverse', or remove it to take it from the symbols.");
            return null;
        }

        var normalized = new List<(Symbol Symbol, YamlNode Node)>();
        foreach (var (symbol, node) in symbols)
        {
            if (NormalizeSymbol(symbol, node, marketType, explicitSubtype) is { } s)
            {
                normalized.Add((s, node));
            }
        }

        if (normalized.Count != symbols.Count)
        {
            return null;
        }

        var subtypeResult = MarketSubtype.None;
        if (marketType != MarketType.Spot)
        {
            var first = normalized[0];
            if (normalized.FirstOrDefault(s => s.Symbol.ImpliedSubtype != first.Symbol.ImpliedSubtype) is { Symbol: not null } other)
            {
                Error(other.Node, $"symbols mix {first.Symbol.ImpliedSubtype.ToName()} and {other.Symbol.ImpliedSubtype.ToName()} contracts ({first.Symbol}, {other.Symbol}); put them in separate tasks.");
                return null;
            }

            subtypeResult = first.Symbol.ImpliedSubtype;
        }

        return (marketType, subtypeResult, normalized.Select(s => s.Symbol).ToList());
    }

    private Symbol? NormalizeSymbol(Symbol symbol, YamlNode node, MarketType marketType, MarketSubtype? explicitSubtype)
    {
        switch (marketType)
        {
            case MarketType.Spot when symbol.IsDerivative:
                Error(node, $"{symbol} is a {symbol.ImpliedMarketType.ToName()} symbol but the task's market type is spot; write {symbol.Base}/{symbol.Quote} for spot or set 'market_type: {symbol.ImpliedMarketType.ToName()}'.");
                return null;
            case MarketType.Spot:
                return symbol;
            case MarketType.Swap when symbol.Settle is null:
                // Seed files write `type_marche: swap` with `symbole: BTC/USDT`; ccxt reads that as the linear perpetual.
                symbol = explicitSubtype == MarketSubtype.Inverse
                    ? symbol with { Settle = symbol.Base }
                    : symbol with { Settle = symbol.Quote };
                break;
            case MarketType.Swap when symbol.Expiry is not null:
                Error(node, $"{symbol} is a dated future but the task's market type is swap; set 'market_type: future' or write {symbol.Base}/{symbol.Quote}:{symbol.Settle} for the perpetual.");
                return null;
            case MarketType.Future when symbol.Expiry is null:
                var settle = symbol.Settle ?? (explicitSubtype == MarketSubtype.Inverse ? symbol.Base : symbol.Quote);
                Error(node, $"{symbol} has no expiry but the task's market type is future; write the dated symbol, e.g. {symbol.Base}/{symbol.Quote}:{settle}-250328, or set 'market_type: swap' for the perpetual.");
                return null;
        }

        if (explicitSubtype is MarketSubtype.Linear or MarketSubtype.Inverse && symbol.ImpliedSubtype != explicitSubtype)
        {
            Error(node, $"{symbol} settles in {symbol.Settle}, so it is {symbol.ImpliedSubtype.ToName()}, but the task's subtype is {explicitSubtype.Value.ToName()}; fix the symbol (linear: {symbol.Base}/{symbol.Quote}:{symbol.Quote}, inverse: {symbol.Base}/{symbol.Quote}:{symbol.Base}) or the subtype.");
            return null;
        }

        return symbol;
    }

    private List<(Symbol Symbol, YamlNode Node)>? ReadSymbols(Fields fields, YamlMappingNode map, string label)
    {
        var items = ReadOneOrMany(fields, TaskKeys.Symbol, TaskKeys.Symbols, map, label, "symbol: BTC/USDT", "[BTC/USDT, ETH/USDT]");
        if (items is null)
        {
            return null;
        }

        var result = new List<(Symbol Symbol, YamlNode Node)>();
        var ok = true;
        foreach (var item in items)
        {
            if (!Symbol.TryParse(item.Text, out var symbol))
            {
                Error(item.Node, $"'{item.Text}' is not a unified symbol;{SymbolHint(item.Text!)} write BASE/QUOTE for spot (BTC/USDT), BASE/QUOTE:SETTLE for perpetual swaps (BTC/USDT:USDT; inverse BTC/USD:BTC) or BASE/QUOTE:SETTLE-YYMMDD for dated futures.");
                ok = false;
            }
            else if (result.Any(r => r.Symbol == symbol))
            {
                Error(item.Node, $"symbol {symbol} is listed twice; remove one.");
                ok = false;
            }
            else
            {
                result.Add((symbol, item.Node));
            }
        }

        return ok ? result : null;
    }

    private List<TimeframeValue> ReadTimeframes(Fields fields, YamlMappingNode map, string label, string? stream, TaskMode mode)
    {
        if (stream == "tickers" || (stream == "trades" && mode == TaskMode.Rest))
        {
            foreach (var key in new[] { TaskKeys.Timeframe, TaskKeys.Timeframes })
            {
                if (fields.TryGetValue(key, out var field))
                {
                    Error(field.Key, stream == "tickers"
                        ? $"a tickers task has no timeframe; remove '{field.Written}' (the snapshot period is 'interval') or use 'stream: ohlcv'."
                        : $"a rest trades task stores raw trades and has no timeframe; remove '{field.Written}' and build candles from them with 'coinlake trades-to-ohlcv'.");
                }
            }

            return [];
        }

        // A trades stream stores raw trades; a timeframe is optional and adds candles built from them.
        if (stream == "trades" && mode == TaskMode.Stream && !fields.ContainsKey(TaskKeys.Timeframe) && !fields.ContainsKey(TaskKeys.Timeframes))
        {
            return [];
        }

        var items = ReadOneOrMany(fields, TaskKeys.Timeframe, TaskKeys.Timeframes, map, label, "timeframe: 1m", "[1m, 1h]");
        if (items is null)
        {
            return [];
        }

        var result = new List<TimeframeValue>();
        foreach (var item in items)
        {
            if (!TimeframeValue.TryParse(item.Text, out var timeframe))
            {
                Error(item.Node, $"'{item.Text}' is not a timeframe;{Suggest(item.Text!, TimeframeValue.All.Select(t => t.ToString()), maxDistance: 0)} valid timeframes: {s_timeframeList} (m = minutes, M = months).");
            }
            else if (result.Contains(timeframe))
            {
                Error(item.Node, $"timeframe {timeframe} is listed twice; remove one.");
            }
            else
            {
                result.Add(timeframe);
            }
        }

        return result;
    }

    private string? ReadStream(Fields fields, TaskMode mode, bool modeValid)
    {
        if (!fields.TryGetValue(TaskKeys.Stream, out var field))
        {
            return mode == TaskMode.Stream ? "ohlcv" : null;
        }

        if (!TryText(field, out var text))
        {
            return null;
        }

        var kind = text?.Trim().ToLowerInvariant();
        if (kind is null || !s_streamKinds.Contains(kind))
        {
            Error(text is null ? field.Key : field.Value, $"unknown stream '{text}'; use ohlcv (candles), trades (aggregated into candles) or tickers.");
            return null;
        }

        return kind;
    }

    /// <summary>
    /// <c>interval</c>: the snapshot period of a tickers task (a duration); on other tasks the seed API's alias of
    /// <c>timeframe</c>, moved to that key here.
    /// </summary>
    private TimeSpan? ReadInterval(Fields fields, string? stream)
    {
        if (!fields.TryGetValue(TaskKeys.Interval, out var field))
        {
            return null;
        }

        if (stream != "tickers")
        {
            fields.Remove(TaskKeys.Interval);
            if (fields.ContainsKey(TaskKeys.Timeframe) || fields.ContainsKey(TaskKeys.Timeframes))
            {
                Error(field.Key, $"'{field.Written}' is an alias of 'timeframe', which this task already has; keep one.");
            }
            else
            {
                fields[TaskKeys.Timeframe] = field;
            }

            return null;
        }

        if (!TryText(field, out var text) || text is null)
        {
            return null;
        }

        if (!TaskValues.TryParseDuration(text, out var interval) || interval <= TimeSpan.Zero)
        {
            Error(field.Value, $"'{text}' is not a snapshot interval; write whole seconds (300) or a number with a unit (30s, 5m, 1h).");
            return null;
        }

        return interval;
    }

    private PriceType ReadPrice(Fields fields, (MarketType Type, MarketSubtype Subtype, IReadOnlyList<Symbol> Symbols)? market, string? stream)
    {
        if (Optional(fields, TaskKeys.Price) is not { } text)
        {
            return PriceType.Last;
        }

        var field = fields[TaskKeys.Price];
        if (!MarketNames.TryParsePriceType(text, out var price))
        {
            Error(field.Value, $"unknown price type '{text}'; use last (traded price), mark or index (derivatives only).");
            return PriceType.Last;
        }

        if (price != PriceType.Last && market is { Type: MarketType.Spot })
        {
            Error(field.Value, $"{price.ToName()} prices exist for derivatives only; a spot task uses 'last' (remove '{field.Written}' or set 'market_type: swap').");
        }
        else if (price != PriceType.Last && stream == "trades")
        {
            Error(field.Value, $"a trades stream builds last-price candles; remove '{field.Written}: {text}' or use 'stream: ohlcv' for {price.ToName()} candles.");
        }

        return price;
    }

    private (DateTimeOffset Start, DateTimeOffset? End) ReadRange(Fields fields, YamlMappingNode map, string label, TaskMode mode, bool modeValid, string? stream)
    {
        if (mode == TaskMode.Rest && stream == "tickers")
        {
            foreach (var key in new[] { TaskKeys.Start, TaskKeys.End })
            {
                if (fields.TryGetValue(key, out var field))
                {
                    Error(field.Key, $"a tickers task snapshots the current 24h tickers; it has no '{field.Written}' (set 'interval' for periodic snapshots and 'duration' for how long).");
                }
            }

            return (_options.Time.GetUtcNow(), null);
        }

        if (mode == TaskMode.Stream)
        {
            foreach (var key in new[] { TaskKeys.Start, TaskKeys.End })
            {
                if (fields.TryGetValue(key, out var field))
                {
                    Error(field.Key, $"'{field.Written}' applies to rest tasks; a stream collects from the moment it starts and stops after 'duration' (remove '{field.Written}' or use 'mode: rest').");
                }
            }

            return (default, null);
        }

        DateTimeOffset? start = null;
        if (!fields.ContainsKey(TaskKeys.Start))
        {
            if (modeValid && fields.IsMissing(TaskKeys.Start))
            {
                Error(map, $"{label} has no 'start'; a rest task needs one, e.g. 'start: 2024-01-01' (accepted forms: {TaskValues.DateForms}).");
            }
        }
        else
        {
            start = ReadDate(fields[TaskKeys.Start]);
        }

        DateTimeOffset? end = null;
        if (fields.TryGetValue(TaskKeys.End, out var endField) && TryText(endField, out var endText) && endText is not null)
        {
            end = ReadDate(endField);
            if (start is { } s && end is { } e && e <= s)
            {
                Error(endField.Value, $"end {Format(e)} is not after start {Format(s)}; end is exclusive and must be later than start (are they swapped?).");
            }
        }

        return (start ?? default, end);
    }

    private DateTimeOffset? ReadDate(Field field)
    {
        if (!TryText(field, out var text))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            Error(field.Key, $"'{field.Written}' has no value; write a date such as {TaskValues.DateForms}.");
            return null;
        }

        if (!TaskValues.TryParseDate(text, out var date))
        {
            Error(field.Value, $"'{text}' is not a date; write {TaskValues.DateForms}.");
            return null;
        }

        return date;
    }

    private TimeSpan? ReadDuration(Fields fields, TaskMode mode, bool modeValid, string? stream)
    {
        if (!fields.TryGetValue(TaskKeys.Duration, out var field))
        {
            return null;
        }

        if (mode == TaskMode.Rest && modeValid && stream != "tickers")
        {
            Error(field.Key, $"'{field.Written}' applies to stream and ticker tasks; a rest task stops at 'end' (remove '{field.Written}' or add 'mode: stream').");
            return null;
        }

        if (!TryText(field, out var text) || text is null)
        {
            return null;
        }

        if (!TaskValues.TryParseDuration(text, out var duration))
        {
            Error(field.Value, $"'{text}' is not a duration; write whole seconds (300) or a number with a unit (90s, 5m, 2h, 1d); 0 or empty runs until stopped.");
            return null;
        }

        return duration;
    }

    private sealed record StreamSettings(TimeSpan? StallTimeout, string? Capture, bool Group, TimeSpan Grace, TimeSpan HealLookback);

    /// <summary>The keys only stream tasks take: <c>stall_timeout</c>, <c>capture</c>, <c>group</c>, <c>grace</c>, <c>heal_lookback</c>.</summary>
    private StreamSettings ReadStreamSettings(Fields fields, TaskMode mode, bool modeValid)
    {
        var defaults = new StreamSettings(null, null, true, TimeSpan.FromSeconds(2), TimeSpan.FromDays(1));
        var keys = new[] { TaskKeys.StallTimeout, TaskKeys.Capture, TaskKeys.Group, TaskKeys.Grace, TaskKeys.HealLookback };
        if (mode != TaskMode.Stream)
        {
            foreach (var key in keys)
            {
                if (modeValid && fields.TryGetValue(key, out var field))
                {
                    Error(field.Key, $"'{field.Written}' applies to stream tasks (live WebSocket); remove it or add 'mode: stream'.");
                }
            }

            return defaults;
        }

        var stall = ReadSeconds(fields, TaskKeys.StallTimeout, allowZero: false, "the time without any frame after which a connection is reconnected, e.g. 30 (seconds) or 1m");
        var grace = ReadSeconds(fields, TaskKeys.Grace, allowZero: true, "how long a candle waits for late trades after its interval, e.g. 2 (seconds); 0 closes at once");
        var lookback = ReadSeconds(fields, TaskKeys.HealLookback, allowZero: true, "how far back a restarted stream heals, e.g. 1d or 6h; 0 disables the start-up heal");
        string? capture = null;
        if (Optional(fields, TaskKeys.Capture) is { } path)
        {
            capture = ResolvePath(path.Trim());
        }

        var group = true;
        if (fields.TryGetValue(TaskKeys.Group, out var groupField) && TryText(groupField, out var groupText))
        {
            if (groupText is null || !TaskValues.TryParseBool(groupText, out group))
            {
                Error(groupText is null ? groupField.Key : groupField.Value, $"'{groupField.Written}' takes true (as many subscriptions per connection as the exchange allows, the default) or false (one connection per symbol), found {(groupText is null ? "nothing" : $"'{groupText}'")}.");
                group = true;
            }
        }

        return new StreamSettings(stall, capture, group, grace ?? defaults.Grace, lookback ?? defaults.HealLookback);
    }

    /// <summary>A duration in seconds (<c>30</c>) or with a unit (<c>90s 5m 2h 1d</c>); null when absent or invalid (with an error).</summary>
    private TimeSpan? ReadSeconds(Fields fields, string key, bool allowZero, string meaning)
    {
        if (!fields.TryGetValue(key, out var field) || !TryText(field, out var text) || text is null)
        {
            return null;
        }

        if (!TaskValues.TryParseDuration(text, out var value) || (value is null && !allowZero))
        {
            Error(field.Value, $"'{text}' is not a valid '{field.Written}': write whole seconds or a number with a unit (s, m, h, d){(allowZero ? "" : " greater than 0")}; it is {meaning}.");
            return null;
        }

        return value ?? TimeSpan.Zero;
    }

    /// <summary>The <c>schedule</c> (cron) and <c>timezone</c> keys of a rest task; null when absent or invalid (with an error).</summary>
    private TaskSchedule? ReadSchedule(Fields fields, TaskMode mode, bool modeValid)
    {
        fields.TryGetValue(TaskKeys.Timezone, out var zoneField);
        if (!fields.TryGetValue(TaskKeys.Schedule, out var field))
        {
            if (zoneField is not null)
            {
                Error(zoneField.Key, $"'{zoneField.Written}' is the time zone of a 'schedule'; add e.g. 'schedule: \"0 9 * * *\"' or remove '{zoneField.Written}'.");
            }

            return null;
        }

        if (mode == TaskMode.Stream && modeValid)
        {
            Error(field.Key, $"'{field.Written}' applies to rest tasks (a backfill or ticker snapshot run on a cron schedule); a stream task runs continuously, remove '{field.Written}'.");
            return null;
        }

        if (!TryText(field, out var text))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            Error(field.Key, $"'{field.Written}' has no value; write a cron schedule such as '{field.Written}: \"0 9 * * *\"' (09:00 every day).");
            return null;
        }

        var valid = true;
        if (!TaskSchedule.TryParse(text, out _, out var problem))
        {
            Error(field.Value, problem);
            valid = false;
        }

        var zone = TimeZoneInfo.Utc;
        if (zoneField is not null && TryText(zoneField, out var zoneText) && !string.IsNullOrWhiteSpace(zoneText))
        {
            zoneText = zoneText.Trim();
            if (string.Equals(zoneText, "UTC", StringComparison.OrdinalIgnoreCase) || string.Equals(zoneText, "Z", StringComparison.Ordinal))
            {
                zone = TimeZoneInfo.Utc;
            }
            else if (TimeZoneInfo.TryFindSystemTimeZoneById(zoneText, out var found))
            {
                zone = found;
            }
            else
            {
                var known = TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Append("UTC");
                Error(zoneField.Value, $"unknown time zone '{zoneText}';{Suggest(zoneText, known)} write an IANA zone id such as Europe/Paris or America/New_York, or UTC (the default).");
                valid = false;
            }
        }

        return valid ? new TaskSchedule(text.Trim(), zone) : null;
    }

    private bool ReadExcludeCurrentCandle(Fields fields)
    {
        if (!fields.TryGetValue(TaskKeys.ExcludeCurrentCandle, out var field) || !TryText(field, out var text))
        {
            return true;
        }

        if (text is null || !TaskValues.TryParseBool(text, out var value))
        {
            Error(text is null ? field.Key : field.Value, $"'{field.Written}' takes true (write only closed candles, the default) or false (also the candle in progress), found {(text is null ? "nothing" : $"'{text}'")}.");
            return true;
        }

        return value;
    }

    private Uri? ReadBaseUrl(Fields fields)
    {
        if (Optional(fields, TaskKeys.BaseUrl) is not { } text)
        {
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            Error(fields[TaskKeys.BaseUrl].Value, $"'{text}' is not an absolute http(s) base URL; write e.g. http://127.0.0.1:8080 or https://api.binance.com (no query string).");
            return null;
        }

        return uri;
    }

    private List<SinkDefinition> ReadSinks(Fields fields)
    {
        if (fields.TryGetValue(TaskKeys.Sinks, out var sinksField))
        {
            foreach (var key in new[] { TaskKeys.Format, TaskKeys.Output, TaskKeys.Table, TaskKeys.PathTemplate })
            {
                if (fields.TryGetValue(key, out var field))
                {
                    Error(field.Key, $"'{field.Written}' cannot be combined with 'sinks:'; move it into each entry of 'sinks'.");
                }
            }

            return ReadSinkList(sinksField);
        }

        var formats = new List<SinkFormat>();
        if (fields.TryGetValue(TaskKeys.Format, out var formatField))
        {
            if (TryList(formatField, out var items))
            {
                if (items.Count == 0)
                {
                    Error(formatField.Key, "'format' has no value; write sqlite, postgres, parquet, csv or json (or a list of them).");
                }

                foreach (var item in items)
                {
                    if (ParseFormat(item) is { } format)
                    {
                        if (formats.Contains(format))
                        {
                            Error(item.Node, $"format {item.Text} is listed twice; remove one.");
                        }
                        else
                        {
                            formats.Add(format);
                        }
                    }
                }
            }
        }
        else
        {
            formats.Add(SinkFormat.Sqlite);
        }

        fields.TryGetValue(TaskKeys.Output, out var outputField);
        if (outputField is not null && formats.Count > 1)
        {
            Error(outputField.Key, $"'{outputField.Written}' is ambiguous with several formats; give each format its own output under 'sinks:' (e.g. sinks: [{{format: sqlite, output: data/coinlake.db}}, {{format: parquet, output: data/parquet}}]).");
            outputField = null;
        }

        fields.TryGetValue(TaskKeys.Table, out var tableField);
        fields.TryGetValue(TaskKeys.PathTemplate, out var templateField);
        if (formats.Count > 0 && tableField is not null && !formats.Any(SinkDefinition.IsDatabase))
        {
            Error(tableField.Key, $"'{tableField.Written}' applies to sqlite and postgres sinks; {string.Join("/", formats.Select(f => f.ToString().ToLowerInvariant()))} sinks write files under 'output' (remove it).");
            tableField = null;
        }

        if (formats.Count > 0 && templateField is not null && formats.All(SinkDefinition.IsDatabase))
        {
            Error(templateField.Key, "'path_template' applies to parquet, csv and json sinks; a sqlite or postgres sink writes to 'table' (remove it).");
            templateField = null;
        }

        var table = tableField is null ? null : ReadTable(tableField);
        var template = templateField is null ? null : ReadPathTemplate(templateField);
        var output = outputField is null ? null : ReadOutput(outputField, formats.Count == 1 ? formats[0] : SinkFormat.Sqlite);
        return formats
            .Select(f => new SinkDefinition(
                f,
                output ?? DefaultOutput(f),
                SinkDefinition.IsDatabase(f) ? table : null,
                SinkDefinition.IsDatabase(f) ? null : template))
            .ToList();
    }

    private List<SinkDefinition> ReadSinkList(Field sinksField)
    {
        var result = new List<SinkDefinition>();
        if (sinksField.Value is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            Error(sinksField.Value is YamlSequenceNode ? sinksField.Key : sinksField.Value, $"'sinks' must be a non-empty list of sinks, e.g. '- {{ format: sqlite, output: data/coinlake.db }}', found {Describe(sinksField.Value)}.");
            return result;
        }

        foreach (var entry in sequence.Children)
        {
            if (entry is not YamlMappingNode map)
            {
                Error(entry, $"each entry of 'sinks' must be a mapping such as '{{ format: parquet, output: data/parquet }}', found {Describe(entry)}.");
                continue;
            }

            var fields = Collect(map, TaskKeys.Sink, "in a sink", isRoot: false);
            if (!fields.TryGetValue(TaskKeys.Format, out var formatField))
            {
                if (fields.IsMissing(TaskKeys.Format))
                {
                    Error(map, "this sink has no 'format'; add 'format: sqlite' (or postgres, parquet, csv, json).");
                }

                continue;
            }

            if (!TryText(formatField, out var formatText, "; a sink has one format, add one sink per format"))
            {
                continue;
            }

            if (ParseFormat(new Item(formatText, formatField.Value)) is not { } format)
            {
                continue;
            }

            string? table = null;
            string? template = null;
            if (fields.TryGetValue(TaskKeys.Table, out var tableField))
            {
                if (SinkDefinition.IsDatabase(format))
                {
                    table = ReadTable(tableField);
                }
                else
                {
                    Error(tableField.Key, $"'{tableField.Written}' applies to sqlite and postgres sinks; a {format.ToString().ToLowerInvariant()} sink writes files under 'output' (remove it).");
                }
            }

            if (fields.TryGetValue(TaskKeys.PathTemplate, out var templateField))
            {
                if (!SinkDefinition.IsDatabase(format))
                {
                    template = ReadPathTemplate(templateField);
                }
                else
                {
                    Error(templateField.Key, $"'path_template' applies to parquet, csv and json sinks; a {format.ToString().ToLowerInvariant()} sink writes to 'table' (remove it).");
                }
            }

            var output = fields.TryGetValue(TaskKeys.Output, out var outputField) ? ReadOutput(outputField, format) : null;
            var sink = new SinkDefinition(format, output ?? DefaultOutput(format), table, template);
            if (result.Contains(sink))
            {
                Error(map, $"this sink repeats an earlier one ({sink}); remove it.");
                continue;
            }

            result.Add(sink);
        }

        return result;
    }

    private SinkFormat? ParseFormat(Item item)
    {
        var text = item.Text?.Trim().ToLowerInvariant();
        switch (text)
        {
            case "sqlite": return SinkFormat.Sqlite;
            case "postgres" or "postgresql": return SinkFormat.Postgres;
            case "parquet": return SinkFormat.Parquet;
            case "csv": return SinkFormat.Csv;
            case "json": return SinkFormat.Json;
            default:
                Error(item.Node, $"unknown format '{item.Text}';{Suggest(item.Text ?? "", s_formatNames)} use sqlite, postgres, parquet, csv or json.");
                return null;
        }
    }

    private string? ReadTable(Field field)
    {
        if (!TryText(field, out var text))
        {
            return null;
        }

        if (text is null || !TaskValues.IsTableName(text))
        {
            Error(text is null ? field.Key : field.Value, $"'{text}' is not a valid table name; use letters, digits and '_' (starting with a letter or '_', at most 64 characters, not sqlite_*), e.g. ohlcv_1m.");
            return null;
        }

        return text;
    }

    private string? ReadPathTemplate(Field field)
    {
        if (!TryText(field, out var text))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(text) || Path.IsPathRooted(text) || text.Replace('\\', '/').Split('/').Contains(".."))
        {
            Error(text is null ? field.Key : field.Value, $"'{text}' is not a valid path template; give a path relative to 'output' without '..', e.g. {{exchange}}/{{symbol}}/{{timeframe}}/{{year}}-{{month}}.parquet.");
            return null;
        }

        return text;
    }

    private string? ReadOutput(Field field, SinkFormat format)
    {
        if (!TryText(field, out var text))
        {
            return null;
        }

        if (format == SinkFormat.Postgres)
        {
            // Not a path: a connection string or env:NAME, kept as written (the variable is read when the sink opens).
            if (string.IsNullOrWhiteSpace(text) || !TaskValues.IsPostgresOutput(text.Trim()))
            {
                Error(
                    text is null ? field.Key : field.Value,
                    $"'{TaskValues.RedactPassword(text ?? "")}' is not a PostgreSQL output; give a connection string (Host=localhost;Database=coinlake;Username=coinlake or postgres://user@localhost:5432/coinlake) or env:NAME, the environment variable holding one (default env:COINLAKE_POSTGRES).");
                return null;
            }

            return text.Trim();
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            Error(field.Key, $"'{field.Written}' has no value; give a path relative to the task file's folder, e.g. data/coinlake.db.");
            return null;
        }

        try
        {
            return ResolvePath(text.Trim());
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            Error(field.Value, $"'{text}' is not a valid path ({ex.Message}); give a path relative to the task file's folder, e.g. data/coinlake.db.");
            return null;
        }
    }

    private string DefaultOutput(SinkFormat format) => format == SinkFormat.Postgres ? "env:COINLAKE_POSTGRES" : ResolvePath(format == SinkFormat.Sqlite
        ? _options.DefaultSqlitePath
        : Path.Combine(_options.DefaultFileFolder, format.ToString().ToLowerInvariant()));

    /// <summary>Expands a leading <c>~</c> to the home folder and makes the path absolute against the task file's folder.</summary>
    private string ResolvePath(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
        {
            var home = _options.HomeDirectory ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            path = path.Length <= 2 ? home : Path.Combine(home, path[2..]);
        }

        return Path.GetFullPath(Path.Combine(_folder, path));
    }

    private List<Item>? ReadOneOrMany(Fields fields, string oneKey, string manyKey, YamlMappingNode map, string label, string oneExample, string manyExample)
    {
        fields.TryGetValue(oneKey, out var one);
        fields.TryGetValue(manyKey, out var many);
        if (one is not null && many is not null)
        {
            Error(many.Key, $"'{one.Written}' and '{many.Written}' cannot both be given; list every value under '{many.Written}: {manyExample}'.");
            return null;
        }

        if (one is null && many is null)
        {
            if (!fields.IsMissing(oneKey) || !fields.IsMissing(manyKey))
            {
                return null;
            }

            Error(map, $"{label} has no '{oneKey}'; add e.g. '{oneExample}' or '{manyKey}: {manyExample}'.");
            return null;
        }

        List<Item> items;
        Field field;
        if (one is not null)
        {
            field = one;
            if (!TryText(one, out var text, $"; for several values write '{manyKey}: {manyExample}'"))
            {
                return null;
            }

            items = text is null ? [] : [new Item(text, one.Value)];
        }
        else
        {
            field = many!;
            if (!TryList(many!, out items))
            {
                return null;
            }
        }

        if (items.Count == 0)
        {
            Error(field.Key, $"'{field.Written}' has no value; write e.g. '{oneExample}' or '{manyKey}: {manyExample}'.");
            return null;
        }

        if (items.FirstOrDefault(i => string.IsNullOrWhiteSpace(i.Text)) is { } empty)
        {
            Error(empty.Node, $"'{field.Written}' has an empty entry; remove it.");
            return null;
        }

        return items;
    }

    private Fields Collect(YamlMappingNode map, IReadOnlyDictionary<string, string> keys, string where, bool isRoot)
    {
        var fields = new Fields();
        var merges = new List<YamlNode>();
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } written } key)
            {
                Error(keyNode, $"keys must be plain words {where}, found {Describe(keyNode)}.");
                continue;
            }

            if (written == MergeKey && !isRoot)
            {
                merges.Add(value);
                continue;
            }

            if (!keys.TryGetValue(written, out var canonical))
            {
                var closest = Closest(written, keys.Keys);
                if (closest is not null)
                {
                    fields.Misspelled.Add(keys[closest]);
                }

                var hint = isRoot && TaskKeys.Task.ContainsKey(written) ? " task keys go inside an item of the 'tasks:' list ('- name: ...')."
                    : closest is not null ? $" did you mean '{closest}'?"
                    : $" valid keys {where}: {string.Join(", ", keys.Keys.Where(k => string.Equals(keys[k], k, StringComparison.Ordinal)))}.";
                Error(key, $"unknown key '{written}' {where};{hint}");
                continue;
            }

            if (fields.TryGetValue(canonical, out var previous))
            {
                Error(key, string.Equals(previous.Written, written, StringComparison.Ordinal)
                    ? $"'{written}' is given twice {where} (first at line {previous.Key.Start.Line}); keep one."
                    : $"'{written}' and '{previous.Written}' (line {previous.Key.Start.Line}) both set '{canonical}'; keep one.");
                continue;
            }

            fields[canonical] = new Field(written, key, value);
        }

        // YAML merge keys (`<<: *base` or `<<: [*a, *b]`): keys of the anchored mappings that this mapping does not
        // set itself; earlier sources win. Their locations stay those of the anchored mapping.
        foreach (var merge in merges)
        {
            var sources = merge is YamlSequenceNode list ? list.Children : [merge];
            foreach (var source in sources)
            {
                if (source is not YamlMappingNode sourceMap)
                {
                    Error(source, $"'<<' merges the keys of an anchored mapping (<<: *base), found {Describe(source)}.");
                    continue;
                }

                foreach (var (canonical, field) in Collect(sourceMap, keys, where, isRoot))
                {
                    fields.TryAdd(canonical, field);
                }
            }
        }

        return fields;
    }

    private const string MergeKey = "<<";

    private string? Required(Fields fields, string key, YamlMappingNode owner, string label, string example)
    {
        if (!fields.TryGetValue(key, out var field))
        {
            if (fields.IsMissing(key))
            {
                Error(owner, $"{label} has no '{key}'; add e.g. '{key}: {example}'.");
            }

            return null;
        }

        if (!TryText(field, out var text))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            Error(field.Key, $"'{field.Written}' has no value; write e.g. '{field.Written}: {example}'.");
            return null;
        }

        return text.Trim();
    }

    private string? Optional(Fields fields, string key) =>
        fields.TryGetValue(key, out var field) && TryText(field, out var text) && !string.IsNullOrWhiteSpace(text) ? text : null;

    /// <summary>The scalar text of a field (null for YAML null); false, with an error, when the value is a list or mapping.</summary>
    private bool TryText(Field field, out string? text, string? hint = null)
    {
        if (field.Value is YamlScalarNode scalar)
        {
            text = scalar.Style == ScalarStyle.Plain && TaskValues.IsNull(scalar.Value ?? "") ? null : scalar.Value;
            return true;
        }

        Error(field.Value, $"'{field.Written}' takes a single value, found {Describe(field.Value)}{hint}.");
        text = null;
        return false;
    }

    /// <summary>A scalar (one item) or a list of scalars; false, with errors, otherwise.</summary>
    private bool TryList(Field field, out List<Item> items)
    {
        items = [];
        switch (field.Value)
        {
            case YamlScalarNode scalar:
                if (!(scalar.Style == ScalarStyle.Plain && TaskValues.IsNull(scalar.Value ?? "")))
                {
                    items.Add(new Item(scalar.Value, scalar));
                }

                return true;
            case YamlSequenceNode sequence:
                var ok = true;
                foreach (var child in sequence.Children)
                {
                    if (child is YamlScalarNode s)
                    {
                        items.Add(new Item(s.Value, s));
                    }
                    else
                    {
                        Error(child, $"each entry of '{field.Written}' must be a single value, found {Describe(child)}.");
                        ok = false;
                    }
                }

                return ok;
            default:
                Error(field.Value, $"'{field.Written}' takes a value or a list of values, found {Describe(field.Value)}.");
                return false;
        }
    }

    private static string Suggest(string input, IEnumerable<string> candidates, int? maxDistance = null) =>
        Closest(input, candidates, maxDistance) is { } closest ? $" did you mean '{closest}'?" : "";

    /// <summary>The candidate nearest to <paramref name="input"/> (case-insensitive), if it is near enough to be a plausible typo.</summary>
    private static string? Closest(string input, IEnumerable<string> candidates, int? maxDistance = null)
    {
        var closest = Fuzzy.Closest(input, candidates, 1);
        if (closest.Count == 0)
        {
            return null;
        }

        var distance = Fuzzy.Distance(input.ToUpperInvariant(), closest[0].ToUpperInvariant());
        return distance <= (maxDistance ?? Math.Max(2, input.Length / 3)) ? closest[0] : null;
    }

    private static string SymbolHint(string text)
    {
        var trimmed = text.Trim().ToUpperInvariant();
        foreach (var separator in new[] { '-', '_' })
        {
            var parts = trimmed.Split(separator);
            if (parts.Length == 2 && Symbol.TryParse($"{parts[0]}/{parts[1]}", out var s))
            {
                return $" did you mean '{s}'?";
            }
        }

        foreach (var quote in s_quoteCurrencies)
        {
            if (trimmed.Length > quote.Length && trimmed.EndsWith(quote, StringComparison.Ordinal)
                && Symbol.TryParse($"{trimmed[..^quote.Length]}/{quote}", out var s))
            {
                return $" did you mean '{s}' (exchange ids such as {trimmed} are not accepted)?";
            }
        }

        return "";
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode { Value: var v } when string.IsNullOrEmpty(v) => "an empty value",
        YamlScalarNode { Value: var v } => $"'{v}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping (key: value pairs)",
        _ => "an alias",
    };

    private static string Format(DateTimeOffset date) => TimeRange.FormatTime(date.ToUnixTimeMilliseconds());

    private static string SyntaxMessage(YamlException ex)
    {
        var message = MarkPrefix().Replace(ex.Message, "").Trim().TrimEnd('.');
        const string duplicate = "Duplicate key ";
        return message.StartsWith(duplicate, StringComparison.Ordinal)
            ? $"key '{message[duplicate.Length..]}' appears twice in the same mapping (keep one)"
            : message;
    }

    private SourceLocation Location(YamlNode node) => new(_path, checked((int)node.Start.Line), checked((int)node.Start.Column));

    private void Error(YamlNode node, string message) => _errors.Add(new TaskFileError(Location(node), message));

    private void Error(Mark mark, string message) =>
        _errors.Add(new TaskFileError(new SourceLocation(_path, checked((int)Math.Max(1, mark.Line)), checked((int)Math.Max(1, mark.Column))), message));

    private List<TaskFileError> SortedErrors() =>
        _errors
            .Distinct()
            .Select((e, i) => (Error: e, Index: i))
            .OrderBy(x => x.Error.Location.Line)
            .ThenBy(x => x.Error.Location.Column)
            .ThenBy(x => x.Index)
            .Select(x => x.Error)
            .ToList();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):", RegexOptions.CultureInvariant)]
    private static partial Regex MarkPrefix();
}
