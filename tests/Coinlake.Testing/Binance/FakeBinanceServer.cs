using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Testing.Hosting;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.AspNetCore.Http;

namespace Coinlake.Testing.Binance;

/// <summary>
/// A fake Binance REST API on loopback (Kestrel, 127.0.0.1, a random port), serving both spot (<c>/api/v3/*</c>) and
/// USDⓈ-M futures (<c>/fapi/v1/*</c>) with Binance's semantics, for offline tests and benchmarks:
/// <list type="bullet">
/// <item><c>GET /api/v3/exchangeInfo</c> (weight 20; optional <c>symbol</c>/<c>symbols</c> filter) and
/// <c>/fapi/v1/exchangeInfo</c> (weight 1) serve the real captured answers (<c>captures/BINANCE.0</c>,
/// <c>captures/BINANCE_FUTURES.0</c>); <c>ping</c> and <c>time</c> (weight 1) on both.</item>
/// <item><c>GET /api/v3/klines</c> (weight 2, <c>limit</c> default 500, 1..1000) and <c>/fapi/v1/klines</c>,
/// <c>/fapi/v1/markPriceKlines</c> (<c>symbol</c>), <c>/fapi/v1/indexPriceKlines</c> (<c>pair</c>) (limit default 500,
/// 1..1500, weight 1/2/5/10 for limit in [1,100)/[100,500)/[500,1000]/&gt;1000). <c>startTime</c>/<c>endTime</c> are
/// inclusive bounds on open time; rows ascend; with a start the first <c>limit</c> rows from it, with only an end the
/// last <c>limit</c> rows up to it, with neither the most recent; <c>startTime</c> after <c>endTime</c> gives <c>[]</c>.
/// <c>timeZone</c> is ignored (UTC). Spot <c>1s</c> is a valid interval but always empty (only 1m data is held).</item>
/// <item><c>GET /api/v3/aggTrades</c> (weight 4) and <c>/fapi/v1/aggTrades</c> (weight 20) serve the trades registered
/// with <see cref="AddTrades"/> ("Compressed/Aggregate trades list"): <c>limit</c> default 500, 1..1000; <c>fromId</c>
/// (inclusive) pages by id; <c>startTime</c>/<c>endTime</c> are inclusive bounds on <c>T</c>, with a start the first
/// <c>limit</c> trades from it, with only an end the last <c>limit</c> up to it, with none the most recent. Both bounds
/// together may be less than 1 hour apart (else <c>-1127</c>): USDⓈ-M still requires it; spot dropped the rule in
/// 2022-12, and the fake keeps it for both so a client that passes here passes on either API.</item>
/// <item><c>GET /api/v3/ticker/24hr</c> (<c>symbol</c>: weight 2; <c>symbols=["A","B"]</c>: 2 for 1-20, 40 for 21-100,
/// 80 above; neither: 80, every listed and registered symbol), <c>/fapi/v1/ticker/24hr</c> (<c>symbol</c>: 1, none: 40;
/// no bid/ask fields) and <c>/fapi/v1/ticker/bookTicker</c> (<c>symbol</c>: 2, none: 5), computed from the registered
/// 1m last-price candles of the 24 h before <see cref="FakeBinanceOptions.TickerTime"/> (or now) and the book set with
/// <see cref="SetBookTicker"/>; see <see cref="MarketDataJson"/> for every field.</item>
/// <item>Errors as Binance sends them (errors.md): <c>-1102</c> missing parameter, <c>-1100</c> non-numeric
/// number, <c>-1120</c> bad interval, <c>-1130</c> bad limit, <c>-1121</c> unknown symbol (neither in the captured
/// exchangeInfo nor registered), <c>-1003</c> rate limits; a known symbol without data in range gets <c>200 []</c>.</item>
/// <item>IP weight limits (spot API "LIMITS / IP Limits"): every answer carries <c>X-MBX-USED-WEIGHT-1M</c>; past
/// <see cref="FakeBinanceOptions.WeightLimit"/> 429 with <c>Retry-After</c>; after repeated 429s a 418 ban.</item>
/// <item>Fault injection through <see cref="Faults"/>.</item>
/// </list>
/// Data is registered with <see cref="AddSeries"/> as 1m candles; higher timeframes are aggregated on request. Many
/// servers can run in parallel; dispose to stop. Kestrel logs nothing.
/// </summary>
public sealed partial class FakeBinanceServer : FakeServerBase<RecordedRequest>
{
    /// <summary>Header carrying the weight used in the current window (Binance: <c>X-MBX-USED-WEIGHT-(intervalNum)(intervalLetter)</c>).</summary>
    public const string UsedWeightHeader = "X-MBX-USED-WEIGHT-1M";

