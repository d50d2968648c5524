using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Testing.Hosting;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.AspNetCore.Http;

namespace Coinlake.Testing.Kraken;

/// <summary>
/// A fake Kraken spot REST API on loopback (Kestrel, 127.0.0.1, a random port) with Kraken's documented semantics
/// (docs.kraken.com/api, "Spot REST API / Market Data"), for offline tests and benchmarks:
/// <list type="bullet">
/// <item>Every answer is the envelope <c>{"error":[...],"result":{...}}</c>; errors travel with HTTP 200:
/// <c>EQuery:Unknown asset pair</c> (a pair neither in the capture nor registered), <c>EGeneral:Invalid arguments</c>
/// (a missing <c>pair</c>, a bad <c>interval</c>, <c>since</c> or <c>count</c>), <c>EGeneral:Too many requests</c> past
/// the rate limit (<see cref="FakeKrakenOptions.RateLimitBurst"/> back to back, one more per
/// <see cref="FakeKrakenOptions.RateLimitInterval"/>).</item>
/// <item><c>GET /0/public/AssetPairs</c> replays the recorded answer (<c>captures/KRAKEN.0</c>, optional <c>pair</c>
/// filter); <c>/0/public/Assets</c> is built from its assets; <c>/0/public/Time</c> tells the server clock.</item>
/// <item><c>GET /0/public/OHLC?pair&amp;interval&amp;since</c>: intervals 1 5 15 30 60 240 1440 10080 21600 minutes
/// (buckets are epoch multiples), rows <c>[time(s), "open", "high", "low", "close", "vwap", "volume", count]</c> of the
/// 720 most recent intervals up to "now" (<see cref="FakeKrakenOptions.TimeProvider"/>) with a time after
/// <c>since</c>, ascending; the last row is always the interval in progress (aggregated from what exists of it, else a
/// flat zero-volume row at the last close); <c>last</c> = the last committed interval's time (s). Intervals without any
/// 1m candle have no row.</item>
/// <item><c>GET /0/public/Trades?pair&amp;since&amp;count</c>: trades with a time after <c>since</c> (ns; 10 digits or
/// fewer are seconds), oldest first, at most <c>count</c> (1..1000, default 1000); without <c>since</c> the most
/// recent <c>count</c>. Rows <c>["price", "volume", time(s.frac), "b"/"s", "l", "", trade_id]</c>
/// (side <c>""</c> where the source does not know it); <c>last</c> = the newest served trade's time in ns (or
/// <c>since</c>).</item>
/// <item><c>GET /0/public/Ticker?pair=K1,K2</c> (all pairs with data when absent): computed from the 1m series up to
/// now: <c>c</c> last close, <c>a</c>/<c>b</c> at it, <c>v</c>/<c>p</c>/<c>t</c>/<c>l</c>/<c>h</c> for today (since
/// 00:00 UTC) and the last 24 h, <c>o</c> today's opening price.</item>
/// <item>Fault injection through <see cref="Faults"/>.</item>
/// </list>
/// Dispose to stop. Kestrel logs nothing.
/// </summary>
public sealed class FakeKrakenServer : FakeServerBase<FakeKrakenRequest>
{
    private const string OhlcPath = "/0/public/OHLC";
    private const string TradesPath = "/0/public/Trades";
    private const string JsonContentType = "application/json; charset=utf-8";
    private const long MinuteMs = 60_000;
    private const int Window = 720;

