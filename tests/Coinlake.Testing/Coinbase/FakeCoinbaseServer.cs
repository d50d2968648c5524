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

namespace Coinlake.Testing.Coinbase;

/// <summary>
/// A fake Coinbase Exchange REST API on loopback (Kestrel, 127.0.0.1, a random port) with the venue's documented
/// semantics (docs.cdp.coinbase.com/exchange), for offline tests and benchmarks:
/// <list type="bullet">
/// <item><c>GET /products</c> ("Get all known trading pairs"): the 162 products recorded in <c>captures/COINBASE.0</c>
/// (in today's schema unless <see cref="FakeCoinbaseOptions.ServeRecordedProducts"/>), plus every product registered
/// with <see cref="AddSeries"/>/<see cref="AddTrades"/>; <c>GET /products/{id}</c> one of them.</item>
/// <item><c>GET /products/{id}/candles</c> ("Get product candles"): <c>granularity</c> ∈ {60, 300, 900, 3600, 21600,
/// 86400} (else 400), <c>start</c>/<c>end</c> ISO-8601 (both or neither: without them the 300 buckets up to now),
/// more than 300 buckets in <c>[start, end]</c> → 400; rows <c>[time_s, low, high, open, close, volume]</c> as JSON
/// numbers, NEWEST FIRST, buckets without data absent, the bucket in progress (at the server's "now") included,
/// nothing after now.</item>
/// <item><c>GET /products/{id}/trades</c> ("Get product trades", "Pagination"): <c>limit</c> 1..1000 (default 1000);
/// <c>after=X</c> → trades with id &lt; X, <c>before=X</c> → the oldest trades with id &gt; X, neither → the newest;
/// always newest first, with <c>CB-BEFORE</c> (first id) and <c>CB-AFTER</c> (last id) headers; <c>side</c> is the
/// maker's side (the opposite of the registered taker side).</item>
/// <item><c>GET /products/{id}/ticker</c> and <c>/stats</c>: from the recorded ticker frames of
/// <c>captures/COINBASE.ws.28.0</c> or <see cref="SetTicker"/>.</item>
/// <item>Errors as Coinbase sends them: <c>{"message": "..."}</c> with 400/404 (<c>NotFound</c> for unknown products
/// and routes); the public limit (token bucket, 10/s, burst 15) answered with 429
/// <c>{"message":"Public rate limit exceeded"}</c>; fault injection through <see cref="Faults"/>.</item>
/// </list>
/// Dispose to stop. Kestrel logs nothing.
/// </summary>
public sealed class FakeCoinbaseServer : FakeServerBase<FakeCoinbaseRequest>
{
    /// <summary>The granularities Coinbase accepts, in seconds.</summary>
    public static readonly IReadOnlyList<int> Granularities = [60, 300, 900, 3600, 21600, 86400];

    private const string JsonContentType = "application/json; charset=utf-8";
    private const int MaxBuckets = 300;

