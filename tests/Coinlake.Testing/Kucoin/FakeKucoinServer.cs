using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Testing.Binance;
using Coinlake.Testing.Hosting;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.AspNetCore.Http;

namespace Coinlake.Testing.Kucoin;

/// <summary>
/// A fake KuCoin spot REST API on loopback (Kestrel, 127.0.0.1, a random port) with KuCoin's semantics (docs-new,
/// Spot "Market Data"), for offline tests and benchmarks:
/// <list type="bullet">
/// <item>Every answer is the envelope <c>{"code":"200000","data":...}</c>, errors <c>{"code":"400100","msg":"..."}</c>
/// (codes as strings), and carries the <c>Public</c> pool headers <c>gw-ratelimit-limit</c>,
/// <c>gw-ratelimit-remaining</c> and <c>gw-ratelimit-reset</c> (ms until the window resets).</item>
/// <item><c>GET /api/v2/symbols</c> (weight 4): the symbols recorded in <c>captures/KUCOIN.0</c> in today's schema
/// (<see cref="KucoinSymbolsCapture"/>) plus registered ids; <c>GET /api/v1/symbols</c>: the recorded 2021 answer as is.</item>
/// <item><c>GET /api/v1/market/candles?symbol&amp;type&amp;startAt&amp;endAt</c> (weight 3): <c>type</c> one of 1min 3min 5min
/// 15min 30min 1hour 2hour 4hour 6hour 8hour 12hour 1day 1month (1week, Thursday-based at KuCoin, is not simulated:
/// 400100); <c>startAt</c>/<c>endAt</c> in seconds, both bounds inclusive on the open time (the documentation does not
/// say; inclusive is the reading a client must be robust to), 0 or absent meaning "from the beginning" / "now"; rows
/// <c>["time_s","open","close","high","low","volume","turnover"]</c>, decimals without trailing zeros, the newest
/// <see cref="FakeKucoinOptions.MaxCandles"/> of the window, newest first, the candle in progress included (built from
/// the 1m candles opened up to now). An unknown symbol gets HTTP 200 with <c>400100 "This pair is not provided at present"</c>.</item>
/// <item><c>GET /api/v1/market/histories?symbol</c> (weight 3): the last <see cref="FakeKucoinOptions.TradeHistorySize"/>
/// trades up to now, oldest first, <c>{"sequence","price","size","side","time"(ns)}</c>.</item>
/// <item><c>GET /api/v1/market/allTickers</c> and <c>/api/v1/market/stats?symbol</c> (weight 15): 24h statistics over
/// the registered 1m candles opened in <c>(now − 24h, now]</c>: last = last close, open = first open, change = last −
/// open, changeRate = change / open rounded to 4 decimals, vol / volValue summed, buy = last, sell = last +
/// priceIncrement. Symbols without candles in the window have null prices and zero volumes.</item>
/// <item><c>GET /api/v1/timestamp</c> (weight 3).</item>
/// <item>Rate limit ("Rate Limit", REST): a pool of <see cref="FakeKucoinOptions.PublicPoolQuota"/> per
/// <see cref="FakeKucoinOptions.PoolWindow"/>, the window starting at the first request's arrival; past the quota HTTP 429
/// <c>{"code":"429000","msg":"Too many requests"}</c>, uncharged.</item>
/// <item>Fault injection through <see cref="Faults"/>.</item>
/// </list>
/// Data is registered with <see cref="AddSeries"/> (1m candles; higher timeframes aggregated on request) and
/// <see cref="AddTrades"/>. Dispose to stop.
/// </summary>
public sealed class FakeKucoinServer : FakeServerBase<RecordedRequest>
{
    /// <summary>Header: quota of the pool.</summary>
    public const string LimitHeader = "gw-ratelimit-limit";

    /// <summary>Header: quota left in the current window.</summary>
    public const string RemainingHeader = "gw-ratelimit-remaining";

    /// <summary>Header: milliseconds until the current window resets.</summary>
    public const string ResetHeader = "gw-ratelimit-reset";

    private const string Candles = "/api/v1/market/candles";
    private const string Histories = "/api/v1/market/histories";
    private const string AllTickers = "/api/v1/market/allTickers";
    private const string Stats = "/api/v1/market/stats";
    private const string JsonContentType = "application/json";
    private const long MinuteMs = 60_000;
    private const long DayMs = 86_400_000;