    private static readonly int[] Intervals = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600];

    private readonly KrakenPairsCapture _capture = KrakenPairsCapture.Instance;
    private readonly ConcurrentDictionary<string, Candle[]> _series = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeTrade[]> _trades = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _seriesLength = new(StringComparer.Ordinal);
    private readonly Lock _write = new();
    private readonly Lock _bucketGate = new();
    private double _tokens = double.NaN;
    private long _refilledAt;

    private FakeKrakenServer(FakeKrakenOptions options)
    {
        Options = options;
    }

    /// <summary>The options in force (mutable while running).</summary>
    public FakeKrakenOptions Options { get; }

    /// <summary>Fault injection for OHLC and Trades requests.</summary>
    public FakeKrakenFaults Faults { get; } = new();

    /// <summary>Starts a server on 127.0.0.1 with a random free port.</summary>
    /// <param name="options">Behaviour; defaults as in <see cref="FakeKrakenOptions"/>.</param>
    /// <param name="cancellationToken">Cancels the start-up.</param>
    /// <exception cref="InvalidOperationException">Kestrel started but reported no address.</exception>
    public static Task<FakeKrakenServer> StartAsync(FakeKrakenOptions? options = null, CancellationToken cancellationToken = default) =>
        StartHostAsync(new FakeKrakenServer(options ?? new FakeKrakenOptions()), cancellationToken);

    /// <summary>
    /// Registers candles of a recorded pair (key <c>XXBTZUSD</c>, altname <c>XBTUSD</c> or wsname <c>XBT/USD</c>),
    /// served by OHLC (aggregated to the requested interval: open = first open, high = max, low = min, close = last
    /// close, volume and count summed, vwap = Σ close × volume / Σ volume to 8 decimals) and Ticker. Candles replace
    /// earlier ones with the same open time.
    /// </summary>
    /// <param name="pair">Pair key, altname or wsname.</param>
    /// <param name="candles">Candles of <paramref name="timeframe"/>; open times ms UTC on its boundaries.</param>
    /// <param name="timeframe">
    /// The candles' interval, 1m by default. A coarser series (e.g. the 1h futures file) serves intervals that are
    /// multiples of it; a finer interval gets only the row in progress (the fake holds nothing finer).
    /// </param>
    /// <exception cref="ArgumentException">The pair is not in the recorded AssetPairs, or a candle is not on a boundary of <paramref name="timeframe"/>.</exception>
    public void AddSeries(string pair, IReadOnlyList<Candle> candles, Timeframe? timeframe = null)
    {
        ArgumentNullException.ThrowIfNull(candles);
        var key = KeyOrThrow(pair);
        var tf = timeframe ?? Timeframe.OneMinute;
        if (tf.IsCalendar || tf.Unit is TimeframeUnit.Second or TimeframeUnit.Week)
        {
            throw new ArgumentException($"Series of {tf} cannot back Kraken's epoch-aligned intervals; use minutes, hours or days.", nameof(timeframe));
        }

        foreach (var c in candles)
        {
            if (!tf.IsAligned(c.OpenTime))
            {
                throw new ArgumentException($"A candle of '{pair}' opens at {TimeRange.FormatTime(c.OpenTime)}, not on a {tf} boundary.", nameof(candles));
            }
        }

        lock (_write)
        {
            var merged = new SortedDictionary<long, Candle>();
            foreach (var c in _series.GetValueOrDefault(key, []))
            {
                merged[c.OpenTime] = c;
            }

            foreach (var c in candles)
            {
                merged[c.OpenTime] = c;
            }

            _series[key] = [.. merged.Values];
            _seriesLength[key] = tf.ApproximateMilliseconds;
        }
    }

    /// <summary>
    /// Registers trades of a recorded pair, served by Trades. Ids must be decimal integers (Kraken's <c>trade_id</c>);
    /// a trade's time in ns is its ms timestamp × 1,000,000, so trades of one millisecond share one instant. A trade
    /// with an id already registered replaces it.
    /// </summary>
    /// <exception cref="ArgumentException">The pair is not in the recorded AssetPairs, or an id is not a decimal integer.</exception>
    public void AddTrades(string pair, IEnumerable<Trade> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);
        var key = KeyOrThrow(pair);
        var incoming = new List<FakeTrade>();
        foreach (var t in trades)
        {
            if (!long.TryParse(t.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new ArgumentException($"Trade id '{t.Id}' of '{pair}' is not a decimal integer; Kraken trade ids are.", nameof(trades));
            }

            incoming.Add(new FakeTrade(t.Timestamp * 1_000_000, id, t.Price, t.Amount, t.Side));
        }

        lock (_write)
        {
            var byId = new Dictionary<long, FakeTrade>();
            foreach (var t in _trades.GetValueOrDefault(key, []))
            {
                byId[t.Id] = t;
            }

            foreach (var t in incoming)
            {
                byId[t.Id] = t;
            }

            _trades[key] = [.. byId.Values.OrderBy(t => t.Ns).ThenBy(t => t.Id)];
        }
    }

    private string KeyOrThrow(string pair)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pair);
        return _capture.KeyOf(pair)
            ?? throw new ArgumentException($"'{pair}' is not a pair of the recorded AssetPairs (captures/KRAKEN.0); use its key (XXBTZUSD), altname (XBTUSD) or wsname (XBT/USD).", nameof(pair));
    }

    /// <inheritdoc/>
    /// <summary>The WebSocket side (a hub speaking <see cref="FakeKrakenStreamVenue"/>), or null (default) to serve REST only; set it before clients connect.</summary>
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
        var isData = path is OhlcPath or TradesPath;
        if (isData && Options.ResponseDelay > TimeSpan.Zero)
        {
            await Task.Delay(Options.ResponseDelay, Options.TimeProvider, cancellationToken);
        }

        FakeKrakenFault? fault = isData && Faults.TryTake(out var f) ? f : null;
        if (fault is { } failure && await FaultAsync(context, failure, cancellationToken))
        {
            log.Complete(0);
            return;
        }

        if (!path.StartsWith("/0/public/", StringComparison.Ordinal))
        {
            var body = Encoding.UTF8.GetBytes($"The fake Kraken server has no endpoint '{path}'.");
            await WriteAsync(context, 404, body, "text/plain", cancellationToken);
        }
        else if (fault is null && !TakeToken())
        {
            await EnvelopeErrorAsync(context, "EGeneral:Too many requests", cancellationToken);
        }
        else
        {
            var query = context.Request.Query;
            var answer = path switch
            {
                "/0/public/AssetPairs" => AssetPairs(query),
                "/0/public/Assets" => Answer.Ok(_capture.AssetsBody),
                "/0/public/Time" => Time(),
                OhlcPath => Ohlc(query, fault),
                TradesPath => TradesAnswer(query, fault),
                "/0/public/Ticker" => Ticker(query),
                _ => Answer.Fail("EGeneral:Unknown method"),
            };
            if (answer.Error is { } error)
            {
                await EnvelopeErrorAsync(context, error, cancellationToken);
            }
            else if (fault == FakeKrakenFault.TruncatedBody)
            {
                await TruncatedAsync(context, answer.Body!, cancellationToken);
            }
            else
            {
                await WriteAsync(context, 200, answer.Body!, JsonContentType, cancellationToken);
            }
        }
    }

    // Faults that replace the answer entirely; returns false for those that alter or cut the true answer.
    private async Task<bool> FaultAsync(HttpContext context, FakeKrakenFault fault, CancellationToken cancellationToken)
    {
        switch (fault)
        {
            case FakeKrakenFault.InternalServerError500:
                await EnvelopeErrorAsync(context, "EGeneral:Internal error", cancellationToken, 500);
                return true;
            case FakeKrakenFault.BadGateway502:
                await WriteAsync(context, 502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"u8.ToArray(), "text/html", cancellationToken);
                return true;
            case FakeKrakenFault.ServiceUnavailable:
                await EnvelopeErrorAsync(context, "EService:Unavailable", cancellationToken);
                return true;
            case FakeKrakenFault.ServiceBusy:
                await EnvelopeErrorAsync(context, "EService:Busy", cancellationToken);
                return true;
            case FakeKrakenFault.RateLimitExceeded:
                await EnvelopeErrorAsync(context, "EAPI:Rate limit exceeded", cancellationToken);
                return true;
            case FakeKrakenFault.TooManyRequests:
                await EnvelopeErrorAsync(context, "EGeneral:Too many requests", cancellationToken);
                return true;
            case FakeKrakenFault.Throttled:
                var until = Options.TimeProvider.GetUtcNow().AddSeconds(2).ToUnixTimeSeconds();
                await EnvelopeErrorAsync(context, "EService:Throttled: " + until.ToString(CultureInfo.InvariantCulture), cancellationToken);
                return true;
            case FakeKrakenFault.Http429:
                context.Response.Headers.RetryAfter = "1";
                await EnvelopeErrorAsync(context, "EGeneral:Too many requests", cancellationToken, 429);
                return true;
            case FakeKrakenFault.UnknownAssetPair:
                await EnvelopeErrorAsync(context, "EQuery:Unknown asset pair", cancellationToken);
                return true;
            case FakeKrakenFault.ConnectionReset:
                LogOf<Log>(context).Complete(0);
                context.Abort();
                return true;
            case FakeKrakenFault.MalformedJson:
                await WriteAsync(context, 200, "{\"error\":[],\"result\":{\"X\":[[1,\"a\""u8.ToArray(), JsonContentType, cancellationToken);
                return true;
            case FakeKrakenFault.Stall:
                LogOf<Log>(context).Complete(0);
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                return true;
            default:
                return false;
        }
    }

    private bool TakeToken()
    {
        var burst = Options.RateLimitBurst;
        if (burst <= 0)
        {
            return true;
        }

        var interval = Math.Max(1, (long)Options.RateLimitInterval.TotalMilliseconds);
        var now = Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_bucketGate)
        {
            if (double.IsNaN(_tokens))
            {
                _tokens = burst;
                _refilledAt = now;
            }

            _tokens = Math.Min(burst, _tokens + ((double)(now - _refilledAt) / interval));
            _refilledAt = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }

    private Answer AssetPairs(IQueryCollection query)
    {
        var wanted = query["pair"].ToString();
        if (wanted.Length == 0)
        {
            return Answer.Ok(_capture.Body);
        }

        var keys = new List<string>();
        foreach (var name in wanted.Split(','))
        {
            if (_capture.KeyOf(name.Trim()) is not { } key)
            {
                return Answer.Fail("EQuery:Unknown asset pair");
            }

            keys.Add(key);
        }

        return Answer.Ok(_capture.Filter(keys));
    }

    private Answer Time()
    {
        var now = Options.TimeProvider.GetUtcNow();
        return Json(w =>
        {
            w.WriteNumber("unixtime", now.ToUnixTimeSeconds());
            w.WriteString("rfc1123", now.ToString("R", CultureInfo.InvariantCulture));
        });
    }

    private Answer Ohlc(IQueryCollection query, FakeKrakenFault? fault)
    {
        if (ResolvePair(query) is not { } key)
        {
            return Answer.Fail(query["pair"].ToString().Length == 0 ? "EGeneral:Invalid arguments" : "EQuery:Unknown asset pair");
        }

        var intervalText = query["interval"].ToString();
        var interval = 1;
        if (intervalText.Length > 0 && (!int.TryParse(intervalText, NumberStyles.None, CultureInfo.InvariantCulture, out interval) || !Intervals.Contains(interval)))
        {
            return Answer.Fail("EGeneral:Invalid arguments:interval");
        }

        if (!TryLong(query, "since", out var since))
        {
            return Answer.Fail("EGeneral:Invalid arguments:since");
        }

        var length = interval * MinuteMs;
        var now = Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var current = FloorDiv(now, length) * length;
        var windowStart = current - ((Window - 1) * length);
        var from = Math.Max(windowStart, since is { } s ? ((s + 1) * 1000) : long.MinValue);
        var minutes = _series.GetValueOrDefault(key, []);
        if (length % _seriesLength.GetValueOrDefault(key, MinuteMs) != 0)
        {
            minutes = []; // nothing finer than the series is held
        }

        var rows = new List<(Candle Candle, decimal Vwap)>();
        var i = LowerBound(minutes, FloorDiv(from + length - 1, length) * length);
        while (i < minutes.Length && minutes[i].OpenTime < current)
        {
            var bucket = FloorDiv(minutes[i].OpenTime, length) * length;
            var j = i;
            while (j < minutes.Length && minutes[j].OpenTime < bucket + length)
            {
                j++;
            }

            rows.Add(Aggregate(minutes.AsSpan(i, j - i), bucket));
            i = j;
        }

        // The interval in progress: what exists of it up to now, else a flat row at the last close.
        var k = LowerBound(minutes, current);
        var end = k;
        while (end < minutes.Length && minutes[end].OpenTime <= now && minutes[end].OpenTime < current + length)
        {
            end++;
        }

        if (end > k)
        {
            rows.Add(Aggregate(minutes.AsSpan(k, end - k), current));
        }
        else
        {
            var close = k > 0 ? minutes[k - 1].Close : 0m;
            rows.Add((new Candle(current, close, close, close, close, 0, 0, 0), 0m));
        }

        switch (fault)
        {
            case FakeKrakenFault.NewestFirst:
                rows.Reverse();
                break;
            case FakeKrakenFault.RepeatedBoundaryRow when rows.Count > 0:
                rows.Insert(0, rows[0]);
                break;
            case FakeKrakenFault.ShortPage:
                rows.Clear();
                break;
        }

        var decimals = _capture.PriceDecimals(key);
        return Json(w =>
        {
            w.WriteStartArray(key);
            foreach (var (c, vwap) in rows)
            {
                w.WriteStartArray();
                w.WriteNumberValue(c.OpenTime / 1000);
                w.WriteStringValue(Price(c.Open, decimals));
                w.WriteStringValue(Price(c.High, decimals));
                w.WriteStringValue(Price(c.Low, decimals));
                w.WriteStringValue(Price(c.Close, decimals));
                w.WriteStringValue(Price(vwap, decimals));
                w.WriteStringValue(Pad(c.Volume, 8));
                w.WriteNumberValue(c.TradeCount ?? 0);
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteNumber("last", (current - length) / 1000);
        });
    }

    private Answer TradesAnswer(IQueryCollection query, FakeKrakenFault? fault)
    {
        if (ResolvePair(query) is not { } key)
        {
            return Answer.Fail(query["pair"].ToString().Length == 0 ? "EGeneral:Invalid arguments" : "EQuery:Unknown asset pair");
        }

        if (!TryLong(query, "since", out var sinceRaw) || sinceRaw < 0)
        {
            return Answer.Fail("EGeneral:Invalid arguments:since");
        }

        if (!TryLong(query, "count", out var countRaw) || countRaw is < 1 or > 1000)
        {
            return Answer.Fail("EGeneral:Invalid arguments:count");
        }

        var count = (int)(countRaw ?? 1000);
        var all = _trades.GetValueOrDefault(key, []);
        long? since = sinceRaw is { } raw ? (raw < 10_000_000_000 ? raw * 1_000_000_000 : raw) : null;
        int first;
        if (since is { } ns)
        {
            first = UpperBound(all, ns);
        }
        else
        {
            first = Math.Max(0, all.Length - count);
        }

        var taken = Math.Min(count, all.Length - first);
        var page = all.AsSpan(first, taken).ToArray().ToList();
        switch (fault)
        {
            case FakeKrakenFault.NewestFirst:
                page.Reverse();
                break;
            case FakeKrakenFault.RepeatedBoundaryRow when first > 0:
                page.Insert(0, all[first - 1]);
                break;
            case FakeKrakenFault.ShortPage when page.Count > 1:
                page.RemoveRange(page.Count / 2, page.Count - (page.Count / 2));
                break;
        }

        var last = page.Count > 0 ? page.Max(t => t.Ns) : since ?? 0;
        var decimals = _capture.PriceDecimals(key);
        return Json(w =>
        {
            w.WriteStartArray(key);
            foreach (var t in page)
            {
                w.WriteStartArray();
                w.WriteStringValue(Price(t.Price, decimals));
                w.WriteStringValue(Pad(t.Volume, 8));
                w.WriteRawValue(Seconds(t.Ns), skipInputValidation: true);
                w.WriteStringValue(t.Side switch { TradeSide.Buy => "b", TradeSide.Sell => "s", _ => "" });
                w.WriteStringValue("l");
                w.WriteStringValue("");
                w.WriteNumberValue(t.Id);
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteString("last", last.ToString(CultureInfo.InvariantCulture));
        });
    }

    private Answer Ticker(IQueryCollection query)
    {
        var wanted = query["pair"].ToString();
        List<string> keys;
        if (wanted.Length == 0)
        {
            keys = [.. _series.Keys.Union(_trades.Keys).OrderBy(k => k, StringComparer.Ordinal)];
        }
        else
        {
            keys = [];
            foreach (var name in wanted.Split(','))
            {
                if (_capture.KeyOf(name.Trim()) is not { } key)
                {
                    return Answer.Fail("EQuery:Unknown asset pair");
                }

                keys.Add(key);
            }
        }

        var now = Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var midnight = FloorDiv(now, 86_400_000) * 86_400_000;
        return Json(w =>
        {
            foreach (var key in keys)
            {
                var minutes = _series.GetValueOrDefault(key, []);
                var end = LowerBound(minutes, now + 1);
                var dayFrom = LowerBound(minutes, now - 86_400_000);
                var todayFrom = LowerBound(minutes, midnight);
                var decimals = _capture.PriceDecimals(key);
                var day = Stats(minutes.AsSpan(dayFrom, end - dayFrom));
                var today = Stats(minutes.AsSpan(Math.Min(todayFrom, end), end - Math.Min(todayFrom, end)));
                var last = end > 0 ? minutes[end - 1] : default;
                var open = todayFrom < end ? minutes[todayFrom].Open : last.Close;
                w.WriteStartObject(key);
                Strings(w, "a", Price(last.Close, decimals), "1", "1.000");
                Strings(w, "b", Price(last.Close, decimals), "1", "1.000");
                Strings(w, "c", Price(last.Close, decimals), Pad(last.Volume, 8));
                Strings(w, "v", Pad(today.Volume, 8), Pad(day.Volume, 8));
                Strings(w, "p", Price(today.Vwap, decimals), Price(day.Vwap, decimals));
                w.WriteStartArray("t");
                w.WriteNumberValue(today.Count);
                w.WriteNumberValue(day.Count);
                w.WriteEndArray();
                Strings(w, "l", Price(today.Low, decimals), Price(day.Low, decimals));
                Strings(w, "h", Price(today.High, decimals), Price(day.High, decimals));
                w.WriteString("o", Price(open, decimals));
                w.WriteEndObject();
            }
        });

        static void Strings(Utf8JsonWriter w, string name, params string[] values)
        {
            w.WriteStartArray(name);
            foreach (var v in values)
            {
                w.WriteStringValue(v);
            }

            w.WriteEndArray();
        }

        static (decimal Volume, decimal Vwap, long Count, decimal Low, decimal High) Stats(ReadOnlySpan<Candle> candles)
        {
            if (candles.IsEmpty)
            {
                return (0, 0, 0, 0, 0);
            }

            var (c, vwap) = Aggregate(candles, candles[0].OpenTime);
            return (c.Volume, vwap, c.TradeCount ?? 0, c.Low, c.High);
        }
    }

    private string? ResolvePair(IQueryCollection query)
    {
        var name = query["pair"].ToString();
        return name.Length == 0 ? null : _capture.KeyOf(name);
    }

    private static (Candle Candle, decimal Vwap) Aggregate(ReadOnlySpan<Candle> minutes, long openTime)
    {
        var first = minutes[0];
        decimal high = first.High, low = first.Low, volume = 0, weighted = 0;
        long count = 0;
        foreach (ref readonly var c in minutes)
        {
            high = Math.Max(high, c.High);
            low = Math.Min(low, c.Low);
            volume += c.Volume;
            weighted += c.Close * c.Volume;
            count += c.TradeCount.GetValueOrDefault();
        }

        var vwap = volume == 0 ? 0 : decimal.Round(weighted / volume, 8, MidpointRounding.AwayFromZero);
        return (new Candle(openTime, first.Open, high, low, minutes[^1].Close, volume, null, count), vwap);
    }

    private static Answer Json(Action<Utf8JsonWriter> writeResult)
    {
        var output = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("error");
            writer.WriteEndArray();
            writer.WriteStartObject("result");
            writeResult(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Answer.Ok(output.WrittenSpan.ToArray());
    }

    /// <summary>A price with at least <paramref name="decimals"/> decimals (Kraken pads to the pair's <c>pair_decimals</c>), never rounded.</summary>
    internal static string Price(decimal value, int decimals) => Pad(value, decimals);

    /// <summary>The exact decimal text, zero-padded to at least <paramref name="decimals"/> decimals.</summary>
    internal static string Pad(decimal value, int decimals)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var have = dot < 0 ? 0 : text.Length - dot - 1;
        if (have >= decimals)
        {
            return text;
        }

        return (dot < 0 ? text + "." : text) + new string('0', decimals - have);
    }

    // ns since the epoch as Kraken writes trade times: seconds with the fraction, e.g. 1688669597.8277369.
    private static string Seconds(long ns)
    {
        var whole = ns / 1_000_000_000;
        var fraction = (ns % 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        return whole.ToString(CultureInfo.InvariantCulture) + "." + (fraction.Length == 0 ? "0" : fraction);
    }

    private static bool TryLong(IQueryCollection query, string name, out long? value)
    {
        value = null;
        var raw = query[name].ToString();
        if (raw.Length == 0)
        {
            return true;
        }

        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b) < 0 ? 1 : 0);

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

    private static int UpperBound(FakeTrade[] trades, long ns)
    {
        int lo = 0, hi = trades.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (trades[mid].Ns <= ns)
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

    private static async Task EnvelopeErrorAsync(HttpContext context, string error, CancellationToken cancellationToken, int status = 200)
    {
        LogOf<Log>(context).Error = error;
        var output = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("error");
            writer.WriteStringValue(error);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await WriteAsync(context, status, output.WrittenSpan.ToArray(), JsonContentType, cancellationToken);
    }

    // 200 with the Content-Length of the whole answer, half of its bytes, then the connection closes (FIN).
    private static async Task TruncatedAsync(HttpContext context, byte[] body, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = JsonContentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }

    private static async Task WriteAsync(HttpContext context, int status, byte[] body, string contentType, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, cancellationToken);
    }

    private readonly record struct FakeTrade(long Ns, long Id, decimal Price, decimal Volume, TradeSide Side);

    private readonly record struct Answer(byte[]? Body, string? Error)
    {
        public static Answer Ok(byte[] body) => new(body, null);

        public static Answer Fail(string error) => new(null, error);
    }

    /// <summary>What is known of one request until it is recorded.</summary>
    private sealed class Log : RequestLog
    {
        /// <summary>The Kraken error sent, if any.</summary>
        public string? Error { get; set; }

        protected override FakeKrakenRequest ToRecord(int status) => new(Path, Query, status, Error, Arrived);
    }
}