    private const string SpotKlines = "/api/v3/klines";
    private const string FuturesKlines = "/fapi/v1/klines";
    private const string MarkKlines = "/fapi/v1/markPriceKlines";
    private const string IndexKlines = "/fapi/v1/indexPriceKlines";
    private const string JsonContentType = "application/json;charset=UTF-8";

    private readonly KlineStore _store = new();
    private readonly TradeStore _trades = new();
    private readonly ConcurrentDictionary<(string Symbol, FakeMarket Market), FakeBook> _books = new();
    private readonly WeightLimiter _limiter;

    private FakeBinanceServer(FakeBinanceOptions options)
    {
        Options = options;
        _limiter = new WeightLimiter(options);
    }

    /// <summary>The options in force (mutable while running).</summary>
    public FakeBinanceOptions Options { get; }

    /// <summary>Fault injection for klines-family and aggTrades requests.</summary>
    public FakeFaults Faults { get; } = new();

    /// <summary>Starts a server on 127.0.0.1 with a random free port.</summary>
    /// <param name="options">Behaviour; defaults as in <see cref="FakeBinanceOptions"/>.</param>
    /// <param name="cancellationToken">Cancels the start-up.</param>
    /// <exception cref="InvalidOperationException">Kestrel started but reported no address.</exception>
    public static Task<FakeBinanceServer> StartAsync(FakeBinanceOptions? options = null, CancellationToken cancellationToken = default) =>
        StartHostAsync(new FakeBinanceServer(options ?? new FakeBinanceOptions()), cancellationToken);

    /// <summary>
    /// Registers 1m candles for an exchange symbol id (e.g. <c>BTCUSDT</c>; for <see cref="PriceType.Index"/> the
    /// futures <c>pair</c>). Candles replace earlier ones with the same open time; order does not matter. Where a
    /// candle has no quote volume the server serves <c>volume × close</c> rounded half away from zero to 8 decimals;
    /// where it has no trade count, 0. Higher timeframes aggregate these: open = first open, high = max, low = min,
    /// close = last close, volumes and trades summed, buckets aligned as <see cref="Timeframe.Floor"/> (epoch
    /// multiples, weeks on Monday, months on the 1st); a bucket without any 1m candle does not exist.
    /// </summary>
    /// <param name="symbolId">Binance symbol id (or pair, for index prices).</param>
    /// <param name="market">Spot (<c>/api/v3/klines</c>) or futures (<c>/fapi/v1/*</c>).</param>
    /// <param name="oneMinute">1m candles; open times ms UTC on minute boundaries.</param>
    /// <param name="price">Last (<c>klines</c>), Mark (<c>markPriceKlines</c>) or Index (<c>indexPriceKlines</c>); spot is Last only.</param>
    /// <exception cref="ArgumentException">A candle is not on a minute boundary, or a spot series is not last-price.</exception>
    public void AddSeries(string symbolId, FakeMarket market, IReadOnlyList<Candle> oneMinute, PriceType price = PriceType.Last) =>
        _store.Add(symbolId, market, price, oneMinute);

