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

namespace Coinlake.Testing.Bybit;

/// <summary>
/// A fake Bybit API v5 REST host on loopback (Kestrel, 127.0.0.1, a random port) with the documented semantics
/// (bybit-exchange.github.io/docs/v5), for offline tests and benchmarks:
/// <list type="bullet">
/// <item>Envelope <c>{"retCode":0,"retMsg":"OK","result":{...},"retExtInfo":{},"time":ms}</c>; errors are HTTP 200
/// with <c>retCode</c> 10001 (parameter error: missing/invalid category, symbol, interval, start, end, limit, cursor;
/// "Not supported symbols" for an unknown symbol). Messages are the fake's own wording.</item>
/// <item><c>GET /v5/market/instruments-info</c> ("Get Instruments Info"): <c>category</c> required; <c>symbol</c>,
/// <c>status</c> (default: <c>Trading</c> only), <c>limit</c> [1,1000] default 500 (capped at
/// <see cref="FakeBybitOptions.MaxInstrumentsPageSize"/>) and <c>cursor</c> (<c>nextPageCursor</c>, percent-encoded as
/// Bybit's is) for linear/inverse; spot is one unpaged answer. Instruments are rebuilt from the recorded
/// <c>captures/BYBIT.0</c> (<see cref="FakeBybitInstrument.FromCapture"/>) plus <see cref="AddInstrument"/>.</item>
/// <item><c>GET /v5/market/kline</c> (category spot/linear/inverse, default linear), <c>/v5/market/mark-price-kline</c>
/// and <c>/v5/market/index-price-kline</c> (linear/inverse): <c>interval</c> 1 3 5 15 30 60 120 240 360 720 D W M;
/// <c>start</c>/<c>end</c> inclusive bounds on the start time; <c>limit</c> [1,1000] default 200. The answer is the
/// newest <c>limit</c> candles of <c>[start, end]</c>, NEWEST FIRST ("Sort in reverse by startTime"); candles opening
/// after now do not exist yet and the candle containing now is served (in progress). Rows are strings:
/// <c>[startTime, open, high, low, close, volume, turnover]</c> (inverse: volume in the quote coin, turnover in the
/// base coin), mark/index rows <c>[startTime, open, high, low, close]</c>. Decimals are rendered without trailing
/// zeros, as Bybit does (<c>"17055.5"</c>).</item>
/// <item><c>GET /v5/market/recent-trade</c>: the newest <c>limit</c> trades (spot [1,60] default 60, others [1,1000]
/// default 500) at or before now, newest first.</item>
/// <item><c>GET /v5/market/tickers</c>: for every instrument with a registered last-price series (or the one
/// <c>symbol</c>), computed from its 1m candles of the 24 h up to now: <c>lastPrice</c> = last close,
/// <c>prevPrice24h</c> = first open, high/low, <c>volume24h</c>/<c>turnover24h</c> summed (swapped for inverse, as
/// Bybit's units are), <c>price24hPcnt</c> = (last − prev) / prev rounded to 6 decimals, <c>bid1Price</c> = last,
/// <c>ask1Price</c> = last + tick size.</item>
/// <item><c>GET /v5/market/time</c>.</item>
/// <item>IP limit ("Rate Limit Rules"): <see cref="FakeBybitOptions.RequestLimit"/> requests per
/// <see cref="FakeBybitOptions.RequestWindow"/>; beyond, HTTP 403 "access too frequent" and every request refused with
/// 403 for <see cref="FakeBybitOptions.BanDuration"/>.</item>
/// <item>Fault injection through <see cref="Faults"/>.</item>
/// </list>
/// Series are registered with <see cref="AddSeries"/> as 1m candles; higher intervals are aggregated on request. Many
/// servers can run in parallel; dispose to stop.
/// </summary>
public sealed partial class FakeBybitServer : FakeServerBase<FakeBybitRequest>
{
    /// <summary>Header with the time (ms UTC) an exceeded API rate limit resets.</summary>
    public const string LimitResetHeader = "X-Bapi-Limit-Reset-Timestamp";

    private const string JsonContentType = "application/json; charset=utf-8";
    private const long Minute = 60_000;