    private static readonly Dictionary<string, Timeframe> Types = new(StringComparer.Ordinal)
    {
        ["1min"] = Timeframe.Parse("1m"), ["3min"] = Timeframe.Parse("3m"), ["5min"] = Timeframe.Parse("5m"),
        ["15min"] = Timeframe.Parse("15m"), ["30min"] = Timeframe.Parse("30m"), ["1hour"] = Timeframe.Parse("1h"),
        ["2hour"] = Timeframe.Parse("2h"), ["4hour"] = Timeframe.Parse("4h"), ["6hour"] = Timeframe.Parse("6h"),
        ["8hour"] = Timeframe.Parse("8h"), ["12hour"] = Timeframe.Parse("12h"), ["1day"] = Timeframe.Parse("1d"),
        ["1month"] = Timeframe.Parse("1M"),
    };

    private readonly KlineStore _store = new();
    private readonly ConcurrentDictionary<string, Trade[]> _trades = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _registered = new(StringComparer.Ordinal);
    private readonly Pool _pool;

    private int _tokens;

    private FakeKucoinServer(FakeKucoinOptions options)
    {
        Options = options;
        _pool = new Pool(options);
        StreamVenue = new FakeKucoinStreamVenue(id => _store.Get(id, FakeMarket.Spot, PriceType.Last), id => _trades.GetValueOrDefault(id), IsKnown);
        Stream = new FakeStreamHub(StreamVenue);
    }

    /// <summary>The WebSocket side (<c>/endpoint</c>, named by <c>POST /api/v1/bullet-public</c>): timeline and faults.</summary>
    public FakeStreamHub Stream { get; }

    /// <summary>The KuCoin dialect of <see cref="Stream"/> (what clients sent, candle updates per candle).</summary>
    public FakeKucoinStreamVenue StreamVenue { get; }

    /// <summary>Tokens handed out by <c>POST /api/v1/bullet-public</c>.</summary>
    public int TokensIssued => Volatile.Read(ref _tokens);

    /// <summary>The options in force (mutable while running).</summary>
    public FakeKucoinOptions Options { get; }

    /// <summary>Fault injection for market-data requests.</summary>
    public FakeKucoinFaults Faults { get; } = new();

    /// <summary>Starts a server on 127.0.0.1 with a random free port.</summary>
    /// <param name="options">Behaviour; defaults as in <see cref="FakeKucoinOptions"/>.</param>
    /// <param name="cancellationToken">Cancels the start-up.</param>
    /// <exception cref="InvalidOperationException">Kestrel started but reported no address.</exception>
    public static Task<FakeKucoinServer> StartAsync(FakeKucoinOptions? options = null, CancellationToken cancellationToken = default) =>
        StartHostAsync(new FakeKucoinServer(options ?? new FakeKucoinOptions()), cancellationToken);

    /// <summary>
    /// Registers 1m candles for a KuCoin symbol id (e.g. <c>BTC-USDT</c>). Candles replace earlier ones with the same
    /// open time. Where a candle has no quote volume the server serves <c>volume × close</c> rounded half away from zero
    /// to 8 decimals as the turnover. Higher timeframes aggregate these (open = first open, high = max, low = min,
    /// close = last close, volumes summed, buckets as <see cref="Timeframe.Floor"/>); a bucket without any 1m candle
    /// does not exist. Sparse series are fine: 1h candles registered as "1m" candles are served back unchanged as 1hour.
    /// </summary>
    /// <exception cref="ArgumentException">A candle is not on a minute boundary.</exception>
    public void AddSeries(string symbolId, IReadOnlyList<Candle> oneMinute)
    {
        _store.Add(symbolId, FakeMarket.Spot, PriceType.Last, oneMinute);
        _registered[symbolId] = 0;
    }

    /// <summary>Removes the 1m candles of <paramref name="symbolId"/> whose open time is in <paramref name="range"/> (makes gaps).</summary>
    public void RemoveCandles(string symbolId, TimeRange range) => _store.Remove(symbolId, FakeMarket.Spot, range, null);

