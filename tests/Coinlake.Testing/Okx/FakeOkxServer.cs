using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Testing.Hosting;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.AspNetCore.Http;

namespace Coinlake.Testing.Okx;

/// <summary>
/// A fake OKX REST API v5 on loopback (Kestrel, 127.0.0.1, a random port) with OKX's documented semantics, for offline
/// tests and benchmarks:
/// <list type="bullet">
/// <item>Every answer is the envelope <c>{"code":"0","msg":"","data":[...]}</c>; errors as OKX sends them: HTTP 400
/// <c>50014</c> "Parameter {0} can not be empty", HTTP 400 <c>51000</c> "Parameter {0} error" (bad bar, limit, cursor,
/// instType), HTTP 200 <c>51001</c> "Instrument ID does not exist", HTTP 429 <c>50011</c> rate limit (no
/// <c>Retry-After</c>).</item>
/// <item><c>GET /api/v5/public/instruments?instType=SPOT|SWAP|FUTURES|OPTION[&amp;uly|instFamily|instId]</c>: the
/// answers recorded in <c>captures/OKX.0</c>, plus instruments registered by <see cref="AddSeries"/>/<see cref="AddTrades"/>
/// that the capture lacks (OPTION needs <c>uly</c> or <c>instFamily</c>).</item>
/// <item>Candles: <c>/api/v5/market/candles</c> (limit ≤ 300, the latest 1,440 buckets only),
/// <c>history-candles</c> (≤ 300), <c>mark-price-candles</c>, <c>history-mark-price-candles</c>,
/// <c>index-candles</c>, <c>history-index-candles</c> (≤ 100; index ids such as <c>BTC-USDT</c>). Limit default 100.
/// <c>after</c>/<c>before</c> are exclusive open-time bounds, rows newest first, the newest <c>limit</c> of the
/// bounds; the bucket in progress (per <see cref="FakeOkxOptions.TimeProvider"/>) has <c>confirm</c> 0, nothing
/// later exists. Bars: <c>1m 3m 5m 15m 30m 1H 2H 4H 6Hutc 12Hutc 1Dutc 1Wutc 1Mutc</c>; others (the UTC+8 ones are not
/// modelled) answer <c>51000</c>. Rows: last <c>[ts,o,h,l,c,vol,volCcy,volCcyQuote,confirm]</c> (spot: vol base,
/// volCcy quote; derivatives: vol contracts = base / ctVal (linear) or quote / ctVal (inverse), volCcy base),
/// mark/index <c>[ts,o,h,l,c,confirm]</c>; decimals without trailing zeros, as OKX writes them.</item>
/// <item>Trades: <c>/api/v5/market/trades</c> (latest, limit ≤ 500) and <c>/api/v5/market/history-trades</c>
/// (limit ≤ 100; <c>type=1</c> (default) <c>after</c>/<c>before</c> = trade ids, <c>type=2</c> <c>after</c> = ts,
/// <c>before</c> with type 2 is rejected; only the last <see cref="FakeOkxOptions.TradeHistoryReach"/>), newest first.</item>
/// <item>Tickers: <c>/api/v5/market/tickers?instType=</c> and <c>/api/v5/market/ticker?instId=</c> from the recorded
/// <c>tickers</c> channel frames of <c>captures/OKX.ws.1.0</c>.</item>
/// <item>Per-endpoint request limits per 2-second window (<see cref="DocumentedLimit"/>), fault injection through
/// <see cref="Faults"/>, a request log.</item>
/// </list>
/// </summary>
public sealed class FakeOkxServer : FakeServerBase<OkxRecordedRequest>
{
    private const string JsonContentType = "application/json";

    private static readonly Dictionary<string, int> _documentedLimits = new(StringComparer.Ordinal)
    {
        ["/api/v5/public/instruments"] = 20,
        ["/api/v5/market/candles"] = 40,
        ["/api/v5/market/history-candles"] = 20,
        ["/api/v5/market/mark-price-candles"] = 20,
        ["/api/v5/market/history-mark-price-candles"] = 10,
        ["/api/v5/market/index-candles"] = 20,
        ["/api/v5/market/history-index-candles"] = 10,
        ["/api/v5/market/trades"] = 100,
        ["/api/v5/market/history-trades"] = 20,
        ["/api/v5/market/tickers"] = 20,
        ["/api/v5/market/ticker"] = 20,
    };