    /// <summary>
    /// Registers aggregate trades of an exchange symbol id (e.g. <c>XRPETH</c>) for <c>aggTrades</c>. Trades replace earlier
    /// ones with the same id; order does not matter. Served as <c>a</c> = the id, <c>p</c>/<c>q</c> = price and amount
    /// as 8-decimal strings, <c>T</c> = timestamp, <c>m</c> = true for taker sells (buyer was the maker), false otherwise.
    /// </summary>
    /// <param name="symbolId">Binance symbol id.</param>
    /// <param name="market">Spot (<c>/api/v3/aggTrades</c>) or futures (<c>/fapi/v1/aggTrades</c>).</param>
    /// <param name="trades">Trades with numeric ids whose timestamps (ms UTC) grow with the id.</param>
    /// <exception cref="ArgumentException">An id is not a non-negative integer, a price or amount is not positive or has
    /// more than 8 decimals, or timestamps do not grow with ids.</exception>
    public void AddTrades(string symbolId, FakeMarket market, IReadOnlyList<Trade> trades) => _trades.Add(symbolId, market, trades);

    /// <summary>
    /// Sets the best bid and ask of a symbol, served in spot 24hr tickers and in USDⓈ-M book tickers (without one they
    /// serve bid = ask = the last close, quantity 0). Prices in the quote currency, quantities in the base currency.
    /// </summary>
    public void SetBookTicker(string symbolId, FakeMarket market, decimal bidPrice, decimal bidQty, decimal askPrice, decimal askQty)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbolId);
        _books[(symbolId, market)] = new FakeBook(bidPrice, bidQty, askPrice, askQty);
    }

    /// <summary>Removes the 1m candles of <paramref name="symbolId"/> whose open time is in <paramref name="range"/>, for every price type (makes gaps).</summary>
    public void RemoveCandles(string symbolId, FakeMarket market, TimeRange range) => _store.Remove(symbolId, market, range, null);

    /// <inheritdoc/>
    protected override TimeProvider Clock => Options.TimeProvider;

    /// <inheritdoc/>
    protected override RequestLog CreateLog() => new Log();

    /// <inheritdoc/>
    protected override async Task HandleAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var path = context.Request.Path.Value ?? "";
        await (path switch
        {
            SpotKlines => KlinesAsync(context, FakeMarket.Spot, PriceType.Last, "symbol", cancellationToken),
            FuturesKlines => KlinesAsync(context, FakeMarket.Futures, PriceType.Last, "symbol", cancellationToken),
            MarkKlines => KlinesAsync(context, FakeMarket.Futures, PriceType.Mark, "symbol", cancellationToken),
            IndexKlines => KlinesAsync(context, FakeMarket.Futures, PriceType.Index, "pair", cancellationToken),
            "/api/v3/aggTrades" => AggTradesAsync(context, FakeMarket.Spot, cancellationToken),
            "/fapi/v1/aggTrades" => AggTradesAsync(context, FakeMarket.Futures, cancellationToken),
            "/api/v3/ticker/24hr" => SpotTickersAsync(context, cancellationToken),
            "/fapi/v1/ticker/24hr" => FuturesTickersAsync(context, book: false, cancellationToken),
            "/fapi/v1/ticker/bookTicker" => FuturesTickersAsync(context, book: true, cancellationToken),
            "/api/v3/exchangeInfo" => ExchangeInfoAsync(context, ExchangeInfoCapture.Spot, 20, allowFilter: true, cancellationToken),
            "/fapi/v1/exchangeInfo" => ExchangeInfoAsync(context, ExchangeInfoCapture.Futures, 1, allowFilter: false, cancellationToken),
            "/api/v3/ping" or "/fapi/v1/ping" => SimpleAsync(context, "{}"u8.ToArray(), cancellationToken),
            "/api/v3/time" or "/fapi/v1/time" => SimpleAsync(context, ServerTime(), cancellationToken),
            _ => NotFoundAsync(context, path, cancellationToken),
        });
    }

    private byte[] ServerTime() =>
        Encoding.UTF8.GetBytes("{\"serverTime\":" + Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "}");

    private async Task SimpleAsync(HttpContext context, byte[] body, CancellationToken cancellationToken)
    {
        if (await ChargeAsync(context, 1, cancellationToken))
        {
            return;
        }

        await WriteAsync(context, StatusCodes.Status200OK, body, body.Length, JsonContentType, cancellationToken);
    }

    private async Task NotFoundAsync(HttpContext context, string path, CancellationToken cancellationToken)
    {
        context.Response.Headers[UsedWeightHeader] = _limiter.Used.ToString(CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes($"The fake Binance server has no endpoint '{path}'.");
        await WriteAsync(context, StatusCodes.Status404NotFound, body, body.Length, "text/plain", cancellationToken);
    }

    private async Task ExchangeInfoAsync(HttpContext context, ExchangeInfoCapture capture, int weight,
        bool allowFilter, CancellationToken cancellationToken)
    {
        if (await ChargeAsync(context, weight, cancellationToken))
        {
            return;
        }

        if (capture.Error is not null)
        {
            await ErrorAsync(context, StatusCodes.Status500InternalServerError, -1000, capture.Error, cancellationToken);
            return;
        }

        var body = capture.Body;
        if (allowFilter && Wanted(context.Request.Query) is { } wanted)
        {
            if (wanted.Count == 0)
            {
                await ErrorAsync(context, 400, -1102, "Mandatory parameter 'symbols' was not sent, was empty/null, or malformed.", cancellationToken);
                return;
            }

            if (capture.Filter(wanted) is not { } filtered)
            {
                await ErrorAsync(context, 400, -1121, "Invalid symbol.", cancellationToken);
                return;
            }

            body = filtered;
        }

        await WriteAsync(context, StatusCodes.Status200OK, body, body.Length, JsonContentType, cancellationToken);

        static List<string>? Wanted(IQueryCollection query)
        {
            if (query.TryGetValue("symbol", out var one) && !string.IsNullOrEmpty(one.ToString()))
            {
                return [one.ToString()];
            }

            if (!query.TryGetValue("symbols", out var many))
            {
                return null;
            }

            try
            {
                return JsonSerializer.Deserialize<List<string>>(many.ToString()) ?? [];
            }
            catch (JsonException)
            {
                return [];
            }
        }
    }

    private async Task KlinesAsync(HttpContext context, FakeMarket market, PriceType price, string symbolParameter,
        CancellationToken cancellationToken)
    {
        var delay = Options.ResponseDelay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, Options.TimeProvider, cancellationToken);
        }

        var query = context.Request.Query;
        var maxLimit = market == FakeMarket.Spot ? 1000 : 1500;
        if (Faults.TryTake(out var fault))
        {
            await FaultAsync(context, fault, () => BuildPage(context.Request.Query, market, price, symbolParameter, maxLimit), cancellationToken);
            return;
        }

        var weight = market == FakeMarket.Spot ? 2 : FuturesWeight(int.TryParse(query["limit"].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : 500);
        if (await ChargeAsync(context, weight, cancellationToken))
        {
            return;
        }

        var page = BuildPage(query, market, price, symbolParameter, maxLimit);
        if (page.Error is { } error)
        {
            await ErrorAsync(context, 400, error.Code, error.Message, cancellationToken);
            return;
        }

        try
        {
            await WriteAsync(context, StatusCodes.Status200OK, page.Buffer!, page.Length, JsonContentType, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(page.Buffer!);
        }
    }

    // Binance USDⓈ-M "Kline/Candlestick Data": weight by LIMIT [1,100) 1, [100,500) 2, [500,1000] 5, > 1000 10.
    private static int FuturesWeight(int limit) => limit switch
    {
        < 100 => 1,
        < 500 => 2,
        <= 1000 => 5,
        _ => 10,
    };

    private Page BuildPage(IQueryCollection query, FakeMarket market, PriceType price, string symbolParameter, int maxLimit)
    {
        var symbol = query[symbolParameter].ToString();
        if (symbol.Length == 0)
        {
            return Page.Fail(-1102, $"Mandatory parameter '{symbolParameter}' was not sent, was empty/null, or malformed.");
        }

        var intervalText = query["interval"].ToString();
        if (intervalText.Length == 0)
        {
            return Page.Fail(-1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.");
        }

        // Spot serves 1s klines (we hold only 1m data, so they are always empty); USDⓈ-M has no 1s interval.
        if (!Timeframe.TryParse(intervalText, out var timeframe) || !string.Equals(timeframe.ToString(), intervalText, StringComparison.Ordinal)
            || (market == FakeMarket.Futures && timeframe.Unit == TimeframeUnit.Second))
        {
            return Page.Fail(-1120, "Invalid interval.");
        }

        if (!TryLong(query, "startTime", out var start, out var bad) || !TryLong(query, "endTime", out var end, out bad) || !TryLong(query, "limit", out var limitValue, out bad))
        {
            return Page.Fail(-1100, $"Illegal characters found in parameter '{bad}'; legal range is '^[0-9]{{1,20}}$'.");
        }

        var limit = limitValue ?? 500;
        if (limit < 1 || limit > maxLimit)
        {
            return Page.Fail(-1130, "Data sent for parameter 'limit' is not valid.");
        }

        var capture = market == FakeMarket.Spot ? ExchangeInfoCapture.Spot : ExchangeInfoCapture.Futures;
        if (!capture.Symbols.Contains(symbol) && !_store.IsRegistered(symbol, market))
        {
            return Page.Fail(-1121, "Invalid symbol.");
        }

        var scratch = ArrayPool<Candle>.Shared.Rent((int)limit);
        try
        {
            var candles = KlineStore.Query(_store.Get(symbol, market, price), timeframe, start, end, (int)limit, scratch);
            var buffer = KlineJson.Render(candles, timeframe, priceOnly: price != PriceType.Last, out var length);
            return new Page(buffer, length, null);
        }
        finally
        {
            ArrayPool<Candle>.Shared.Return(scratch);
        }

        static bool TryLong(IQueryCollection query, string name, out long? value, out string bad)
        {
            bad = name;
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
    }

    // "Compressed/Aggregate trades list": spot weight 4, USDⓈ-M weight 20.
    private async Task AggTradesAsync(HttpContext context, FakeMarket market, CancellationToken cancellationToken)
    {
        var delay = Options.ResponseDelay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, Options.TimeProvider, cancellationToken);
        }

        var query = context.Request.Query;
        if (Faults.TryTake(out var fault))
        {
            await FaultAsync(context, fault, () => BuildAggTradesPage(query, market), cancellationToken);
            return;
        }

        if (await ChargeAsync(context, market == FakeMarket.Spot ? 4 : 20, cancellationToken))
        {
            return;
        }

        var page = BuildAggTradesPage(query, market);
        if (page.Error is { } error)
        {
            await ErrorAsync(context, 400, error.Code, error.Message, cancellationToken);
            return;
        }

        await WriteAsync(context, StatusCodes.Status200OK, page.Buffer!, page.Length, JsonContentType, cancellationToken);
    }

    private Page BuildAggTradesPage(IQueryCollection query, FakeMarket market)
    {
        const long HourMs = 3_600_000;
        var symbol = query["symbol"].ToString();
        if (symbol.Length == 0)
        {
            return Page.Fail(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
        }

        if (!TryLongParameter(query, "fromId", out var fromId, out var bad) || !TryLongParameter(query, "startTime", out var start, out bad)
            || !TryLongParameter(query, "endTime", out var end, out bad) || !TryLongParameter(query, "limit", out var limitValue, out bad))
        {
            return Page.Fail(-1100, $"Illegal characters found in parameter '{bad}'; legal range is '^[0-9]{{1,20}}$'.");
        }

        var limit = limitValue ?? 500;
        if (limit is < 1 or > 1000)
        {
            return Page.Fail(-1130, "Data sent for parameter 'limit' is not valid.");
        }

        if (start is { } s && end is { } e && e - s >= HourMs)
        {
            return Page.Fail(-1127, "More than 1 hours between startTime and endTime.");
        }

        if (!IsKnownSymbol(symbol, market))
        {
            return Page.Fail(-1121, "Invalid symbol.");
        }

        var trades = TradeStore.Query(_trades.Get(symbol, market), fromId, start, end, (int)limit);
        var body = MarketDataJson.AggTrades(trades, market == FakeMarket.Spot);
        return new Page(body, body.Length, null, Pooled: false);
    }

    // Spot "24hr ticker price change statistics": symbol 2; symbols 1-20 2, 21-100 40, 101+ 80; neither 80.
    private async Task SpotTickersAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var hasSymbol = query.TryGetValue("symbol", out var one) && one.ToString().Length > 0;
        var hasSymbols = query.TryGetValue("symbols", out var many);
        List<string>? wanted = null;
        var malformed = false;
        if (hasSymbols)
        {
            try
            {
                wanted = JsonSerializer.Deserialize<List<string>>(many.ToString());
            }
            catch (JsonException)
            {
                malformed = true;
            }
        }

        var weight = hasSymbol ? 2 : hasSymbols && !malformed ? (wanted?.Count ?? 0) switch { <= 20 => 2, <= 100 => 40, _ => 80 } : hasSymbols ? 2 : 80;
        if (await ChargeAsync(context, weight, cancellationToken))
        {
            return;
        }

        if (hasSymbol && hasSymbols)
        {
            await ErrorAsync(context, 400, -1128, "Combination of optional parameters invalid.", cancellationToken);
            return;
        }

        if (malformed || (hasSymbols && wanted is null))
        {
            await ErrorAsync(context, 400, -1100,
                "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.", cancellationToken);
            return;
        }

        if (hasSymbols && wanted!.Count == 0)
        {
            await ErrorAsync(context, 400, -1102, "Mandatory parameter 'symbols' was not sent, was empty/null, or malformed.", cancellationToken);
            return;
        }

        await TickersAsync(context, FakeMarket.Spot, hasSymbol ? [one.ToString()] : wanted, single: hasSymbol, book: false, cancellationToken);
    }

    // USDⓈ-M "24hr Ticker Price Change Statistics" (symbol 1, none 40) and "Symbol Order Book Ticker" (symbol 2, none 5).
    private async Task FuturesTickersAsync(HttpContext context, bool book, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var hasSymbol = query.TryGetValue("symbol", out var one) && one.ToString().Length > 0;
        var weight = book ? (hasSymbol ? 2 : 5) : (hasSymbol ? 1 : 40);
        if (await ChargeAsync(context, weight, cancellationToken))
        {
            return;
        }

        var unread = query.Keys.Count(k => !string.Equals(k, "symbol", StringComparison.Ordinal));
        if (unread > 0)
        {
            await ErrorAsync(context, 400, -1104,
                $"Not all sent parameters were read; read '{query.Count - unread}' parameter(s) but was sent '{query.Count}'.", cancellationToken);
            return;
        }

        await TickersAsync(context, FakeMarket.Futures, hasSymbol ? [one.ToString()] : null, single: hasSymbol, book, cancellationToken);
    }

    private async Task TickersAsync(HttpContext context, FakeMarket market, List<string>? wanted, bool single, bool book, CancellationToken cancellationToken)
    {
        if (wanted is not null && wanted.FirstOrDefault(id => !IsKnownSymbol(id, market)) is not null)
        {
            await ErrorAsync(context, 400, -1121, "Invalid symbol.", cancellationToken);
            return;
        }

        var capture = market == FakeMarket.Spot ? ExchangeInfoCapture.Spot : ExchangeInfoCapture.Futures;
        var ids = wanted?.Distinct(StringComparer.Ordinal).ToList()
            ?? [.. capture.SymbolIds.Concat(_store.Symbols(market)).Concat(_books.Keys.Where(k => k.Market == market).Select(k => k.Symbol))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var now = (Options.TickerTime ?? Options.TimeProvider.GetUtcNow()).ToUnixTimeMilliseconds();
        var output = new ArrayBufferWriter<byte>(Math.Max(512, ids.Count * 600));
        using (var writer = new Utf8JsonWriter(output))
        {
            if (!single)
            {
                writer.WriteStartArray();
            }

            foreach (var id in ids)
            {
                var minutes = _store.Get(id, market, PriceType.Last);
                FakeBook? quote = _books.TryGetValue((id, market), out var b) ? b : null;
                if (book)
                {
                    MarketDataJson.BookTicker(writer, id, minutes, now, quote);
                }
                else
                {
                    MarketDataJson.Ticker24h(writer, id, minutes, now, market == FakeMarket.Spot, quote);
                }
            }

            if (!single)
            {
                writer.WriteEndArray();
            }
        }

        var body = output.WrittenSpan.ToArray();
        await WriteAsync(context, StatusCodes.Status200OK, body, body.Length, JsonContentType, cancellationToken);
    }

    private bool IsKnownSymbol(string symbol, FakeMarket market) =>
        (market == FakeMarket.Spot ? ExchangeInfoCapture.Spot : ExchangeInfoCapture.Futures).Symbols.Contains(symbol)
        || _store.IsRegistered(symbol, market) || _trades.IsRegistered(symbol, market) || _books.ContainsKey((symbol, market));

    private static bool TryLongParameter(IQueryCollection query, string name, out long? value, out string bad)
    {
        bad = name;
        value = null;
        if (!query.TryGetValue(name, out var raw) || raw.ToString().Length == 0)
        {
            return true;
        }

        if (long.TryParse(raw.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private async Task<bool> ChargeAsync(HttpContext context, int weight, CancellationToken cancellationToken)
    {
        var decision = _limiter.Acquire(weight, out var used, out var retryAfter, out var bannedUntil);
        context.Response.Headers[UsedWeightHeader] = used.ToString(CultureInfo.InvariantCulture);
        switch (decision)
        {
            case LimitDecision.TooManyRequests:
                context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await ErrorAsync(context, StatusCodes.Status429TooManyRequests, -1003,
                    $"Too much request weight used; current limit is {Options.WeightLimit} request weight per {Describe(Options.WeightWindow)}. Please use WebSocket Streams for live updates to avoid polling the API.",
                    cancellationToken);
                return true;
            case LimitDecision.Banned:
                context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await ErrorAsync(context, StatusCodes.Status418ImATeapot, -1003,
                    $"Way too much request weight used; IP banned until {bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.",
                    cancellationToken);
                return true;
            default:
                LogOf<Log>(context).Weight = weight;
                return false;
        }

        static string Describe(TimeSpan window) =>
            window.TotalSeconds % 60 == 0
                ? $"{(long)window.TotalMinutes} MINUTE"
                : $"{window.TotalSeconds.ToString(CultureInfo.InvariantCulture)} SECOND";
    }

    private async Task FaultAsync(HttpContext context, FakeFault fault, Func<Page> buildPage, CancellationToken cancellationToken)
    {
        if (fault is not (FakeFault.ConnectionReset or FakeFault.Stall))
        {
            context.Response.Headers[UsedWeightHeader] = _limiter.Used.ToString(CultureInfo.InvariantCulture);
        }

        switch (fault)
        {
            case FakeFault.InternalServerError500:
                await ErrorAsync(context, 500, -1000, "An unknown error occurred while processing the request.", cancellationToken);
                return;
            case FakeFault.BadGateway502:
                var html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"u8.ToArray();
                await WriteAsync(context, 502, html, html.Length, "text/html", cancellationToken);
                return;
            case FakeFault.ServiceUnavailable503:
                await ErrorAsync(context, 503, -1008, "Server is currently overloaded with other requests. Please try again in a few minutes.", cancellationToken);
                return;
            case FakeFault.GatewayTimeout504:
                await ErrorAsync(context, 504, -1007, "Timeout waiting for response from backend server. Send status unknown; execution status unknown.", cancellationToken);
                return;
            case FakeFault.TooManyRequests429:
                context.Response.Headers.RetryAfter = "1";
                await ErrorAsync(context, 429, -1003, "Too many requests; current limit of IP is exceeded (injected fault).", cancellationToken);
                return;
            case FakeFault.Teapot418:
                context.Response.Headers.RetryAfter = "1";
                var until = Options.TimeProvider.GetUtcNow().AddSeconds(1).ToUnixTimeMilliseconds();
                await ErrorAsync(context, 418, -1003, $"Way too much request weight used; IP banned until {until}. Please use WebSocket Streams for live updates to avoid bans.", cancellationToken);
                return;
            case FakeFault.ConnectionReset:
                LogOf<Log>(context).Complete(0); // recorded before the client can see the reset
                context.Abort();
                return;
            case FakeFault.MalformedJson:
                var malformed = "[[1,\"a\""u8.ToArray();
                await WriteAsync(context, 200, malformed, malformed.Length, JsonContentType, cancellationToken);
                return;
            case FakeFault.TruncatedBody:
                await TruncatedAsync(context, buildPage(), cancellationToken);
                return;
            case FakeFault.Stall:
                LogOf<Log>(context).Complete(0); // visible in Requests while it stalls
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                return;
            default:
                throw new InvalidOperationException($"Unhandled fault {fault}.");
        }
    }

    // 200 with the Content-Length of the whole page, the bytes up to the middle of the last row, then the connection closes.
    private static async Task TruncatedAsync(HttpContext context, Page page, CancellationToken cancellationToken)
    {
        byte[] buffer;
        int length;
        var usable = page.Error is null && page.Length > 2;
        var pooled = usable && page.Pooled;
        if (usable)
        {
            (buffer, length) = (page.Buffer!, page.Length);
        }
        else
        {
            if (page.Buffer is { } unused && page.Pooled)
            {
                ArrayPool<byte>.Shared.Return(unused);
            }

            buffer = "[[1677628800000,\"23140.48000000\",\"23150.77000000\",\"23128.52000000\",\"23142.31000000\",\"2.13177700\",1677628859999,\"49334.94000000\",0,\"0.00000000\",\"0.00000000\",\"0\"]]"u8.ToArray();
            length = buffer.Length;
        }

        try
        {
            var lastRow = Math.Max(buffer.AsSpan(0, length).LastIndexOf("],["u8), buffer.AsSpan(0, length).LastIndexOf("},{"u8));
            var rowStart = lastRow < 0 ? 1 : lastRow + 2;
            var cut = rowStart + ((length - 1 - rowStart) / 2);
            context.Response.StatusCode = 200;
            context.Response.ContentType = JsonContentType;
            context.Response.ContentLength = length;
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, cut), cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);

            // Returning with fewer bytes than Content-Length makes Kestrel close the connection gracefully (FIN), so the
            // client receives the partial body before the end; Abort() would reset it and drop what is in flight.

        }
        finally
        {
            if (pooled)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static async Task ErrorAsync(HttpContext context, int status, int code, string message, CancellationToken cancellationToken)
    {
        var output = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteNumber("code", code);
            writer.WriteString("msg", message);
            writer.WriteEndObject();
        }

        var body = output.WrittenSpan.ToArray();
        await WriteAsync(context, status, body, body.Length, JsonContentType, cancellationToken);
    }

    private static async Task WriteAsync(HttpContext context, int status, byte[] body, int length, string contentType, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = length;
        await context.Response.Body.WriteAsync(body.AsMemory(0, length), cancellationToken);
    }

    /// <summary>What is known of one request until it is recorded.</summary>
    private sealed class Log : RequestLog
    {
        /// <summary>Weight charged to the window.</summary>
        public int Weight { get; set; }

        protected override RecordedRequest ToRecord(int status) => new(Path, Query, status, Weight, Arrived);
    }

    /// <summary>An answer body (from <see cref="ArrayPool{T}.Shared"/> when <paramref name="Pooled"/>) or an error.</summary>
    private readonly record struct Page(byte[]? Buffer, int Length, (int Code, string Message)? Error, bool Pooled = true)
    {
        public static Page Fail(int code, string message) => new(null, 0, (code, message));
    }
}
