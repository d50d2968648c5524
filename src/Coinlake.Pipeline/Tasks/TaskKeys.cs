namespace Coinlake.Pipeline.Tasks;

/// <summary>The keys a task file accepts, with their aliases (the seed orchestrator's French keys).</summary>
internal static class TaskKeys
{
    public const string Version = "version";
    public const string Tasks = "tasks";

    public const string Name = "name";
    public const string Mode = "mode";
    public const string Exchange = "exchange";
    public const string MarketType = "market_type";
    public const string Subtype = "subtype";
    public const string Symbol = "symbol";
    public const string Symbols = "symbols";
    public const string Timeframe = "timeframe";
    public const string Timeframes = "timeframes";
    public const string Start = "start";
    public const string End = "end";
    public const string Price = "price";
    public const string Format = "format";
    public const string Output = "output";
    public const string Table = "table";
    public const string PathTemplate = "path_template";
    public const string BaseUrl = "base_url";
    public const string Sinks = "sinks";
    public const string Stream = "stream";
    public const string Duration = "duration";
    public const string ExcludeCurrentCandle = "exclude_current_candle";
    public const string Interval = "interval";
    public const string AlertPercent = "alert_percent";
    public const string AlertWindow = "alert_window";
    public const string AlertTable = "alert_table";
    public const string Rotate = "rotate";
    public const string RotateRows = "rotate_rows";

    // Stream tasks (issue 4).
    public const string StallTimeout = "stall_timeout";
    public const string Capture = "capture";
    public const string Group = "group";
    public const string Grace = "grace";
    public const string HealLookback = "heal_lookback";
    public const string Schedule = "schedule";
    public const string Timezone = "timezone";

    /// <summary>Top-level keys.</summary>
    public static readonly IReadOnlyDictionary<string, string> Root = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Version] = Version,
        [Tasks] = Tasks,
    };

    /// <summary>Keys of a task (written form to canonical key).</summary>
    public static readonly IReadOnlyDictionary<string, string> Task = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Name] = Name,
        [Mode] = Mode,
        [Exchange] = Exchange,
        [MarketType] = MarketType,
        ["type_marche"] = MarketType,
        [Subtype] = Subtype,
        ["sous_type"] = Subtype,
        [Symbol] = Symbol,
        ["symbole"] = Symbol,
        [Symbols] = Symbols,
        ["symboles"] = Symbols,
        [Timeframe] = Timeframe,
        [Interval] = Interval,
        [Timeframes] = Timeframes,
        ["intervals"] = Timeframes,
        [Start] = Start,
        ["date_debut"] = Start,
        [End] = End,
        ["date_fin"] = End,
        [Price] = Price,
        ["prix_ohlcv"] = Price,
        [Format] = Format,
        [Output] = Output,
        ["sortie"] = Output,
        [Table] = Table,
        ["sqlite_table"] = Table,
        [PathTemplate] = PathTemplate,
        [BaseUrl] = BaseUrl,
        [Sinks] = Sinks,
        [Stream] = Stream,
        [Duration] = Duration,
        ["duree"] = Duration,
        [ExcludeCurrentCandle] = ExcludeCurrentCandle,
        ["exclure_bougie_courante"] = ExcludeCurrentCandle,
        [StallTimeout] = StallTimeout,
        [Capture] = Capture,
        [Group] = Group,
        [Grace] = Grace,
        [HealLookback] = HealLookback,
        [AlertPercent] = AlertPercent,
        [AlertWindow] = AlertWindow,
        [AlertTable] = AlertTable,
        [Rotate] = Rotate,
        [RotateRows] = RotateRows,
        [Schedule] = Schedule,
        [Timezone] = Timezone,
        ["time_zone"] = Timezone,
    };

    /// <summary>Keys of one entry of <c>sinks:</c>.</summary>
    public static readonly IReadOnlyDictionary<string, string> Sink = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Format] = Format,
        [Output] = Output,
        ["sortie"] = Output,
        [Table] = Table,
        ["sqlite_table"] = Table,
        [PathTemplate] = PathTemplate,
    };
}