    private readonly KlineStore _candles = new();
    private readonly ConcurrentDictionary<string, Timeframe> _seriesTimeframes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeTradeRow[]> _trades = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeCoinbaseTicker> _tickers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Base, string Quote)> _extraProducts = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly HashSet<string> _recordedIds;
    private double _tokens = double.NaN;
    private long _lastRefill;

    private FakeCoinbaseServer(FakeCoinbaseOptions options)
    {
        Options = options;
        using (var doc = JsonDocument.Parse(CoinbaseTestData.RecordedProducts()))
        {
            _recordedIds = [.. doc.RootElement.EnumerateArray().Select(p => p.GetProperty("id").GetString()!)];
        }

        foreach (var (id, ticker) in CoinbaseTestData.RecordedTickers())
        {
            _tickers[id] = ticker;
        }

    }

    /// <summary>The options in force (mutable while running).</summary>
    public FakeCoinbaseOptions Options { get; }

    /// <summary>Fault injection: each enqueued fault replaces the answer of the next data request (candles, trades, ticker, stats), in order.</summary>
    public FakeCoinbaseFaults Faults { get; } = new();

    /// <summary>Starts a server on 127.0.0.1 with a random free port.</summary>
    /// <exception cref="InvalidOperationException">Kestrel started but reported no address.</exception>
    public static Task<FakeCoinbaseServer> StartAsync(FakeCoinbaseOptions? options = null, CancellationToken cancellationToken = default) =>
        StartHostAsync(new FakeCoinbaseServer(options ?? new FakeCoinbaseOptions()), cancellationToken);

    /// <summary>
    /// Registers candles for a product (e.g. <c>BTC-USD</c>; an id not in the recorded products is added to
    /// <c>/products</c>, with the base and quote read from the id). <paramref name="candles"/> are of
    /// <paramref name="timeframe"/> (default <c>1m</c>); every granularity at least as long is aggregated from them:
    /// open = first open, high = max, low = min, close = last close, volume summed, buckets aligned as
    /// <see cref="Timeframe.Floor"/>; a bucket without data does not exist.
    /// </summary>
    /// <exception cref="ArgumentException">The id is not <c>BASE-QUOTE</c>, or a candle is not aligned.</exception>
    public void AddSeries(string productId, IReadOnlyList<Candle> candles, Timeframe? timeframe = null)
    {
        var tf = timeframe ?? Timeframe.OneMinute;
        RegisterProduct(productId);
        foreach (var c in candles)
        {
            if (!tf.IsAligned(c.OpenTime))
            {
                throw new ArgumentException($"Candle at {TimeRange.FormatTime(c.OpenTime)} is not aligned to {tf}.", nameof(candles));
            }
        }

        _seriesTimeframes[productId] = tf;
        _candles.Add(productId, FakeMarket.Spot, PriceType.Last, candles);
    }

    /// <summary>Removes the candles of <paramref name="productId"/> whose open time is in <paramref name="range"/> (makes gaps).</summary>
    public void RemoveCandles(string productId, TimeRange range) => _candles.Remove(productId, FakeMarket.Spot, range, null);

    /// <summary>
    /// Registers trades for a product (added to <c>/products</c> when new). Ids must be positive integers (Coinbase
    /// <c>trade_id</c>); sides are TAKER sides (served as the maker's: the opposite) and must be known. Replaces the
    /// product's trades.
    /// </summary>
    /// <exception cref="ArgumentException">A non-numeric id, an unknown side, or ids whose order disagrees with the times.</exception>
    public void AddTrades(string productId, IEnumerable<Trade> trades)
    {
        RegisterProduct(productId);
        var rows = new List<FakeTradeRow>();
        foreach (var t in trades)
        {
            if (!long.TryParse(t.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                throw new ArgumentException($"Trade id '{t.Id}' is not a positive integer; Coinbase trade ids are.", nameof(trades));
            }

            if (t.Side == TradeSide.Unknown)
            {
                throw new ArgumentException($"Trade {t.Id} has no side; Coinbase reports one for every trade.", nameof(trades));
            }

            rows.Add(new FakeTradeRow(id, t.Timestamp, t.Price, t.Amount, t.Side == TradeSide.Buy ? "sell" : "buy"));
        }

        rows.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        for (var i = 1; i < rows.Count; i++)
        {
            if (rows[i].Id == rows[i - 1].Id || rows[i].Timestamp < rows[i - 1].Timestamp)
            {
                throw new ArgumentException($"Trade {rows[i].Id} repeats an id or is older than trade {rows[i - 1].Id}; Coinbase ids follow time.", nameof(trades));
            }
        }

        _trades[productId] = [.. rows];
    }

    /// <summary>Sets the ticker and stats answers of a product (replacing a recorded one).</summary>
    public void SetTicker(string productId, FakeCoinbaseTicker ticker)
    {
        RegisterProduct(productId);
        _tickers[productId] = ticker;
    }

    private void RegisterProduct(string productId)
    {
        var dash = productId.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || dash == productId.Length - 1 || productId.IndexOf('-', dash + 1) >= 0)
        {
            throw new ArgumentException($"'{productId}' is not a Coinbase product id; write it BASE-QUOTE, e.g. BTC-USD.", nameof(productId));
        }

        if (!_recordedIds.Contains(productId))
        {
            _extraProducts[productId] = (productId[..dash], productId[(dash + 1)..]);
        }
    }

    private bool IsProduct(string id) => _recordedIds.Contains(id) || _extraProducts.ContainsKey(id);

    private long NowMs => Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    /// <summary>The WebSocket side (a hub speaking <see cref="FakeCoinbaseStreamVenue"/>), or null (default) to serve REST only; set it before clients connect.</summary>
    public FakeStreamHub? Stream { get; set; }

    /// <inheritdoc />
    protected override FakeStreamHub? StreamHub => Stream;

    protected override TimeProvider Clock => Options.TimeProvider;

    /// <inheritdoc/>
    protected override RequestLog CreateLog() => new Log();

    /// <inheritdoc/>
    protected override async Task HandleAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var path = context.Request.Path.Value ?? "";
        var log = LogOf<Log>(context);
        if (!TakeToken())
        {
            await MessageAsync(context, 429, "Public rate limit exceeded", cancellationToken);
            return;
        }

        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 1 && parts[0] == "products")
        {
            await WriteAsync(context, 200, Encoding.UTF8.GetBytes(ProductsBody()), cancellationToken);
            return;
        }

        if (parts.Length < 2 || parts[0] != "products" || !IsProduct(parts[1]) || parts.Length > 3)
        {
            await MessageAsync(context, 404, "NotFound", cancellationToken);
            return;
        }

        var id = parts[1];
        if (parts.Length == 2)
        {
            await WriteAsync(context, 200, Encoding.UTF8.GetBytes(ProductBody(id)), cancellationToken);
            return;
        }

        if (parts[2] is not ("candles" or "trades" or "ticker" or "stats"))
        {
            await MessageAsync(context, 404, "NotFound", cancellationToken);
            return;
        }

        if (Faults.TryTake(out var fault))
        {
            await FaultAsync(context, fault, () => log.Complete(0), cancellationToken);
            return;
        }

        await (parts[2] switch
        {
            "candles" => CandlesAsync(context, id, cancellationToken),
            "trades" => TradesAsync(context, id, cancellationToken),
            "ticker" => TickerAsync(context, id, stats: false, cancellationToken),
            _ => TickerAsync(context, id, stats: true, cancellationToken),
        });
    }

    private bool TakeToken()
    {
        var rate = Options.RequestsPerSecond;
        if (rate <= 0)
        {
            return true;
        }

        var now = NowMs;
        lock (_gate)
        {
            var burst = Math.Max(1, Options.Burst);
            if (double.IsNaN(_tokens))
            {
                _tokens = burst;
                _lastRefill = now;
            }

            _tokens = Math.Min(burst, _tokens + ((now - _lastRefill) * rate / 1000.0));
            _lastRefill = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }

    private string ProductsBody()
    {
        var recorded = Options.ServeRecordedProducts ? CoinbaseTestData.RecordedProducts() : CoinbaseTestData.ProductsInTodaysSchema();
        if (_extraProducts.IsEmpty)
        {
            return recorded;
        }

        var sb = new StringBuilder(recorded, 0, recorded.LastIndexOf(']'), recorded.Length + (_extraProducts.Count * 200));
        foreach (var id in _extraProducts.Keys.Order(StringComparer.Ordinal))
        {
            sb.Append(',').Append(ProductBody(id));
        }

        return sb.Append(']').ToString();
    }

    private string ProductBody(string id)
    {
        if (_extraProducts.TryGetValue(id, out var codes))
        {
            return $"{{\"id\":\"{id}\",\"base_currency\":\"{codes.Base}\",\"quote_currency\":\"{codes.Quote}\",\"quote_increment\":\"0.00000001\",\"base_increment\":\"0.00000001\",\"display_name\":\"{codes.Base}-{codes.Quote}\",\"min_market_funds\":\"1\",\"margin_enabled\":false,\"post_only\":false,\"limit_only\":false,\"cancel_only\":false,\"status\":\"online\",\"status_message\":\"\",\"trading_disabled\":false,\"fx_stablecoin\":false,\"max_slippage_percentage\":\"0.10000000\",\"auction_mode\":false,\"high_bid_limit_percentage\":\"\"}}";
        }

        using var doc = JsonDocument.Parse(CoinbaseTestData.ProductsInTodaysSchema());
        return doc.RootElement.EnumerateArray().First(p => p.GetProperty("id").GetString() == id).GetRawText();
    }

    private async Task CandlesAsync(HttpContext context, string id, CancellationToken cancellationToken)
    {
        var q = context.Request.Query;
        if (!int.TryParse(q["granularity"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || !Granularities.Contains(seconds))
        {
            await MessageAsync(context, 400, "Unsupported granularity", cancellationToken);
            return;
        }

        var tf = Timeframe.All.First(t => t.ApproximateMilliseconds == seconds * 1000L && !t.IsCalendar);
        var g = seconds * 1000L;
        var now = NowMs;
        long start, end;
        var startText = q["start"].ToString();
        var endText = q["end"].ToString();
        if (startText.Length == 0 || endText.Length == 0)
        {
            end = tf.Floor(now);
            start = end - ((MaxBuckets - 1) * g);
        }
        else
        {
            if (!TryIso(startText, out start))
            {
                await MessageAsync(context, 400, "Invalid start", cancellationToken);
                return;
            }

            if (!TryIso(endText, out end))
            {
                await MessageAsync(context, 400, "Invalid end", cancellationToken);
                return;
            }

            if (start > end)
            {
                await MessageAsync(context, 400, "start must be before end", cancellationToken);
                return;
            }

            if (((tf.Floor(end) - tf.Floor(start)) / g) + 1 > MaxBuckets)
            {
                await MessageAsync(context, 400, "granularity too small for the requested time range. Count of aggregations requested exceeds 300", cancellationToken);
                return;
            }
        }

        var rows = QueryCandles(id, tf, tf.Floor(start) - (Math.Max(0, Options.PrecedingCandles) * g), Math.Min(end, now), Math.Max(1, Options.MaxCandlesPerAnswer), now);
        var sb = new StringBuilder((rows.Count * 64) + 2).Append('[');
        for (var i = rows.Count - 1; i >= 0; i--) // newest first
        {
            var c = rows[i];
            sb.Append('[').Append((c.OpenTime / 1000).ToString(CultureInfo.InvariantCulture))
                .Append(',').Append(Number(c.Low)).Append(',').Append(Number(c.High))
                .Append(',').Append(Number(c.Open)).Append(',').Append(Number(c.Close))
                .Append(',').Append(Number(c.Volume)).Append(']');
            if (i > 0)
            {
                sb.Append(',');
            }
        }

        await WriteAsync(context, 200, Encoding.UTF8.GetBytes(sb.Append(']').ToString()), cancellationToken);
    }

    private List<Candle> QueryCandles(string id, Timeframe tf, long start, long end, int limit, long now)
    {
        if (!_seriesTimeframes.TryGetValue(id, out var baseTf) || baseTf.ApproximateMilliseconds > tf.ApproximateMilliseconds)
        {
            return [];
        }

        var source = _candles.Get(id, FakeMarket.Spot, PriceType.Last);
        var visible = Array.FindLastIndex(source, c => c.OpenTime <= now) + 1;
        if (visible < source.Length)
        {
            source = source[..visible]; // the bucket in progress holds only what has happened
        }

        var scratch = ArrayPool<Candle>.Shared.Rent(limit);
        try
        {
            var result = baseTf == tf
                ? [.. source.Where(c => c.OpenTime >= start && c.OpenTime <= end).Take(limit)]
                : KlineStore.Query(source, tf, start, end, limit, scratch).ToArray().ToList();
            return result;
        }
        finally
        {
            ArrayPool<Candle>.Shared.Return(scratch);
        }
    }

    private async Task TradesAsync(HttpContext context, string id, CancellationToken cancellationToken)
    {
        var q = context.Request.Query;
        var limit = 1000;
        if (q.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            await MessageAsync(context, 400, "limit must be between 1 and 1000", cancellationToken);
            return;
        }

        long? after = null, before = null;
        foreach (var (name, set) in new (string, Action<long>)[] { ("after", v => after = v), ("before", v => before = v) })
        {
            if (q.TryGetValue(name, out var text))
            {
                if (!long.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                {
                    await MessageAsync(context, 400, $"Invalid {name}", cancellationToken);
                    return;
                }

                set(v);
            }
        }

        var all = _trades.GetValueOrDefault(id) ?? [];
        var now = NowMs;
        var visible = all.AsSpan(0, UpperBound(all, now, byTime: true)); // nothing after now
        ReadOnlySpan<FakeTradeRow> page;
        if (after is { } a)
        {
            var hi = LowerBound(visible, a); // ids < a
            page = visible[Math.Max(0, hi - limit)..hi];
        }
        else if (before is { } b)
        {
            var lo = LowerBound(visible, b + 1); // ids > b, the oldest ones
            page = visible[lo..Math.Min(visible.Length, lo + limit)];
        }
        else
        {
            page = visible[Math.Max(0, visible.Length - limit)..];
        }

        var sb = new StringBuilder((page.Length * 120) + 2).Append('[');
        for (var i = page.Length - 1; i >= 0; i--) // newest first
        {
            var t = page[i];
            sb.Append("{\"time\":\"").Append(DateTimeOffset.FromUnixTimeMilliseconds(t.Timestamp).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture))
                .Append("\",\"trade_id\":").Append(t.Id.ToString(CultureInfo.InvariantCulture))
                .Append(",\"price\":\"").Append(t.Price.ToString(CultureInfo.InvariantCulture))
                .Append("\",\"size\":\"").Append(t.Size.ToString(CultureInfo.InvariantCulture))
                .Append("\",\"side\":\"").Append(t.MakerSide).Append("\"}");
            if (i > 0)
            {
                sb.Append(',');
            }
        }

        if (page.Length > 0)
        {
            context.Response.Headers["CB-BEFORE"] = page[^1].Id.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["CB-AFTER"] = page[0].Id.ToString(CultureInfo.InvariantCulture);
        }

        await WriteAsync(context, 200, Encoding.UTF8.GetBytes(sb.Append(']').ToString()), cancellationToken);
    }

    private async Task TickerAsync(HttpContext context, string id, bool stats, CancellationToken cancellationToken)
    {
        if (!_tickers.TryGetValue(id, out var t))
        {
            await MessageAsync(context, 404, "NotFound", cancellationToken);
            return;
        }

        var output = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            if (stats)
            {
                w.WriteString("open", t.Open24h);
                w.WriteString("high", t.High24h);
                w.WriteString("low", t.Low24h);
                w.WriteString("last", t.Price);
                w.WriteString("volume", t.Volume24h);
                w.WriteString("volume_30day", t.Volume30d);
                w.WriteString("rfq_volume_24hour", "0");
                w.WriteString("rfq_volume_30day", "0");
            }
            else
            {
                w.WriteString("ask", t.Ask);
                w.WriteString("bid", t.Bid);
                w.WriteString("volume", t.Volume24h);
                w.WriteNumber("trade_id", t.TradeId);
                w.WriteString("price", t.Price);
                w.WriteString("size", t.LastSize);
                w.WriteString("time", t.Time);
                w.WriteString("rfq_volume", "0");
            }

            w.WriteEndObject();
        }

        await WriteAsync(context, 200, output.WrittenSpan.ToArray(), cancellationToken);
    }

    private async Task FaultAsync(HttpContext context, FakeCoinbaseFault fault, Action recordUnanswered, CancellationToken cancellationToken)
    {
        switch (fault)
        {
            case FakeCoinbaseFault.InternalServerError500:
                await MessageAsync(context, 500, "Internal server error", cancellationToken);
                return;
            case FakeCoinbaseFault.BadGateway502:
                context.Response.StatusCode = 502;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body><h1>502 Bad Gateway</h1></body></html>", cancellationToken);
                return;
            case FakeCoinbaseFault.ServiceUnavailable503:
                await MessageAsync(context, 503, "Service unavailable", cancellationToken);
                return;
            case FakeCoinbaseFault.TooManyRequests429:
                await MessageAsync(context, 429, "Public rate limit exceeded", cancellationToken);
                return;
            case FakeCoinbaseFault.ConnectionReset:
                recordUnanswered();
                context.Abort();
                return;
            case FakeCoinbaseFault.MalformedJson:
                await WriteAsync(context, 200, "[[1,\"a\""u8.ToArray(), cancellationToken);
                return;
            case FakeCoinbaseFault.EmptyPage:
                await WriteAsync(context, 200, "[]"u8.ToArray(), cancellationToken);
                return;
            case FakeCoinbaseFault.TruncatedBody:
                var body = "[[1677628800,23128.52,23150.77,23140.48,23142.31,2.131777],[1677628740,23128.52,23150.77,23140.48,23142.31,2.131777]]"u8.ToArray();
                context.Response.StatusCode = 200;
                context.Response.ContentType = JsonContentType;
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
                return;
            case FakeCoinbaseFault.Stall:
                recordUnanswered();
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                return;
            default:
                throw new InvalidOperationException($"Unhandled fault {fault}.");
        }
    }

    private static bool TryIso(string text, out long ms)
    {
        ms = 0;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return false;
        }

        ms = value.ToUnixTimeMilliseconds();
        return true;
    }

    // Coinbase writes candle values as plain JSON numbers without trailing zeros (48950.01, 0.000054).
    private static string Number(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    private static int LowerBound(ReadOnlySpan<FakeTradeRow> rows, long id)
    {
        int lo = 0, hi = rows.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (rows[mid].Id < id)
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

    private static int UpperBound(FakeTradeRow[] rows, long value, bool byTime)
    {
        int lo = 0, hi = rows.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if ((byTime ? rows[mid].Timestamp : rows[mid].Id) <= value)
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

    private static Task MessageAsync(HttpContext context, int status, string message, CancellationToken cancellationToken)
    {
        var output = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("message", message);
            w.WriteEndObject();
        }

        return WriteAsync(context, status, output.WrittenSpan.ToArray(), cancellationToken);
    }

    private static async Task WriteAsync(HttpContext context, int status, byte[] body, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = JsonContentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, cancellationToken);
    }

    /// <summary>What is known of one request until it is recorded.</summary>
    private sealed class Log : RequestLog
    {
        protected override FakeCoinbaseRequest ToRecord(int status) => new(Path, Query, status, Arrived);
    }

    private readonly record struct FakeTradeRow(long Id, long Timestamp, decimal Price, decimal Size, string MakerSide);
}

/// <summary>Queues faults for a <see cref="FakeCoinbaseServer"/>'s next data requests. Thread-safe.</summary>
public sealed class FakeCoinbaseFaults : FaultQueue<FakeCoinbaseFault>;