    private static readonly Dictionary<string, Timeframe> Intervals = new(StringComparer.Ordinal)
    {
        ["1"] = Timeframe.Parse("1m"), ["3"] = Timeframe.Parse("3m"), ["5"] = Timeframe.Parse("5m"), ["15"] = Timeframe.Parse("15m"),
        ["30"] = Timeframe.Parse("30m"), ["60"] = Timeframe.Parse("1h"), ["120"] = Timeframe.Parse("2h"), ["240"] = Timeframe.Parse("4h"),
        ["360"] = Timeframe.Parse("6h"), ["720"] = Timeframe.Parse("12h"), ["D"] = Timeframe.Parse("1d"), ["W"] = Timeframe.Parse("1w"),
        ["M"] = Timeframe.Parse("1M"),
    };

    private readonly KlineStore _store = new();
    private readonly ConcurrentDictionary<(FakeBybitCategory, string), Trade[]> _trades = new();
    private readonly Lock _instrumentsGate = new();
    private readonly Dictionary<FakeBybitCategory, List<FakeBybitInstrument>> _instruments;
    private readonly Lock _limitGate = new();
    private long _windowStart = long.MinValue;
    private int _windowCount;
    private long _bannedUntil = long.MinValue;

    private FakeBybitServer(FakeBybitOptions options)
    {
        Options = options;
        _instruments = FakeBybitInstrument.FromCapture().ToDictionary(kv => kv.Key, kv => kv.Value.ToList());
    }

    /// <summary>The options in force (mutable while running).</summary>
    public FakeBybitOptions Options { get; }

    /// <summary>Fault injection for market-data requests.</summary>
    public FakeBybitFaults Faults { get; } = new();

    /// <summary>The instruments each category lists (recorded ones plus added ones), a snapshot.</summary>
    public IReadOnlyList<FakeBybitInstrument> Instruments(FakeBybitCategory category)
    {
        lock (_instrumentsGate)
        {
            return [.. _instruments[category]];
        }
    }

    /// <summary>Starts a server on 127.0.0.1 with a random free port.</summary>
    /// <param name="options">Behaviour; defaults as in <see cref="FakeBybitOptions"/>.</param>
    /// <param name="cancellationToken">Cancels the start-up.</param>
    /// <exception cref="FileNotFoundException">The recorded instruments (<c>captures/BYBIT.0</c>) are absent.</exception>
    public static Task<FakeBybitServer> StartAsync(FakeBybitOptions? options = null, CancellationToken cancellationToken = default) =>
        StartHostAsync(new FakeBybitServer(options ?? new FakeBybitOptions()), cancellationToken);

    /// <summary>Lists one more instrument in <paramref name="category"/> (replacing one with the same symbol).</summary>
    public void AddInstrument(FakeBybitCategory category, FakeBybitInstrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        lock (_instrumentsGate)
        {
            var list = _instruments[category];
            list.RemoveAll(i => string.Equals(i.Symbol, instrument.Symbol, StringComparison.Ordinal));
            list.Add(instrument);
        }
    }

    /// <summary>
    /// Registers 1m candles of an instrument (<c>BTCUSDT</c>, <c>BTCUSD</c> ...) in a category, for the kline endpoint
    /// (<see cref="PriceType.Last"/>), <c>mark-price-kline</c> (<see cref="PriceType.Mark"/>) or
    /// <c>index-price-kline</c> (<see cref="PriceType.Index"/>). Candles replace earlier ones with the same open time.
    /// Volume is in the base coin; where a candle has no quote volume the server serves volume × close rounded half away
    /// from zero to 8 decimals. Higher intervals aggregate these (first open, max high, min low, last close, summed
    /// volumes; buckets as <see cref="Timeframe.Floor"/>; a bucket without any 1m candle does not exist).
    /// </summary>
    /// <exception cref="ArgumentException">A candle is not on a minute boundary, or a spot series is not last-price.</exception>
    public void AddSeries(FakeBybitCategory category, string symbolId, IReadOnlyList<Candle> oneMinute, PriceType price = PriceType.Last)
    {
        if (category == FakeBybitCategory.Spot && price != PriceType.Last)
        {
            throw new ArgumentException($"Bybit spot has only last-price klines; register {price} series of '{symbolId}' as linear or inverse.", nameof(price));
        }

        _store.Add(Key(category, symbolId), Market(category), price, oneMinute);
    }