    private readonly OkxCandleStore _candles = new();
    private readonly ConcurrentDictionary<string, Trade[]> _trades = new(StringComparer.Ordinal);
    private readonly OkxCatalog _catalog = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Window, int Count)> _windows = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<(string, PriceType), IReadOnlyList<Candle>> _streamCandles = new();

    private FakeOkxServer(FakeOkxOptions options)
    {
        Options = options;
        StreamVenue = new FakeOkxStreamVenue((id, price) => _streamCandles.GetValueOrDefault((id, price)), id => _trades.GetValueOrDefault(id));
        Stream = new FakeStreamHub(StreamVenue);
    }

    /// <summary>The WebSocket side (<c>/ws/v5/public</c>, <c>/ws/v5/business</c>): timeline and faults.</summary>
    public FakeStreamHub Stream { get; }

    /// <summary>The OKX dialect of <see cref="Stream"/> (what clients sent, candle updates per candle).</summary>
    public FakeOkxStreamVenue StreamVenue { get; }

    /// <summary>The options in force (mutable while running).</summary>
    public FakeOkxOptions Options { get; }

    /// <summary>Fault injection for data requests.</summary>
    public FakeOkxFaults Faults { get; } = new();

    /// <summary>The documented requests per 2 seconds of an endpoint path (e.g. 20 for <c>/api/v5/market/history-candles</c>).</summary>
    /// <exception cref="KeyNotFoundException">The path is not served.</exception>
    public static int DocumentedLimit(string path) => _documentedLimits[path];

    /// <summary>Starts a server on 127.0.0.1 with a random free port.</summary>
    /// <exception cref="InvalidOperationException">Kestrel started but reported no address.</exception>
    public static Task<FakeOkxServer> StartAsync(FakeOkxOptions? options = null, CancellationToken cancellationToken = default) =>
        StartHostAsync(new FakeOkxServer(options ?? new FakeOkxOptions()), cancellationToken);

    /// <summary>
    /// Registers candles of an instrument (<c>BTC-USDT</c>, <c>BTC-USDT-SWAP</c>; for <see cref="PriceType.Index"/> an
    /// index id such as <c>BTC-USDT</c>). Candles replace earlier ones with the same open time. Higher timeframes are
    /// aggregated (open first, high max, low min, close last, volumes summed, buckets as <see cref="Timeframe.Floor"/>);
    /// a bucket without a candle does not exist. Where a candle has no quote volume, volume × close rounded to 8
    /// decimals is served. An instrument the recorded list lacks is added to the instruments answer.
    /// </summary>
    /// <param name="instId">Instrument id, or index id for index prices.</param>
    /// <param name="candles">Candles of <paramref name="timeframe"/>; open times ms UTC.</param>
    /// <param name="price">Last (<c>candles</c>), Mark (<c>mark-price-candles</c>) or Index (<c>index-candles</c>).</param>
    /// <param name="timeframe">The candles' timeframe (1m when null), e.g. 1h for <see cref="TestData.FreqtradeXrpUsdtFutures1h"/>.</param>
    /// <exception cref="ArgumentException">A candle is not aligned to the timeframe, or the id is not an instrument id.</exception>
    public void AddSeries(string instId, IReadOnlyList<Candle> candles, PriceType price = PriceType.Last, Timeframe? timeframe = null)
    {
        if (price != PriceType.Index)
        {
            _catalog.Ensure(instId);
        }

        _candles.Add(instId, price, timeframe ?? Timeframe.OneMinute, candles);
        if (timeframe is null || timeframe == Timeframe.OneMinute)
        {
            _streamCandles[(instId, price)] = candles;
        }
    }

    /// <summary>Removes the candles of <paramref name="instId"/> opening in <paramref name="range"/> (every price type when null).</summary>
    public void RemoveCandles(string instId, TimeRange range, PriceType? price = null) => _candles.Remove(instId, range, price);

    /// <summary>
    /// Registers trades of an instrument (replacing earlier ones with the same id); served ordered by trade id, which
    /// must be integers (OKX ids are) and follow time. An instrument the recorded list lacks is added.
    /// </summary>
    /// <exception cref="ArgumentException">A trade id is not a non-negative integer.</exception>
    public void AddTrades(string instId, IReadOnlyList<Trade> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);
        _catalog.Ensure(instId);
        foreach (var t in trades)
        {
            if (!long.TryParse(t.Id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new ArgumentException($"Trade id '{t.Id}' of {instId} is not a non-negative integer; OKX trade ids are.", nameof(trades));
            }
        }

        _trades.AddOrUpdate(instId, _ => Merge([], trades), (_, existing) => Merge(existing, trades));

        static Trade[] Merge(Trade[] existing, IReadOnlyList<Trade> incoming)
        {
            var byId = new SortedDictionary<long, Trade>();
            foreach (var t in existing.Concat(incoming))
            {
                byId[long.Parse(t.Id, CultureInfo.InvariantCulture)] = t;
            }

            return [.. byId.Values];
        }
    }

    private long Now() => Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    protected override TimeProvider Clock => Options.TimeProvider;

    /// <inheritdoc/>
    protected override FakeStreamHub? StreamHub => Stream;

    /// <inheritdoc/>
    protected override RequestLog CreateLog() => new Log();

    /// <inheritdoc/>
    protected override async Task HandleAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var path = context.Request.Path.Value ?? "";
        var log = LogOf<Log>(context);
        if (!_documentedLimits.ContainsKey(path))
        {
            var body = Encoding.UTF8.GetBytes($"The fake OKX server has no endpoint '{path}'.");
            await WriteAsync(context, 404, body, "text/plain", cancellationToken);
        }
        else
        {
            var isData = path.Contains("candles", StringComparison.Ordinal) || path.Contains("trades", StringComparison.Ordinal);
            OkxFault? fault = null;
            if (isData)
            {
                if (Options.ResponseDelay > TimeSpan.Zero)
                {
                    await Task.Delay(Options.ResponseDelay, Options.TimeProvider, cancellationToken);
                }

                if (Faults.TryTake(out var f))
                {
                    fault = f;
                }
            }

            if (fault is { } injected and not OkxFault.BoundaryRepeat)
            {
                await FaultAsync(context, injected, log.Complete, cancellationToken);
            }
            else if (!Admit(path))
            {
                await ErrorAsync(context, 429, "50011", "Too Many Requests", cancellationToken);
            }
            else
            {
                var answer = Answer(path, context.Request.Query, fault == OkxFault.BoundaryRepeat);
                await WriteAsync(context, answer.Status, answer.Body, JsonContentType, cancellationToken);
            }
        }
    }

    private bool Admit(string path)
    {
        if (!Options.RateLimitsEnabled)
        {
            return true;
        }

        var limit = Options.RequestsPerWindow.TryGetValue(path, out var custom) ? custom : _documentedLimits[path];
        var windowMs = Math.Max(1, (long)Options.RateLimitWindow.TotalMilliseconds);
        var window = Math.DivRem(Now(), windowMs, out var rem) - (rem < 0 ? 1 : 0);
        lock (_gate)
        {
            var (w, count) = _windows.TryGetValue(path, out var state) ? state : (window, 0);
            if (w != window)
            {
                count = 0;
            }

            if (count >= limit)
            {
                _windows[path] = (window, count);
                return false;
            }

            _windows[path] = (window, count + 1);
            return true;
        }
    }

    private (int Status, byte[] Body) Answer(string path, IQueryCollection query, bool repeat)
    {
        try
        {
            return path switch
            {
                "/api/v5/public/instruments" => Instruments(query),
                "/api/v5/market/candles" => Candles(query, PriceType.Last, recent: true, 300, repeat),
                "/api/v5/market/history-candles" => Candles(query, PriceType.Last, recent: false, 300, repeat),
                "/api/v5/market/mark-price-candles" => Candles(query, PriceType.Mark, recent: true, 100, repeat),
                "/api/v5/market/history-mark-price-candles" => Candles(query, PriceType.Mark, recent: false, 100, repeat),
                "/api/v5/market/index-candles" => Candles(query, PriceType.Index, recent: true, 100, repeat),
                "/api/v5/market/history-index-candles" => Candles(query, PriceType.Index, recent: false, 100, repeat),
                "/api/v5/market/trades" => RecentTrades(query),
                "/api/v5/market/history-trades" => HistoryTrades(query, repeat),
                "/api/v5/market/tickers" => Tickers(query),
                _ => Ticker(query),
            };
        }
        catch (OkxError error)
        {
            return (error.Status, Envelope(error.Code, error.Message, []));
        }
    }

    private (int, byte[]) Instruments(IQueryCollection query)
    {
        var instType = Required(query, "instType");
        if (!OkxCatalog.InstTypes.Contains(instType, StringComparer.Ordinal))
        {
            throw Param("instType");
        }

        var family = Text(query, "instFamily") ?? Text(query, "uly");
        if (instType == "OPTION" && family is null)
        {
            throw new OkxError(400, "50014", "Parameter instFamily can not be empty.");
        }

        var instId = Text(query, "instId");
        var rows = _catalog.Instruments(instType)
            .Where(o => family is null || (string?)o["instFamily"] == family || (string?)o["uly"] == family)
            .Where(o => instId is null || (string?)o["instId"] == instId)
            .ToList();
        if (instId is not null && rows.Count == 0)
        {
            throw new OkxError(200, "51001", "Instrument ID does not exist.");
        }

        return (200, Envelope("0", "", rows));
    }

    private (int, byte[]) Candles(IQueryCollection query, PriceType price, bool recent, int maxLimit, bool repeat)
    {
        var id = Required(query, "instId");
        var barText = Text(query, "bar") ?? "1m";
        var timeframe = Bar(barText) ?? throw Param("bar");
        var limit = Limit(query, maxLimit);
        var after = Long(query, "after");
        var before = Long(query, "before");
        var instrument = price == PriceType.Index ? null : _catalog.Find(id);
        if ((price == PriceType.Index && !_candles.Has(id, PriceType.Index)) || (price != PriceType.Index && instrument is null))
        {
            throw new OkxError(200, "51001", "Instrument ID does not exist.");
        }

        if (price == PriceType.Mark && (string?)instrument!["instType"] == "SPOT")
        {
            throw Param("instId");
        }

        var now = Now();
        var buckets = _candles.Query(id, price, timeframe, after, before, limit, now, recent);
        if (repeat && buckets.Count > 0)
        {
            var older = before is { } b ? _candles.AtOrBefore(id, price, timeframe, b, now) : null;
            buckets.Insert(0, buckets[0]);
            if (older is { } o)
            {
                buckets.Add(o);
            }
        }

        var spot = (string?)instrument?["instType"] == "SPOT";
        var inverse = (string?)instrument?["ctType"] == "inverse";
        var ctVal = decimal.TryParse((string?)instrument?["ctVal"], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : 1m;
        var rows = new List<string[]>(buckets.Count);
        foreach (var (c, confirmed) in buckets)
        {
            var head = new[] { c.OpenTime.ToString(CultureInfo.InvariantCulture), Dec(c.Open), Dec(c.High), Dec(c.Low), Dec(c.Close) };
            var confirm = confirmed ? "1" : "0";
            if (price != PriceType.Last)
            {
                rows.Add([.. head, confirm]);
                continue;
            }

            var quote = c.QuoteVolume.GetValueOrDefault();
            rows.Add(spot
                ? [.. head, Dec(c.Volume), Dec(quote), Dec(quote), confirm]
                : [.. head, Dec(decimal.Round((inverse ? quote : c.Volume) / ctVal, 8, MidpointRounding.AwayFromZero)), Dec(c.Volume), Dec(quote), confirm]);
        }

        return (200, Envelope("0", "", rows.Select(Row)));
    }

    private (int, byte[]) RecentTrades(IQueryCollection query)
    {
        var id = Required(query, "instId");
        var limit = Limit(query, 500);
        var trades = TradesOf(id);
        var now = Now();
        var rows = trades.Where(t => t.Timestamp <= now).Reverse().Take(limit);
        return (200, Envelope("0", "", rows.Select(t => TradeObject(id, t))));
    }

    private (int, byte[]) HistoryTrades(IQueryCollection query, bool repeat)
    {
        var id = Required(query, "instId");
        var type = Text(query, "type") ?? "1";
        if (type is not ("1" or "2"))
        {
            throw Param("type");
        }

        var limit = Limit(query, 100);
        var after = Long(query, "after");
        var before = Long(query, "before");
        if (type == "2" && before is not null)
        {
            throw Param("before");
        }

        var trades = TradesOf(id);
        var now = Now();
        var reach = now - (long)Options.TradeHistoryReach.TotalMilliseconds;
        var byId = type == "1";
        var rows = new List<Trade>(limit);
        for (var i = trades.Length - 1; i >= 0 && rows.Count < limit; i--)
        {
            var t = trades[i];
            var tradeId = long.Parse(t.Id, CultureInfo.InvariantCulture);
            if (t.Timestamp > now || (after is { } a && (byId ? tradeId >= a : t.Timestamp >= a)))
            {
                continue;
            }

            if (t.Timestamp < reach || (before is { } b && tradeId <= b))
            {
                break;
            }

            rows.Add(t);
        }

        if (repeat && byId && after is { } boundary && trades.FirstOrDefault(t => t.Id == boundary.ToString(CultureInfo.InvariantCulture)) is { Id: not null } same)
        {
            rows.Insert(0, same);
        }

        return (200, Envelope("0", "", rows.Select(t => TradeObject(id, t))));
    }

    private (int, byte[]) Tickers(IQueryCollection query)
    {
        var instType = Required(query, "instType");
        if (!OkxCatalog.InstTypes.Contains(instType, StringComparer.Ordinal))
        {
            throw Param("instType");
        }

        var family = Text(query, "instFamily") ?? Text(query, "uly");
        var rows = OkxCatalog.Tickers().Where(t => (string?)t["instType"] == instType)
            .Where(t => family is null || ((string?)t["instId"])!.StartsWith(family + "-", StringComparison.Ordinal))
            .ToList();
        return (200, Envelope("0", "", rows));
    }

    private (int, byte[]) Ticker(IQueryCollection query)
    {
        var id = Required(query, "instId");
        var row = OkxCatalog.Tickers().FirstOrDefault(t => (string?)t["instId"] == id);
        if (row is null)
        {
            throw new OkxError(200, "51001", "Instrument ID does not exist.");
        }

        return (200, Envelope("0", "", [row]));
    }

    private Trade[] TradesOf(string id)
    {
        if (_trades.TryGetValue(id, out var trades))
        {
            return trades;
        }

        return _catalog.Find(id) is null ? throw new OkxError(200, "51001", "Instrument ID does not exist.") : [];
    }

    private static JsonObject TradeObject(string instId, Trade t) => new()
    {
        ["instId"] = instId,
        ["side"] = t.Side == TradeSide.Sell ? "sell" : "buy",
        ["sz"] = Dec(t.Amount),
        ["px"] = Dec(t.Price),
        ["source"] = "0",
        ["tradeId"] = t.Id,
        ["ts"] = t.Timestamp.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The timeframe of a bar the fake serves (the connector's set), or null.</summary>
    private static Timeframe? Bar(string bar) => bar switch
    {
        "1m" or "3m" or "5m" or "15m" or "30m" => Timeframe.Parse(bar),
        "1H" or "2H" or "4H" => Timeframe.Parse(bar.ToLowerInvariant()),
        "6Hutc" => Timeframe.Parse("6h"),
        "12Hutc" => Timeframe.Parse("12h"),
        "1Dutc" => Timeframe.Parse("1d"),
        "1Wutc" => Timeframe.Parse("1w"),
        "1Mutc" => Timeframe.Parse("1M"),
        _ => null,
    };

    /// <summary>A decimal as OKX writes it: plain, without trailing zeros (<c>30236</c>, <c>0.0002</c>).</summary>
    private static string Dec(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    private static string Required(IQueryCollection query, string name) =>
        Text(query, name) ?? throw new OkxError(400, "50014", $"Parameter {name} can not be empty.");

    private static string? Text(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var value) && value.ToString().Length > 0 ? value.ToString() : null;

    private static long? Long(IQueryCollection query, string name) =>
        Text(query, name) is not { } text ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw Param(name);

    private static int Limit(IQueryCollection query, int max)
    {
        var value = Long(query, "limit") ?? 100;
        return value is >= 1 && value <= max ? (int)value : throw Param("limit");
    }

    private static OkxError Param(string name) => new(400, "51000", $"Parameter {name} error");

    private static byte[] Envelope(string code, string message, IEnumerable<JsonNode> data)
    {
        var node = new JsonObject
        {
            ["code"] = code,
            ["data"] = new JsonArray([.. data]),
            ["msg"] = message,
        };
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private static JsonArray Row(string[] fields) => new([.. fields.Select(f => (JsonNode)JsonValue.Create(f))]);

    private static async Task ErrorAsync(HttpContext context, int status, string code, string message, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["msg"] = message, ["code"] = code }.ToJsonString());
        await WriteAsync(context, status, body, JsonContentType, cancellationToken);
    }

    private async Task FaultAsync(HttpContext context, OkxFault fault, Action<int> record, CancellationToken cancellationToken)
    {
        switch (fault)
        {
            case OkxFault.InternalServerError500:
                await WriteAsync(context, 500, Envelope("50026", "System error. Try again later.", []), JsonContentType, cancellationToken);
                return;
            case OkxFault.BadGateway502:
                await WriteAsync(context, 502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"u8.ToArray(), "text/html", cancellationToken);
                return;
            case OkxFault.ServiceUnavailable503:
                await WriteAsync(context, 503, Envelope("50001", "Service temporarily unavailable. Please try again later.", []), JsonContentType, cancellationToken);
                return;
            case OkxFault.SystemBusy50013:
                await WriteAsync(context, 200, Envelope("50013", "Systems are busy. Please try again later.", []), JsonContentType, cancellationToken);
                return;
            case OkxFault.TooManyRequests429:
                await ErrorAsync(context, 429, "50011", "Too Many Requests", cancellationToken);
                return;
            case OkxFault.ConnectionReset:
                record(0);
                context.Abort();
                return;
            case OkxFault.MalformedJson:
                await WriteAsync(context, 200, "{\"code\":\"0\",\"data\":[[\"1\","u8.ToArray(), JsonContentType, cancellationToken);
                return;
            case OkxFault.TruncatedBody:
            {
                var full = Answer(context.Request.Path.Value!, context.Request.Query, repeat: false).Body;
                context.Response.StatusCode = 200;
                context.Response.ContentType = JsonContentType;
                context.Response.ContentLength = full.Length;
                await context.Response.Body.WriteAsync(full.AsMemory(0, full.Length / 2), cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
                return;
            }

            case OkxFault.Stall:
                record(0);
                await Task.Delay(Timeout.InfiniteTimeSpan, Options.TimeProvider, cancellationToken);
                return;
            default:
                throw new InvalidOperationException($"Unhandled fault {fault}.");
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, byte[] body, string contentType, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, cancellationToken);
    }

    /// <summary>What is known of one request until it is recorded.</summary>
    private sealed class Log : RequestLog
    {
        protected override OkxRecordedRequest ToRecord(int status) => new(Path, Query, status, Arrived);
    }

    private sealed class OkxError(int status, string code, string message) : Exception(message)
    {
        public int Status { get; } = status;

        public string Code { get; } = code;
    }
}