    /// <summary>
    /// Registers trades for a symbol id (replacing earlier ones with the same id). <see cref="Trade.Id"/> is served as
    /// <c>sequence</c> and must be unique per symbol; timestamps as nanoseconds (<c>ms × 1,000,000</c>).
    /// </summary>
    public void AddTrades(string symbolId, IEnumerable<Trade> trades)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbolId);
        _trades.AddOrUpdate(symbolId,
            _ => Sort(trades),
            (_, existing) => Sort(existing.Concat(trades)));
        _registered[symbolId] = 0;

        static Trade[] Sort(IEnumerable<Trade> all)
        {
            var byId = new Dictionary<string, Trade>(StringComparer.Ordinal);
            foreach (var t in all)
            {
                byId[t.Id] = t;
            }

            return [.. byId.Values.OrderBy(t => t.Timestamp).ThenBy(t => t.Id.Length).ThenBy(t => t.Id, StringComparer.Ordinal)];
        }
    }

    private long Now() => Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private bool IsKnown(string id) => KucoinSymbolsCapture.Instance.Ids.Contains(id) || _registered.ContainsKey(id);

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
        var marketData = path is Candles or Histories or AllTickers or Stats;
        if (marketData && Options.ResponseDelay > TimeSpan.Zero)
        {
            await Task.Delay(Options.ResponseDelay, Options.TimeProvider, cancellationToken);
        }

        FakeKucoinFault? fault = marketData && Faults.TryTake(out var f) ? f : null;
        if (fault is { } injected && injected != FakeKucoinFault.OverlappingRows)
        {
            await FaultAsync(context, injected, cancellationToken);
        }
        else
        {
            await (path switch
            {
                Candles => ChargedAsync(context, 3, () => CandlesBody(context.Request.Query, fault == FakeKucoinFault.OverlappingRows), cancellationToken),
                Histories => ChargedAsync(context, 3, () => TradesBody(context.Request.Query), cancellationToken),
                AllTickers => ChargedAsync(context, 15, AllTickersBody, cancellationToken),
                Stats => ChargedAsync(context, 15, () => StatsBody(context.Request.Query), cancellationToken),
                "/api/v2/symbols" => ChargedAsync(context, 4, () => Ok(KucoinSymbolsCapture.Instance.RenderV2(_registered.Keys)), cancellationToken),
                "/api/v1/bullet-public" when HttpMethods.IsPost(context.Request.Method) => ChargedAsync(context, 10, BulletBody, cancellationToken),
                "/api/v1/symbols" => ChargedAsync(context, 4, () => Ok(KucoinSymbolsCapture.Instance.V1Body), cancellationToken),
                "/api/v1/timestamp" => ChargedAsync(context, 3, () => Ok(Encoding.UTF8.GetBytes(
                    "{\"code\":\"200000\",\"data\":" + Now().ToString(CultureInfo.InvariantCulture) + "}")), cancellationToken),
                _ => WriteAsync(context, 404, Envelope("404000", $"The fake KuCoin server has no endpoint '{path}'."), cancellationToken),
            });
        }
    }

    private async Task ChargedAsync(HttpContext context, int weight, Func<Answer> build, CancellationToken cancellationToken)
    {
        var allowed = _pool.TryAcquire(weight, out var remaining, out var reset);
        SetPoolHeaders(context, remaining, reset);
        if (!allowed)
        {
            await WriteAsync(context, 429, Envelope("429000", "Too many requests"), cancellationToken);
            return;
        }

        LogOf<Log>(context).Weight = weight;
        var answer = build();
        await WriteAsync(context, answer.Status, answer.Body, cancellationToken);
    }

    private void SetPoolHeaders(HttpContext context, int remaining, long resetMs)
    {
        context.Response.Headers[LimitHeader] = Math.Max(0, Options.PublicPoolQuota).ToString(CultureInfo.InvariantCulture);
        context.Response.Headers[RemainingHeader] = remaining.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers[ResetHeader] = resetMs.ToString(CultureInfo.InvariantCulture);
    }

    private Answer CandlesBody(IQueryCollection query, bool overlap)
    {
        var symbol = query["symbol"].ToString();
        if (symbol.Length == 0)
        {
            return Fail(400, "400100", "Parameter [symbol] is required.");
        }

        var typeText = query["type"].ToString();
        if (string.Equals(typeText, "1week", StringComparison.Ordinal))
        {
            return Fail(400, "400100", "type 1week (Thursday-based weeks) is not simulated by the fake KuCoin server.");
        }

        if (!Types.TryGetValue(typeText, out var tf))
        {
            return Fail(400, "400100", "Parameter [type] is invalid; use 1min, 3min, 5min, 15min, 30min, 1hour, 2hour, 4hour, 6hour, 8hour, 12hour, 1day, 1week or 1month.");
        }

        if (!TrySeconds(query, "startAt", out var startAt) || !TrySeconds(query, "endAt", out var endAt))
        {
            return Fail(400, "400100", "Parameter [startAt]/[endAt] must be a whole number of seconds.");
        }

        if (!IsKnown(symbol))
        {
            return Fail(200, "400100", "This pair is not provided at present");
        }

        var now = Now();
        var minutes = UpTo(_store.Get(symbol, FakeMarket.Spot, PriceType.Last), now);
        var from = startAt * 1000;
        var to = endAt > 0 ? Math.Min(endAt * 1000, now) : now;
        var rows = new List<Candle>();
        var limit = Math.Max(1, Options.MaxCandles);
        var scratch = ArrayPool<Candle>.Shared.Rent(limit + 1);
        try
        {
            if (from <= to)
            {
                foreach (var c in KlineStore.Query(minutes, tf, null, to, limit, scratch))
                {
                    if (c.OpenTime >= from)
                    {
                        rows.Add(c);
                    }
                }
            }

            rows.Reverse(); // newest first
            if (overlap)
            {
                var after = KlineStore.Query(minutes, tf, to + 1, null, 1, scratch);
                if (after.Length == 1)
                {
                    rows.Insert(0, after[0]);
                }

                var before = from > 0 ? KlineStore.Query(minutes, tf, null, from - 1, 1, scratch) : [];
                if (before.Length == 1)
                {
                    rows.Add(before[0]);
                }
            }
        }
        finally
        {
            ArrayPool<Candle>.Shared.Return(scratch);
        }

        return Ok(Render(w =>
        {
            w.WriteStartArray();
            foreach (var c in rows)
            {
                w.WriteStartArray();
                w.WriteStringValue((c.OpenTime / 1000).ToString(CultureInfo.InvariantCulture));
                w.WriteStringValue(Dec(c.Open));
                w.WriteStringValue(Dec(c.Close));
                w.WriteStringValue(Dec(c.High));
                w.WriteStringValue(Dec(c.Low));
                w.WriteStringValue(Dec(c.Volume));
                w.WriteStringValue(Dec(c.QuoteVolume.GetValueOrDefault()));
                w.WriteEndArray();
            }

            w.WriteEndArray();
        }));

        static bool TrySeconds(IQueryCollection query, string name, out long value)
        {
            value = 0;
            var raw = query[name].ToString();
            return raw.Length == 0 || (long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value < long.MaxValue / 1000);
        }
    }

    private Answer TradesBody(IQueryCollection query)
    {
        var symbol = query["symbol"].ToString();
        if (symbol.Length == 0)
        {
            return Fail(400, "400100", "Parameter [symbol] is required.");
        }

        if (!IsKnown(symbol))
        {
            return Fail(200, "400100", "This pair is not provided at present");
        }

        var all = _trades.TryGetValue(symbol, out var t) ? t : [];
        var now = Now();
        var end = UpperBound(all, now);
        var start = Math.Max(0, end - Math.Max(1, Options.TradeHistorySize));
        return Ok(Render(w =>
        {
            w.WriteStartArray();
            for (var i = start; i < end; i++)
            {
                var trade = all[i];
                w.WriteStartObject();
                w.WriteString("sequence", trade.Id);
                w.WriteString("price", Dec(trade.Price));
                w.WriteString("size", Dec(trade.Amount));
                w.WriteString("side", trade.Side == TradeSide.Sell ? "sell" : "buy");
                w.WriteNumber("time", trade.Timestamp * 1_000_000);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }));

        static int UpperBound(Trade[] trades, long time)
        {
            int lo = 0, hi = trades.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (trades[mid].Timestamp <= time)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }

    /// <summary>"Get Public Token - Spot/Margin": a fresh token and this server's WebSocket endpoint.</summary>
    private Answer BulletBody()
    {
        var token = "fake-token-" + Interlocked.Increment(ref _tokens).ToString(CultureInfo.InvariantCulture);
        var endpoint = new UriBuilder(BaseUrl) { Scheme = "ws", Path = "/endpoint" }.Uri.AbsoluteUri;
        return Ok(Render(w =>
        {
            w.WriteStartObject();
            w.WriteString("token", token);
            w.WriteStartArray("instanceServers");
            w.WriteStartObject();
            w.WriteString("endpoint", endpoint);
            w.WriteBoolean("encrypt", false);
            w.WriteString("protocol", "websocket");
            w.WriteNumber("pingInterval", 18000);
            w.WriteNumber("pingTimeout", 10000);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    private Answer AllTickersBody()
    {
        var now = Now();
        var ids = KucoinSymbolsCapture.Instance.Entries.Select(e => e.Symbol).Concat(_registered.Keys.Where(k => !KucoinSymbolsCapture.Instance.Ids.Contains(k)));
        return Ok(Render(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("time", now);
            w.WriteStartArray("ticker");
            foreach (var id in ids)
            {
                WriteTicker(w, id, now, withTime: false);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    private Answer StatsBody(IQueryCollection query)
    {
        var symbol = query["symbol"].ToString();
        if (symbol.Length == 0)
        {
            return Fail(400, "400100", "Parameter [symbol] is required.");
        }

        if (!IsKnown(symbol))
        {
            return Fail(200, "400100", "This pair is not provided at present");
        }

        var now = Now();
        return Ok(Render(w => WriteTicker(w, symbol, now, withTime: true)));
    }

    private void WriteTicker(Utf8JsonWriter w, string id, long now, bool withTime)
    {
        var minutes = _store.Get(id, FakeMarket.Spot, PriceType.Last);
        var lo = LowerBound(minutes, now - DayMs + 1);
        var hi = LowerBound(minutes, now + 1);
        w.WriteStartObject();
        if (withTime)
        {
            w.WriteNumber("time", now);
        }

        w.WriteString("symbol", id);
        w.WriteString("symbolName", (KucoinSymbolsCapture.Instance.ById.TryGetValue(id, out var entry) ? entry.Name : id));
        if (hi > lo)
        {
            var window = minutes.AsSpan(lo, hi - lo);
            decimal high = window[0].High, low = window[0].Low, vol = 0, volValue = 0;
            foreach (ref readonly var c in window)
            {
                high = Math.Max(high, c.High);
                low = Math.Min(low, c.Low);
                vol += c.Volume;
                volValue += c.QuoteVolume.GetValueOrDefault();
            }

            var open = window[0].Open;
            var last = window[^1].Close;
            var change = last - open;
            var increment = decimal.TryParse(entry?.PriceIncrement,
                NumberStyles.Number, CultureInfo.InvariantCulture, out var inc) ? inc : 0.01m;
            w.WriteString("buy", Dec(last));
            w.WriteString("bestBidSize", "1");
            w.WriteString("sell", Dec(last + increment));
            w.WriteString("bestAskSize", "1");
            w.WriteString("changeRate", Dec(open == 0 ? 0 : decimal.Round(change / open, 4, MidpointRounding.AwayFromZero)));
            w.WriteString("changePrice", Dec(change));
            w.WriteString("high", Dec(high));
            w.WriteString("low", Dec(low));
            w.WriteString("vol", Dec(vol));
            w.WriteString("volValue", Dec(volValue));
            w.WriteString("last", Dec(last));
            w.WriteString("averagePrice", Dec(vol == 0 ? last : decimal.Round(volValue / vol, 8, MidpointRounding.AwayFromZero)));
        }
        else
        {
            foreach (var name in (ReadOnlySpan<string>)["buy", "bestBidSize", "sell", "bestAskSize", "changeRate", "changePrice", "high", "low"])
            {
                w.WriteNull(name);
            }

            w.WriteString("vol", "0");
            w.WriteString("volValue", "0");
            w.WriteNull("last");
            w.WriteNull("averagePrice");
        }

        w.WriteString("takerFeeRate", "0.001");
        w.WriteString("makerFeeRate", "0.001");
        w.WriteString("takerCoefficient", "1");
        w.WriteString("makerCoefficient", "1");
        w.WriteEndObject();
    }

    private async Task FaultAsync(HttpContext context, FakeKucoinFault fault, CancellationToken cancellationToken)
    {
        if (fault is not (FakeKucoinFault.ConnectionReset or FakeKucoinFault.Stall))
        {
            var (remaining, reset) = _pool.Peek();
            SetPoolHeaders(context, remaining, reset);
        }

        switch (fault)
        {
            case FakeKucoinFault.InternalServerError500:
                await WriteAsync(context, 500, Envelope("500000", "Internal Server Error"), cancellationToken);
                return;
            case FakeKucoinFault.BadGateway502:
                var html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"u8.ToArray();
                await WriteAsync(context, 502, html, cancellationToken, "text/html");
                return;
            case FakeKucoinFault.ServiceUnavailable503:
                await WriteAsync(context, 503, Envelope("503000", "Service Unavailable"), cancellationToken);
                return;
            case FakeKucoinFault.TooManyRequests429:
                SetPoolHeaders(context, 0, 1000);
                await WriteAsync(context, 429, Envelope("429000", "Too many requests"), cancellationToken);
                return;
            case FakeKucoinFault.ParameterError400:
                await WriteAsync(context, 400, Envelope("400100", "Parameter error (injected fault)"), cancellationToken);
                return;
            case FakeKucoinFault.ErrorEnvelope200:
                await WriteAsync(context, 200, Envelope("400100", "This pair is not provided at present"), cancellationToken);
                return;
            case FakeKucoinFault.ConnectionReset:
                LogOf<Log>(context).Complete(0);
                context.Abort();
                return;
            case FakeKucoinFault.MalformedJson:
                await WriteAsync(context, 200, "{\"code\":\"200000\",\"data\":[[\"1\",\"a\""u8.ToArray(), cancellationToken);
                return;
            case FakeKucoinFault.TruncatedBody:
                var full = CandlesBody(context.Request.Query, overlap: false).Body;
                context.Response.StatusCode = 200;
                context.Response.ContentType = JsonContentType;
                context.Response.ContentLength = full.Length;
                await context.Response.Body.WriteAsync(full.AsMemory(0, full.Length / 2), cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
                return; // fewer bytes than Content-Length: Kestrel closes the connection
            case FakeKucoinFault.Stall:
                LogOf<Log>(context).Complete(0);
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                return;
            default:
                throw new InvalidOperationException($"Unhandled fault {fault}.");
        }
    }

    private static Candle[] UpTo(Candle[] minutes, long now)
    {
        var n = LowerBound(minutes, now + 1);
        return n == minutes.Length ? minutes : minutes[..n];
    }

    private static int LowerBound(Candle[] candles, long time)
    {
        int lo = 0, hi = candles.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (candles[mid].OpenTime < time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>A decimal as KuCoin writes it: plain notation, no trailing zeros (<c>"242.781"</c>, <c>"10416"</c>).</summary>
    public static string Dec(decimal value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (text.Contains('.', StringComparison.Ordinal))
        {
            text = text.TrimEnd('0').TrimEnd('.');
        }

        return text is "-0" or "" ? "0" : text;
    }

    private static Answer Ok(byte[] body) => new(200, body);

    private static Answer Fail(int status, string code, string message) => new(status, Envelope(code, message));

    private static byte[] Envelope(string code, string message)
    {
        var output = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("code", code);
            w.WriteString("msg", message);
            w.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    private static byte[] Render(Action<Utf8JsonWriter> data)
    {
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("code", "200000");
            w.WritePropertyName("data");
            data(w);
            w.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    private static async Task WriteAsync(HttpContext context, int status, byte[] body, CancellationToken cancellationToken, string contentType = JsonContentType)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, cancellationToken);
    }

    private readonly record struct Answer(int Status, byte[] Body);

    /// <summary>
    /// KuCoin's resource pool ("Rate Limit" / REST): a quota per window that starts at the first request arriving after
    /// the previous window ended; over-quota requests are refused and not charged.
    /// </summary>
    private sealed class Pool(FakeKucoinOptions options)
    {
        private readonly Lock _gate = new();
        private long _windowStart = long.MinValue;
        private int _used;

        public bool TryAcquire(int weight, out int remaining, out long resetMs)
        {
            var now = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var window = Math.Max(1, (long)options.PoolWindow.TotalMilliseconds);
            lock (_gate)
            {
                if (_windowStart == long.MinValue || now >= _windowStart + window)
                {
                    _windowStart = now;
                    _used = 0;
                }

                var quota = options.PublicPoolQuota;
                resetMs = Math.Max(1, _windowStart + window - now);
                if (quota > 0 && _used + weight > quota)
                {
                    remaining = Math.Max(0, quota - _used);
                    return false;
                }

                _used += weight;
                remaining = quota > 0 ? quota - _used : 0;
                return true;
            }
        }

        public (int Remaining, long ResetMs) Peek()
        {
            var now = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var window = Math.Max(1, (long)options.PoolWindow.TotalMilliseconds);
            lock (_gate)
            {
                var open = _windowStart != long.MinValue && now < _windowStart + window;
                return (Math.Max(0, options.PublicPoolQuota - (open ? _used : 0)), open ? _windowStart + window - now : window);
            }
        }
    }

    /// <summary>What is known of one request until it is recorded.</summary>
    private sealed class Log : RequestLog
    {
        /// <summary>Pool quota charged.</summary>
        public int Weight { get; set; }

        protected override RecordedRequest ToRecord(int status) => new(Path, Query, status, Weight, Arrived);
    }
}