    /// <summary>Removes the 1m candles of a series whose open time is in <paramref name="range"/>, for every price type (makes gaps).</summary>
    public void RemoveCandles(FakeBybitCategory category, string symbolId, TimeRange range) =>
        _store.Remove(Key(category, symbolId), Market(category), range, null);

    /// <summary>Registers the public trades of an instrument (any order; kept sorted by time then as given).</summary>
    public void AddTrades(FakeBybitCategory category, string symbolId, IReadOnlyList<Trade> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);
        _trades[(category, symbolId)] = [.. trades.Select((t, i) => (t, i)).OrderBy(x => x.t.Timestamp).ThenBy(x => x.i).Select(x => x.t)];
    }

    private static string Key(FakeBybitCategory category, string symbolId) => $"{Name(category)}:{symbolId}";

    private static FakeMarket Market(FakeBybitCategory category) => category == FakeBybitCategory.Spot ? FakeMarket.Spot : FakeMarket.Futures;

    private static string Name(FakeBybitCategory category) => category switch
    {
        FakeBybitCategory.Spot => "spot",
        FakeBybitCategory.Linear => "linear",
        _ => "inverse",
    };

    private static FakeBybitCategory? ParseCategory(string? text) => text switch
    {
        "spot" => FakeBybitCategory.Spot,
        "linear" => FakeBybitCategory.Linear,
        "inverse" => FakeBybitCategory.Inverse,
        _ => null,
    };

    private long Now() => Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    protected override TimeProvider Clock => Options.TimeProvider;

    /// <inheritdoc/>
    protected override RequestLog CreateLog() => new Log();

    /// <inheritdoc/>
    protected override async Task HandleAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var path = context.Request.Path.Value ?? "";
        var log = LogOf<Log>(context);
        if (!Admit())
        {
            var body = "access too frequent"u8.ToArray();
            await WriteAsync(context, StatusCodes.Status403Forbidden, body, body.Length, "text/plain", cancellationToken);
        }
        else
        {
            var marketData = path is "/v5/market/kline" or "/v5/market/mark-price-kline" or "/v5/market/index-price-kline"
                or "/v5/market/recent-trade" or "/v5/market/tickers";
            if (marketData && Options.ResponseDelay > TimeSpan.Zero)
            {
                await Task.Delay(Options.ResponseDelay, Options.TimeProvider, cancellationToken);
            }

            FakeBybitFault? fault = marketData && Faults.TryTake(out var f) ? f : null;
            if (fault is { } injected && injected is not (FakeBybitFault.CappedPage or FakeBybitFault.RepeatedBoundaryCandles or FakeBybitFault.TruncatedBody))
            {
                await FaultAsync(context, injected, cancellationToken);
            }
            else
            {
                Answer? answer = path switch
                {
                    "/v5/market/kline" => Klines(context.Request.Query, PriceType.Last, fault),
                    "/v5/market/mark-price-kline" => Klines(context.Request.Query, PriceType.Mark, fault),
                    "/v5/market/index-price-kline" => Klines(context.Request.Query, PriceType.Index, fault),
                    "/v5/market/instruments-info" => InstrumentsInfo(context.Request.Query),
                    "/v5/market/recent-trade" => RecentTrades(context.Request.Query),
                    "/v5/market/tickers" => Tickers(context.Request.Query),
                    "/v5/market/time" => Envelope(0, "OK", w =>
                    {
                        var now = Now();
                        w.WriteString("timeSecond", (now / 1000).ToString(CultureInfo.InvariantCulture));
                        w.WriteString("timeNano", (now * 1_000_000).ToString(CultureInfo.InvariantCulture));
                    }),
                    _ => (Answer?)null,
                };
                if (answer is null)
                {
                    var body = Encoding.UTF8.GetBytes($"The fake Bybit server has no endpoint '{path}'.");
                    await WriteAsync(context, StatusCodes.Status404NotFound, body, body.Length, "text/plain", cancellationToken);
                }
                else if (fault == FakeBybitFault.TruncatedBody)
                {
                    await TruncatedAsync(context, answer.Value, cancellationToken);
                }
                else
                {
                    log.RetCode = answer.Value.RetCode;
                    await WriteAsync(context, 200, answer.Value.Body, answer.Value.Body.Length, JsonContentType, cancellationToken);
                }
            }
        }
    }

    /// <summary>Counts a request in the IP window; false when the IP is (or now becomes) banned.</summary>
    private bool Admit()
    {
        var limit = Options.RequestLimit;
        var window = (long)Options.RequestWindow.TotalMilliseconds;
        var now = Now();
        lock (_limitGate)
        {
            if (now < _bannedUntil)
            {
                return false;
            }

            if (limit <= 0 || window <= 0)
            {
                return true;
            }

            var start = now - (((now % window) + window) % window);
            if (start != _windowStart)
            {
                _windowStart = start;
                _windowCount = 0;
            }

            if (++_windowCount <= limit)
            {
                return true;
            }

            _bannedUntil = now + (long)Options.BanDuration.TotalMilliseconds;
            _windowCount = 0; // counting starts afresh when the ban is lifted
            return false;
        }
    }

    private Answer Klines(IQueryCollection query, PriceType price, FakeBybitFault? fault)
    {
        var categoryText = query.TryGetValue("category", out var c) && c.ToString().Length > 0 ? c.ToString() : "linear";
        var category = ParseCategory(categoryText);
        if (category is null || (price != PriceType.Last && category == FakeBybitCategory.Spot))
        {
            return Error(10001, $"params error: category '{categoryText}' is not supported by this endpoint");
        }

        var symbol = query["symbol"].ToString();
        if (symbol.Length == 0)
        {
            return Error(10001, "params error: symbol is required");
        }

        if (!Lists(category.Value, symbol) && !_store.IsRegistered(Key(category.Value, symbol), Market(category.Value)))
        {
            return Error(10001, "Not supported symbols");
        }

        if (!Intervals.TryGetValue(query["interval"].ToString(), out var timeframe))
        {
            return Error(10001, "Invalid period!");
        }

        if (!TryLong(query, "start", out var start) || !TryLong(query, "end", out var end))
        {
            return Error(10001, "params error: start and end must be integers (ms)");
        }

        if (!TryLong(query, "limit", out var limitValue) || limitValue is < 1 or > 1000)
        {
            return Error(10001, "params error: limit must be in [1, 1000]");
        }

        var limit = (int)(limitValue ?? 200);
        var minutes = _store.Get(Key(category.Value, symbol), Market(category.Value), price);
        var now = Now();
        var to = Math.Min(end ?? long.MaxValue, now);
        var from = start ?? long.MinValue;
        var scratch = new Candle[limit + 2];
        var rows = from > to ? Array.Empty<Candle>() : KlineStore.Query(minutes, timeframe, null, to, limit + 1, scratch).ToArray();

        // rows: ascending; the newest `limit` of [from, to], plus one older neighbour (for RepeatedBoundaryCandles).
        var inRange = rows.Where(r => r.OpenTime >= from).TakeLast(limit).ToList();
        if (fault == FakeBybitFault.CappedPage)
        {
            inRange = [.. inRange.TakeLast(Math.Max(1, Options.CappedPageSize))];
        }
        else if (fault == FakeBybitFault.RepeatedBoundaryCandles)
        {
            var boundary = inRange.Count > 0 ? inRange[0].OpenTime : from;
            var olderIndex = Array.FindLastIndex(rows, r => r.OpenTime < boundary);
            if (olderIndex >= 0)
            {
                inRange.Insert(0, rows[olderIndex]);
            }

            if (end is { } e && inRange.Count > 0)
            {
                var newer = KlineStore.Query(minutes, timeframe, timeframe.Next(timeframe.Floor(e)), now, 1, new Candle[1]).ToArray();
                if (newer.Length == 1 && newer[0].OpenTime > e)
                {
                    inRange.Add(newer[0]);
                }
            }
        }

        var inverse = category == FakeBybitCategory.Inverse;
        return Envelope(0, "OK", w =>
        {
            w.WriteString("symbol", symbol);
            w.WriteString("category", Name(category.Value));
            w.WriteStartArray("list");
            for (var i = inRange.Count - 1; i >= 0; i--)
            {
                var k = inRange[i];
                w.WriteStartArray();
                w.WriteStringValue(k.OpenTime.ToString(CultureInfo.InvariantCulture));
                w.WriteStringValue(Format(k.Open));
                w.WriteStringValue(Format(k.High));
                w.WriteStringValue(Format(k.Low));
                w.WriteStringValue(Format(k.Close));
                if (price == PriceType.Last)
                {
                    var quote = k.QuoteVolume ?? decimal.Round(k.Volume * k.Close, 8, MidpointRounding.AwayFromZero);
                    w.WriteStringValue(Format(inverse ? quote : k.Volume));
                    w.WriteStringValue(Format(inverse ? k.Volume : quote));
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
        });
    }

    private Answer InstrumentsInfo(IQueryCollection query)
    {
        var category = ParseCategory(query["category"].ToString());
        if (category is null)
        {
            return Error(10001, "params error: category is required (spot, linear, inverse)");
        }

        var status = query.TryGetValue("status", out var s) && s.ToString().Length > 0 ? s.ToString() : "Trading";
        var symbol = query["symbol"].ToString();
        List<FakeBybitInstrument> list;
        lock (_instrumentsGate)
        {
            list = [.. _instruments[category.Value].Where(i => string.Equals(i.Status, status, StringComparison.Ordinal)
                && (symbol.Length == 0 || string.Equals(i.Symbol, symbol, StringComparison.Ordinal)))];
        }

        var offset = 0;
        string? next = null;
        if (category != FakeBybitCategory.Spot)
        {
            if (!TryLong(query, "limit", out var limit) || limit is < 1 or > 1000)
            {
                return Error(10001, "params error: limit must be in [1, 1000]");
            }

            var cursor = query["cursor"].ToString();
            if (cursor.Length > 0)
            {
                var decoded = cursor;
                for (var i = 0; i < 3 && !decoded.Contains("last=", StringComparison.Ordinal); i++)
                {
                    decoded = Uri.UnescapeDataString(decoded);
                }

                var last = decoded.Contains("last=", StringComparison.Ordinal) ? decoded[(decoded.IndexOf("last=", StringComparison.Ordinal) + 5)..] : "";
                var index = list.FindIndex(i => string.Equals(i.Symbol, last, StringComparison.Ordinal));
                if (index < 0)
                {
                    return Error(10001, "params error: invalid cursor");
                }

                offset = index + 1;
            }

            var size = (int)Math.Min(limit ?? 500, Math.Max(1, Options.MaxInstrumentsPageSize));
            var page = list.Skip(offset).Take(size).ToList();
            if (offset + page.Count < list.Count && page.Count > 0)
            {
                next = Uri.EscapeDataString($"first={page[0].Symbol}&last={page[^1].Symbol}");
            }

            list = page;
        }

        return Envelope(0, "OK", w =>
        {
            w.WriteString("category", Name(category.Value));
            w.WriteStartArray("list");
            for (var i = 0; i < list.Count; i++)
            {
                list[i].WriteTo(w, category.Value, offset + i + 1);
            }

            w.WriteEndArray();
            if (category != FakeBybitCategory.Spot)
            {
                w.WriteString("nextPageCursor", next ?? "");
            }
        });
    }

    private Answer RecentTrades(IQueryCollection query)
    {
        var category = ParseCategory(query["category"].ToString());
        if (category is null)
        {
            return Error(10001, "params error: category is required (spot, linear, inverse)");
        }

        var symbol = query["symbol"].ToString();
        if (symbol.Length == 0)
        {
            return Error(10001, "params error: symbol is required for spot, linear and inverse");
        }

        if (!Lists(category.Value, symbol) && !_trades.ContainsKey((category.Value, symbol)))
        {
            return Error(10001, "Not supported symbols");
        }

        var max = category == FakeBybitCategory.Spot ? 60 : 1000;
        if (!TryLong(query, "limit", out var limitValue) || limitValue < 1 || limitValue > max)
        {
            return Error(10001, $"params error: limit must be in [1, {max}]");
        }

        var limit = (int)(limitValue ?? (category == FakeBybitCategory.Spot ? 60 : 500));
        var now = Now();
        var trades = _trades.TryGetValue((category.Value, symbol), out var all) ? all : [];
        var upTo = UpperBound(trades, now);
        var from = Math.Max(0, upTo - limit);
        return Envelope(0, "OK", w =>
        {
            w.WriteString("category", Name(category.Value));
            w.WriteStartArray("list");
            for (var i = upTo - 1; i >= from; i--)
            {
                var t = trades[i];
                w.WriteStartObject();
                w.WriteString("execId", t.Id);
                w.WriteString("symbol", symbol);
                w.WriteString("price", Format(t.Price));
                w.WriteString("size", Format(t.Amount));
                w.WriteString("side", t.Side == TradeSide.Sell ? "Sell" : "Buy");
                w.WriteString("time", t.Timestamp.ToString(CultureInfo.InvariantCulture));
                w.WriteBoolean("isBlockTrade", false);
                w.WriteBoolean("isRPITrade", false);
                w.WriteString("seq", (i + 1).ToString(CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });

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

    private Answer Tickers(IQueryCollection query)
    {
        var category = ParseCategory(query["category"].ToString());
        if (category is null)
        {
            return Error(10001, "params error: category is required (spot, linear, inverse, option)");
        }

        var symbol = query["symbol"].ToString();
        if (symbol.Length > 0 && !Lists(category.Value, symbol))
        {
            return Error(10001, "Not supported symbols");
        }

        var instruments = Instruments(category.Value).Where(i => symbol.Length == 0 || string.Equals(i.Symbol, symbol, StringComparison.Ordinal));
        var now = Now();
        var window = new TimeRange(now - (24 * 60 * Minute), now + 1);
        var inverse = category == FakeBybitCategory.Inverse;
        return Envelope(0, "OK", w =>
        {
            w.WriteString("category", Name(category.Value));
            w.WriteStartArray("list");
            foreach (var instrument in instruments)
            {
                var minutes = _store.Get(Key(category.Value, instrument.Symbol), Market(category.Value), PriceType.Last)
                    .Where(m => window.Contains(m.OpenTime)).ToList();
                if (minutes.Count == 0)
                {
                    continue;
                }

                var last = minutes[^1].Close;
                var prev = minutes[0].Open;
                var volume = minutes.Sum(m => m.Volume);
                var turnover = minutes.Sum(m => m.QuoteVolume ?? decimal.Round(m.Volume * m.Close, 8, MidpointRounding.AwayFromZero));
                var tick = decimal.Parse(instrument.TickSize, CultureInfo.InvariantCulture);
                w.WriteStartObject();
                w.WriteString("symbol", instrument.Symbol);
                w.WriteString("lastPrice", Format(last));
                w.WriteString("bid1Price", Format(last));
                w.WriteString("bid1Size", "1");
                w.WriteString("ask1Price", Format(last + tick));
                w.WriteString("ask1Size", "1");
                w.WriteString("prevPrice24h", Format(prev));
                w.WriteString("price24hPcnt", Format(prev == 0 ? 0 : decimal.Round((last - prev) / prev, 6, MidpointRounding.AwayFromZero)));
                w.WriteString("highPrice24h", Format(minutes.Max(m => m.High)));
                w.WriteString("lowPrice24h", Format(minutes.Min(m => m.Low)));
                w.WriteString("turnover24h", Format(inverse ? volume : turnover));
                w.WriteString("volume24h", Format(inverse ? turnover : volume));
                if (category != FakeBybitCategory.Spot)
                {
                    w.WriteString("indexPrice", Format(last));
                    w.WriteString("markPrice", Format(last));
                    w.WriteString("fundingRate", instrument.DeliveryTime > 0 ? "" : "0.0001");
                    w.WriteString("deliveryTime", instrument.DeliveryTime.ToString(CultureInfo.InvariantCulture));
                    w.WriteString("basis", "");
                }
                else
                {
                    w.WriteString("usdIndexPrice", Format(last));
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private bool Lists(FakeBybitCategory category, string symbol)
    {
        lock (_instrumentsGate)
        {
            return _instruments[category].Exists(i => string.Equals(i.Symbol, symbol, StringComparison.Ordinal));
        }
    }

    /// <summary>A decimal as Bybit writes it: invariant, no exponent, no trailing zeros (<c>17055.5</c>, <c>17071</c>).</summary>
    internal static string Format(decimal value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (text.Contains('.', StringComparison.Ordinal))
        {
            text = text.TrimEnd('0').TrimEnd('.');
        }

        return text.Length == 0 || text == "-" ? "0" : text;
    }

    private static bool TryLong(IQueryCollection query, string name, out long? value)
    {
        value = null;
        if (!query.TryGetValue(name, out var raw) || raw.ToString().Length == 0)
        {
            return true;
        }

        if (long.TryParse(raw.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private Answer Envelope(int retCode, string retMsg, Action<Utf8JsonWriter>? writeResult)
    {
        var output = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteNumber("retCode", retCode);
            w.WriteString("retMsg", retMsg);
            w.WriteStartObject("result");
            writeResult?.Invoke(w);
            w.WriteEndObject();
            w.WriteStartObject("retExtInfo");
            w.WriteEndObject();
            w.WriteNumber("time", Now());
            w.WriteEndObject();
        }

        return new Answer(output.WrittenSpan.ToArray(), retCode);
    }

    private Answer Error(int retCode, string retMsg) => Envelope(retCode, retMsg, null);

    private async Task FaultAsync(HttpContext context, FakeBybitFault fault, CancellationToken cancellationToken)
    {
        var log = LogOf<Log>(context);
        switch (fault)
        {
            case FakeBybitFault.ServerError10016:
            case FakeBybitFault.ServerTimeout10000:
                var (code, message) = fault == FakeBybitFault.ServerError10016 ? (10016, "Internal server error.") : (10000, "Server Timeout");
                var error = Error(code, message);
                log.RetCode = code;
                await WriteAsync(context, 200, error.Body, error.Body.Length, JsonContentType, cancellationToken);
                return;
            case FakeBybitFault.TooManyVisits10006:
                var visits = Error(10006, "Too many visits!");
                log.RetCode = 10006;
                context.Response.Headers["X-Bapi-Limit"] = "600";
                context.Response.Headers["X-Bapi-Limit-Status"] = "0";
                context.Response.Headers[LimitResetHeader] = (Now() + 1000).ToString(CultureInfo.InvariantCulture);
                await WriteAsync(context, 200, visits.Body, visits.Body.Length, JsonContentType, cancellationToken);
                return;
            case FakeBybitFault.SystemBusy429:
                var busy = "System level frequency protection. Please retry."u8.ToArray();
                await WriteAsync(context, 429, busy, busy.Length, "text/plain", cancellationToken);
                return;
            case FakeBybitFault.AccessTooFrequent403:
                var forbidden = "access too frequent"u8.ToArray();
                await WriteAsync(context, 403, forbidden, forbidden.Length, "text/plain", cancellationToken);
                return;
            case FakeBybitFault.BadGateway502:
                var html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"u8.ToArray();
                await WriteAsync(context, 502, html, html.Length, "text/html", cancellationToken);
                return;
            case FakeBybitFault.ConnectionReset:
                log.Complete(0);
                context.Abort();
                return;
            case FakeBybitFault.MalformedJson:
                var malformed = "{\"retCode\":0,\"result\":{\"list\":[[\"1\","u8.ToArray();
                await WriteAsync(context, 200, malformed, malformed.Length, JsonContentType, cancellationToken);
                return;
            case FakeBybitFault.Stall:
                log.Complete(0);
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                return;
            default:
                throw new InvalidOperationException($"Unhandled fault {fault}.");
        }
    }

    // 200 with the Content-Length of the whole answer, its first half, then the connection closes (FIN).
    private static async Task TruncatedAsync(HttpContext context, Answer answer, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = JsonContentType;
        context.Response.ContentLength = answer.Body.Length;
        await context.Response.Body.WriteAsync(answer.Body.AsMemory(0, answer.Body.Length / 2), cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }

    private static async Task WriteAsync(HttpContext context, int status, byte[] body, int length, string contentType, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = length;
        await context.Response.Body.WriteAsync(body.AsMemory(0, length), cancellationToken);
    }

    private readonly record struct Answer(byte[] Body, int RetCode);

    /// <summary>What is known of one request until it is recorded.</summary>
    private sealed class Log : RequestLog
    {
        /// <summary>The envelope's retCode, when a JSON envelope was sent.</summary>
        public int? RetCode { get; set; }

        protected override FakeBybitRequest ToRecord(int status) => new(Path, Query, status, RetCode, Arrived);
    }
}
