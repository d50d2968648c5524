using System.Globalization;
using System.Runtime.CompilerServices;
using Coinlake.Candles;
using Coinlake.Exchanges.Http;
using Coinlake.Markets;
using Coinlake.Text;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Exchanges.Coinbase;

/// <summary>
/// Coinbase Exchange REST connector (docs.cdp.coinbase.com/exchange, "Products"): spot markets from
/// <c>GET /products</c>, historical candles from <c>/products/{id}/candles</c>, the full public trade history from
/// <c>/products/{id}/trades</c>, and 24h tickers from <c>/products/{id}/ticker</c> + <c>/products/{id}/stats</c>.
/// Requests are throttled to the documented public limit (10 per second per IP, token bucket), 429 answers are waited
/// out and transient failures retried with backoff and jitter.
/// </summary>
/// <remarks>
/// Coinbase Exchange lists spot products only: no swaps, dated futures, mark or index prices. Thread-safe; several
/// series may be fetched concurrently (they share the client's request limiter). Markets are cached per client.
/// </remarks>
public sealed partial class CoinbaseClient : IMarketCatalog, ICandleHistoryClient, ITradeHistoryClient, ITickerClient, IDisposable
{
    /// <summary>Exchange id of Coinbase Exchange (ccxt's <c>coinbaseexchange</c>; Coinlake calls it <c>coinbase</c>).</summary>
    public const string CoinbaseId = "coinbase";

    /// <summary>Candles per request: the documented maximum ("Get product candles" / "Max Candles": 300).</summary>
    public const int MaxCandlesPerRequest = 300;

    /// <summary>Trades per request: the documented maximum ("Pagination": <c>limit</c> at most 1000).</summary>
    public const int MaxTradesPerRequest = 1000;

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly bool _ownsLimiter;
    private readonly CoinbaseOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CoinbaseRestApi _api;
    private readonly LoadOnce<MarketTable> _markets = new();

    /// <summary>Creates a client for <c>coinbase</c>.</summary>
    /// <param name="httpClient">Sends the requests; not disposed by the client. Its <see cref="HttpClient.Timeout"/> should exceed <see cref="CoinbaseOptions.RequestTimeout"/>.</param>
    /// <param name="options">Settings; validated, then copied.</param>
    /// <param name="timeProvider">Clock for rate limiting, retries, timeouts and candle closing; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives retries, rate-limit waits and pages.</param>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="CoinbaseOptions.Validate"/>).</exception>
    public CoinbaseClient(HttpClient httpClient, CoinbaseOptions options, TimeProvider? timeProvider = null, ILogger<CoinbaseClient>? logger = null)
        : this(httpClient, ownsHttpClient: false, options, timeProvider, logger, sharedLimiter: null)
    {
    }

    private CoinbaseClient(HttpClient httpClient, bool ownsHttpClient, CoinbaseOptions options, TimeProvider? timeProvider, ILogger? logger,
        CoinbaseRateLimiter? sharedLimiter)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _http = httpClient;
        _ownsHttp = ownsHttpClient;
        _options = options.Clone();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        CoinbaseRateLimiter? limiter = null;
        if (_options.RespectRateLimits)
        {
            limiter = sharedLimiter;
            if (limiter is null)
            {
                limiter = new CoinbaseRateLimiter(_options.RequestsPerSecond, _options.BurstRequests, _time);
                _ownsLimiter = true;
            }
        }

        var pipeline = RetryPipeline.Create(_options.MaxRetries, _options.RetryBaseDelay, _options.MaxRetryDelay, _time, OnRetry);
        _api = new CoinbaseRestApi(CoinbaseId, _http, limiter, pipeline, Stats, _time, _options, _logger);
    }

    /// <inheritdoc/>
    public string Exchange => CoinbaseId;

    /// <inheritdoc/>
    public RequestStats Stats { get; } = new();

    /// <summary>The exchange ids <see cref="Create"/> accepts: <c>coinbase</c> (alias <c>coinbaseexchange</c>, ccxt's id).</summary>
    public static IReadOnlyList<string> ExchangeIds { get; } = [CoinbaseId];

    /// <summary>Timeframes served natively (<c>1m 5m 15m 1h 6h 1d</c>); the others are aggregated, see <see cref="CoinbaseGranularity"/>.</summary>
    public static IReadOnlyList<Timeframe> NativeTimeframes => CoinbaseGranularity.NativeTimeframes;

    /// <summary>The request limiter (null when rate limits are not respected); for tests.</summary>
    internal CoinbaseRateLimiter? Limiter => _api.Limiter;

    /// <summary>Creates a client for a Coinbase exchange id.</summary>
    /// <param name="exchangeId"><c>coinbase</c> or <c>coinbaseexchange</c> (case-insensitive).</param>
    /// <param name="http">Sends the requests; not disposed by the client.</param>
    /// <param name="baseUrlOverride">Replaces <see cref="CoinbaseOptions.BaseUrl"/> (sandbox, mirrors, fake servers).</param>
    /// <param name="options">Settings; defaults when null. Not modified.</param>
    /// <param name="timeProvider">Clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives retries, rate-limit waits and pages.</param>
    /// <exception cref="ArgumentException">Unknown id (the message names the known ones) or invalid options.</exception>
    public static CoinbaseClient Create(string exchangeId, HttpClient http, Uri? baseUrlOverride = null, CoinbaseOptions? options = null,
        TimeProvider? timeProvider = null, ILogger<CoinbaseClient>? logger = null) =>
        CreateShared(exchangeId, http, ownsHttpClient: false, baseUrlOverride, options, timeProvider, logger, sharedLimiter: null);

    /// <summary>
    /// As <see cref="Create"/>, optionally owning the HTTP client and drawing from a limiter shared by every client of
    /// the same IP (for the registry). A shared limiter is not disposed by the client.
    /// </summary>
    internal static CoinbaseClient CreateShared(string exchangeId, HttpClient http, bool ownsHttpClient, Uri? baseUrlOverride, CoinbaseOptions? options,
        TimeProvider? timeProvider, ILogger? logger, CoinbaseRateLimiter? sharedLimiter)
    {
        ArgumentNullException.ThrowIfNull(exchangeId);
        var id = exchangeId.Trim().ToLowerInvariant();
        if (id is not (CoinbaseId or "coinbaseexchange"))
        {
            throw new ArgumentException(
                $"'{exchangeId}' is not a Coinbase exchange id; use '{CoinbaseId}' (closest: {string.Join(", ", Fuzzy.Closest(exchangeId, ExchangeIds))}).",
                nameof(exchangeId));
        }

        var o = (options ?? new CoinbaseOptions()).Clone();
        if (baseUrlOverride is not null)
        {
            o.BaseUrl = baseUrlOverride;
        }

        return new CoinbaseClient(http, ownsHttpClient, o, timeProvider, logger, sharedLimiter);
    }

    /// <summary>Only spot last-price candles exist on Coinbase Exchange: no swaps or futures, no mark or index prices.</summary>
    public bool Supports(MarketType type, PriceType price) => type == MarketType.Spot && price == PriceType.Last;

    /// <summary>True when candles of <paramref name="timeframe"/> can be served: natively or aggregated (everything from <c>1m</c> up; not <c>1s</c>).</summary>
    public static bool SupportsTimeframe(Timeframe timeframe) => CoinbaseGranularity.SourceOf(timeframe) is not null;

    /// <inheritdoc/>
    /// <remarks>
    /// Spot products from "Get all known trading pairs" (<c>GET /products</c>), loaded once per client. Swaps and futures:
    /// an empty list (Coinbase Exchange lists none).
    /// </remarks>
    public async Task<IReadOnlyList<MarketInfo>> GetMarketsAsync(MarketType type, CancellationToken cancellationToken = default)
    {
        if (type != MarketType.Spot)
        {
            return [];
        }

        return (await GetTableAsync(cancellationToken).ConfigureAwait(false)).All;
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException"><paramref name="type"/> is a swap or future: Coinbase Exchange lists spot products only.</exception>
    public async Task<MarketInfo> GetMarketAsync(Symbol symbol, MarketType type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        if (type != MarketType.Spot)
        {
            throw new NotSupportedException($"{Exchange} lists spot products only; it has no {type.ToName()} market '{symbol}'. Use a spot symbol such as {symbol.Base}/{symbol.Quote}.");
        }

        var table = await GetTableAsync(cancellationToken).ConfigureAwait(false);
        if (table.TryGet(symbol, out var market))
        {
            return market;
        }

        throw new UnknownSymbolException(Exchange, symbol.ToString(), Fuzzy.Closest(symbol.ToString(), table.All.Select(m => m.Symbol.ToString())));
    }

    /// <summary>The market of a Coinbase product id (e.g. <c>BTC-USD</c> → <c>BTC/USD</c>), or null when not listed.</summary>
    public async Task<MarketInfo?> FindByIdAsync(string productId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(productId);
        var table = await GetTableAsync(cancellationToken).ConfigureAwait(false);
        return table.ById.GetValueOrDefault(productId.Trim().ToUpperInvariant());
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// Native timeframes (<c>1m 5m 15m 1h 6h 1d</c>, "Get product candles": <c>granularity</c> ∈ {60, 300, 900, 3600,
    /// 21600, 86400}) are fetched in windows of at most 300 buckets ("Max Candles": more is rejected), oldest window
    /// first, with <c>start</c>/<c>end</c> as ISO-8601 UTC (<c>end</c> = the window's last open time). Each answer
    /// (rows <c>[time, low, high, open, close, volume]</c>, newest first) is returned ascending, unique and filtered to
    /// the range. Other timeframes (<c>3m 30m 2h 4h 8h 12h 3d 1w 1M</c>) are BUILT from the largest smaller native
    /// granularity that divides them (see <see cref="CoinbaseGranularity.SourceOf"/>): open = first open, high = max,
    /// low = min, close = last close, volume summed; a bucket is emitted once all of it is covered.
    /// </para>
    /// <para>
    /// Coverage: a window whose answer holds fewer than 300 rows proves the whole window ("No data is published for
    /// intervals where there are no ticks"); a full answer proves only up to its newest candle, and the next window
    /// starts there. The candle in progress (the venue includes it) and candles closed less than
    /// <see cref="CoinbaseOptions.SettleDelay"/> ago are dropped and never covered. Quote volume and trade count are
    /// null (Coinbase gives neither).
    /// </para>
    /// </remarks>
    /// <exception cref="NotSupportedException">Not spot last-price (see <see cref="Supports"/>), or a timeframe below a minute.</exception>
    /// <exception cref="UnknownSymbolException">The symbol is not listed.</exception>
    /// <exception cref="MalformedResponseException">A page could not be parsed or did not advance; the message names the URL.</exception>
    public async IAsyncEnumerable<CandlePage> GetCandlesAsync(CandleRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Supports(request.MarketType, request.Price))
        {
            throw new NotSupportedException(
                $"{Exchange} has no {request.Price.ToName()} candles for {request.MarketType.ToName()} markets; it serves spot last-price candles only.");
        }

        var tf = request.Timeframe;
        var source = CoinbaseGranularity.SourceOf(tf)
            ?? throw new NotSupportedException($"{Exchange} has no {tf} candles; the shortest granularity is 1m (native: {string.Join(" ", NativeTimeframes)}).");
        if (request.Range.IsEmpty)
        {
            yield break;
        }

        var market = await GetMarketAsync(request.Symbol, request.MarketType, cancellationToken).ConfigureAwait(false);
        var pages = source == tf
            ? NativePagesAsync(market.Id, tf, request.Range, cancellationToken)
            : AggregatedPagesAsync(market.Id, source, tf, request.Range, cancellationToken);
        await foreach (var page in pages.ConfigureAwait(false))
        {
            yield return page;
        }
    }

    /// <summary>Full history for spot (trade-id cursors reach back to the listing); nothing for swaps and futures, which Coinbase Exchange does not list.</summary>
    public TradeHistoryDepth TradeDepth(MarketType type) => type == MarketType.Spot ? TradeHistoryDepth.Full : TradeHistoryDepth.RecentOnly;

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// "Get product trades" pages by <c>trade_id</c> cursor ("Pagination": <c>after</c> = an id returns the up to
    /// <c>limit</c> (≤ 1000) trades with smaller ids, newest first; <c>CB-AFTER</c> names the page's oldest id), so the
    /// whole history back to the listing is reachable: <see cref="TradeHistoryDepth.Full"/>. Trade ids are sequential and
    /// ordered like trade times, which the client uses to page the range oldest first with one page in memory:
    /// </para>
    /// <list type="number">
    /// <item>the newest page (no cursor) gives the newest id; when it reaches back past the range start, the first id
    /// in range is read from it, otherwise it is found by bisection with one-trade probes <c>after=id&amp;limit=1</c>
    /// (about log2(newest id) requests, e.g. 30 for BTC-USD);</item>
    /// <item>then <c>after = cursor + 1000</c> returns every trade with an id in <c>[cursor, cursor + 1000)</c>, so the
    /// range is walked forward 1000 ids at a time until a trade at or after the range end, or the newest id.</item>
    /// </list>
    /// <para>
    /// Each page's trades are ascending by time then id, unique, within the range, and <c>Covered</c> ends at the last
    /// trade's timestamp (trades at that millisecond move to the next page, which then covers it). The final page covers
    /// to the range end, or — when the range reaches the present — to the newest trade, or to now minus
    /// <see cref="CoinbaseOptions.SettleDelay"/> if later. The side is the TAKER side (Coinbase reports the maker's; see
    /// <c>CoinbaseTradeParser</c>). Amounts in the base currency, prices in the quote currency.
    /// </para>
    /// </remarks>
    /// <exception cref="NotSupportedException">Not spot.</exception>
    /// <exception cref="UnknownSymbolException">The symbol is not listed.</exception>
    /// <exception cref="MalformedResponseException">A page could not be parsed.</exception>
    public async IAsyncEnumerable<TradePage> GetTradesAsync(TradeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var range = request.Range;
        var market = await GetMarketAsync(request.Symbol, request.MarketType, cancellationToken).ConfigureAwait(false);
        if (range.IsEmpty)
        {
            yield break;
        }

        var id = market.Id;
        var snapshotMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var newestUrl = _api.ProductUrl(id, "trades", string.Create(CultureInfo.InvariantCulture, $"limit={MaxTradesPerRequest}"));
        var newestPage = await GetTradesPageAsync(newestUrl, cancellationToken).ConfigureAwait(false);
        var settledUntil = snapshotMs - (long)_options.SettleDelay.TotalMilliseconds;
        if (newestPage.Count == 0 || newestPage[^1].Timestamp < range.Start)
        {
            // No trade at or after the start: the range is empty as far as the venue has published.
            var end = Math.Min(range.End, Math.Max(range.Start, Math.Max(settledUntil, newestPage.Count == 0 ? range.Start : newestPage[^1].Timestamp + 1)));
            if (end > range.Start)
            {
                yield return new TradePage([], new TimeRange(range.Start, end));
            }

            yield break;
        }

        var newestId = newestPage[^1].Id;
        long cursor;
        if (newestPage[0].Timestamp < range.Start)
        {
            cursor = newestPage.Find(t => t.Timestamp >= range.Start).Id; // the start lies inside the newest page
        }
        else if (newestPage.Count < MaxTradesPerRequest)
        {
            cursor = newestPage[0].Id; // the whole history fits the newest page
        }
        else
        {
            cursor = await FindFirstTradeIdAsync(id, range.Start, newestPage[0].Id, cancellationToken).ConfigureAwait(false);
        }

        newestPage = [];
        var coveredStart = range.Start;
        var carry = new List<CoinbaseTrade>();
        while (true)
        {
            var after = cursor + MaxTradesPerRequest;
            var url = _api.ProductUrl(id, "trades", string.Create(CultureInfo.InvariantCulture, $"after={after}&limit={MaxTradesPerRequest}"));
            var page = await GetTradesPageAsync(url, cancellationToken).ConfigureAwait(false);
            var batch = carry;
            foreach (var t in page)
            {
                if (t.Id >= cursor && t.Id < after && t.Timestamp >= range.Start)
                {
                    batch.Add(t);
                }
            }

            batch.Sort(static (a, b) => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : a.Id.CompareTo(b.Id));
            var reachedEnd = batch.Count > 0 && batch[^1].Timestamp >= range.End;
            var exhausted = after > newestId;
            if (reachedEnd || exhausted)
            {
                // At the newest trade of the snapshot: complete up to it (ids follow time), or to the settled present.
                var lastKnown = coveredStart;
                foreach (var t in batch)
                {
                    if (t.Id <= newestId)
                    {
                        lastKnown = Math.Max(lastKnown, t.Timestamp + 1);
                    }
                }

                var end = reachedEnd ? range.End : Math.Min(range.End, Math.Max(coveredStart, Math.Max(settledUntil, lastKnown)));
                var trades = batch.Where(t => t.Timestamp < end).Select(t => t.ToTrade()).ToList();
                var covered = new TimeRange(coveredStart, end);
                CoinbaseLog.TradePage(_logger, Exchange, url, trades.Count, covered.ToString());
                if (trades.Count > 0 || !covered.IsEmpty)
                {
                    yield return new TradePage(trades, covered);
                }

                yield break;
            }

            // Trades at the last millisecond may continue on the next page: hold them back so Covered stays exact.
            carry = [];
            if (batch.Count > 0)
            {
                var lastTs = batch[^1].Timestamp;
                var split = batch.FindIndex(t => t.Timestamp == lastTs);
                carry.AddRange(batch.Skip(split));
                var trades = batch.Take(split).Select(t => t.ToTrade()).ToList();
                var covered = new TimeRange(coveredStart, Math.Max(coveredStart, lastTs));
                CoinbaseLog.TradePage(_logger, Exchange, url, trades.Count, covered.ToString());
                if (trades.Count > 0 || !covered.IsEmpty)
                {
                    yield return new TradePage(trades, covered);
                }

                coveredStart = covered.End;
            }

            cursor = after;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Per product, "Get product ticker" (<c>/products/{id}/ticker</c>: bid, ask, last price, time) and "Get product stats"
    /// (<c>/products/{id}/stats</c>: 24h open, high, low, volume in the base currency) — two requests each, paced by
    /// the rate limiter (all online products take a while: ~0.2 s per product). With <paramref name="symbols"/> null,
    /// every online spot product; swaps and futures give an empty list. Quote volume is null (not published).
    /// </remarks>
    /// <exception cref="NotSupportedException">Symbols were given for a swap or future market type.</exception>
    public async Task<IReadOnlyList<Ticker>> GetTickersAsync(MarketType type, IReadOnlyList<Symbol>? symbols = null, CancellationToken cancellationToken = default)
    {
        List<MarketInfo> markets;
        if (symbols is null)
        {
            markets = [.. (await GetMarketsAsync(type, cancellationToken).ConfigureAwait(false)).Where(m => m.Active)];
        }
        else
        {
            markets = new List<MarketInfo>(symbols.Count);
            foreach (var symbol in symbols)
            {
                markets.Add(await GetMarketAsync(symbol, type, cancellationToken).ConfigureAwait(false));
            }
        }

        var tickers = new List<Ticker>(markets.Count);
        foreach (var market in markets)
        {
            var tickerUrl = _api.ProductUrl(market.Id, "ticker");
            var ticker = await _api.GetAsync(tickerUrl, (body, u) => CoinbaseTickers.ParseTicker(body, u, Exchange), cancellationToken).ConfigureAwait(false);
            var statsUrl = _api.ProductUrl(market.Id, "stats");
            var stats = await _api.GetAsync(statsUrl, (body, u) => CoinbaseTickers.ParseStats(body, u, Exchange), cancellationToken).ConfigureAwait(false);
            tickers.Add(CoinbaseTickers.Combine(market.Symbol, ticker, stats, _time.GetUtcNow().ToUnixTimeMilliseconds(), tickerUrl, Exchange));
        }

        return tickers;
    }

    /// <summary>Disposes the HTTP client when the client created it, and the request limiter when it is the client's own.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        if (_ownsLimiter)
        {
            _api.Limiter?.Dispose();
        }

        _markets.Dispose();
    }

    /// <summary>Pages of a native granularity; see <see cref="GetCandlesAsync"/>.</summary>
    private async IAsyncEnumerable<CandlePage> NativePagesAsync(string productId, Timeframe tf, TimeRange range,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var g = tf.ApproximateMilliseconds;
        var seconds = CoinbaseGranularity.Seconds(tf);
        var cursor = tf.Ceiling(range.Start);
        var coveredStart = range.Start;
        long buckets = MaxCandlesPerRequest;
        while (cursor < range.End)
        {
            var closedUntil = ClosedUntil(tf);
            var windowEnd = Math.Min(Math.Min(range.End, cursor + (buckets * g)), closedUntil);
            if (windowEnd <= cursor)
            {
                // Only the candle in progress (or the future) is left: nothing the venue can prove yet.
                yield break;
            }

            var lastOpen = tf.Floor(windowEnd - 1);
            var url = _api.ProductUrl(productId, "candles", string.Create(CultureInfo.InvariantCulture,
                $"granularity={seconds}&start={CoinbaseJson.FormatIso(cursor)}&end={CoinbaseJson.FormatIso(lastOpen)}"));
            var raw = await _api.GetAsync(url, (body, u) => CoinbaseCandleParser.Parse(body, u, Exchange), cancellationToken).ConfigureAwait(false);
            if (raw.Count >= MaxCandlesPerRequest && raw[0].OpenTime > cursor && raw[0].OpenTime < windowEnd)
            {
                // A full answer missing the window's oldest buckets proves nothing before its first row: ask for those alone.
                buckets = (raw[0].OpenTime - cursor) / g;
                if (buckets < 1)
                {
                    throw new MalformedResponseException(Exchange, url, $"a full page of {raw.Count} candles starts after the requested start {TimeRange.FormatTime(cursor)}");
                }

                continue;
            }

            buckets = MaxCandlesPerRequest;
            var (page, next) = ToPage(raw, cursor, coveredStart, windowEnd, tf, url);
            CoinbaseLog.CandlePage(_logger, Exchange, url, page.Candles.Count, page.Covered.ToString());
            if (page.Candles.Count > 0 || !page.Covered.IsEmpty)
            {
                yield return page;
            }

            coveredStart = page.Covered.End;
            cursor = next;
        }
    }

    /// <summary>
    /// The candles of one window answer inside <c>[cursor, windowEnd)</c> and the range they prove: the whole window
    /// for a short answer, up to the newest candle for a full one (the next window starts there).
    /// </summary>
    /// <exception cref="MalformedResponseException">A full answer that ends before the cursor (paging would not advance).</exception>
    internal (CandlePage Page, long Next) ToPage(List<Candle> raw, long cursor, long coveredStart, long windowEnd, Timeframe tf, Uri url)
    {
        var candles = raw;
        if (raw.Count > 0 && (raw[0].OpenTime < cursor || raw[^1].OpenTime >= windowEnd || !AllAligned(raw, tf)))
        {
            candles = raw.FindAll(c => c.OpenTime >= cursor && c.OpenTime < windowEnd && tf.IsAligned(c.OpenTime));
        }

        if (raw.Count >= MaxCandlesPerRequest && raw[^1].OpenTime < tf.Floor(windowEnd - 1))
        {
            // A full answer that stops inside the window: only up to its newest candle is proven.
            var next = tf.Next(tf.Floor(raw[^1].OpenTime));
            if (next <= cursor)
            {
                throw new MalformedResponseException(Exchange, url,
                    $"a full page of {raw.Count} candles ends at {TimeRange.FormatTime(raw[^1].OpenTime)}, before the requested start {TimeRange.FormatTime(cursor)}; paging would not advance");
            }

            return (new CandlePage(candles, new TimeRange(coveredStart, next)), next);
        }

        return (new CandlePage(candles, new TimeRange(coveredStart, windowEnd)), windowEnd);

        static bool AllAligned(List<Candle> list, Timeframe t)
        {
            foreach (var c in list)
            {
                if (!t.IsAligned(c.OpenTime))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Pages of a timeframe built from native <paramref name="source"/> candles; see <see cref="GetCandlesAsync"/>.</summary>
    private async IAsyncEnumerable<CandlePage> AggregatedPagesAsync(string productId, Timeframe source, Timeframe tf, TimeRange range,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sourceRange = new TimeRange(tf.Ceiling(range.Start), tf.Ceiling(range.End));
        var coveredStart = range.Start;
        var bucket = new BucketBuilder(tf);
        await foreach (var sourcePage in NativePagesAsync(productId, source, sourceRange, cancellationToken).ConfigureAwait(false))
        {
            var done = new List<Candle>();
            foreach (var c in sourcePage.Candles)
            {
                if (bucket.Add(c) is { } finished)
                {
                    done.Add(finished);
                }
            }

            // Every bucket that ends by the source coverage is complete.
            var boundary = tf.Floor(sourcePage.Covered.End);
            if (bucket.Current is { } open && tf.Next(open.OpenTime) <= sourcePage.Covered.End)
            {
                done.Add(open);
                bucket.Reset();
            }

            var end = Math.Min(range.End, Math.Max(coveredStart, boundary));
            done.RemoveAll(c => c.OpenTime < range.Start || c.OpenTime >= end);
            if (done.Count > 0 || end > coveredStart)
            {
                yield return new CandlePage(done, new TimeRange(coveredStart, end));
            }

            coveredStart = end;
        }
    }

    /// <summary>The exclusive bound of closed, settled open times: candles opening before it ended at least <see cref="CoinbaseOptions.SettleDelay"/> ago.</summary>
    private long ClosedUntil(Timeframe tf) =>
        tf.Floor(_time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.SettleDelay.TotalMilliseconds);

    /// <summary>
    /// The smallest trade id whose trade is at or after <paramref name="start"/> (or a lower id with no trade when ids
    /// skip), by bisection over <c>[1, hi]</c> with one-trade probes. Requires the trade <paramref name="hi"/> to be at or after the start.
    /// </summary>
    private async Task<long> FindFirstTradeIdAsync(string productId, long start, long hi, CancellationToken cancellationToken)
    {
        long lo = 1;
        var probes = 0;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            var url = _api.ProductUrl(productId, "trades", string.Create(CultureInfo.InvariantCulture, $"after={mid + 1}&limit=1"));
            var page = await GetTradesPageAsync(url, cancellationToken).ConfigureAwait(false);
            probes++;
            var probe = page.Count > 0 ? page[^1] : (CoinbaseTrade?)null;
            if (probe is null || probe.Value.Id > mid || probe.Value.Timestamp < start)
            {
                lo = mid + 1;
            }
            else
            {
                hi = probe.Value.Id;
            }
        }

        CoinbaseLog.TradeCursorFound(_logger, Exchange, productId, TimeRange.FormatTime(start), lo, probes);
        return lo;
    }

    /// <summary>A trades page sorted ascending by id.</summary>
    private async Task<List<CoinbaseTrade>> GetTradesPageAsync(Uri url, CancellationToken cancellationToken)
    {
        var page = await _api.GetAsync(url, (body, u) => CoinbaseTradeParser.Parse(body, u, Exchange), cancellationToken).ConfigureAwait(false);
        page.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return page;
    }

    private async Task<MarketTable> GetTableAsync(CancellationToken cancellationToken)
    {
        return await _markets.GetAsync(async ct =>
        {
            var url = _api.Url("/products");
            var markets = await _api.GetAsync(url, (body, u) => CoinbaseProducts.Parse(body, u, Exchange), ct).ConfigureAwait(false);
            CoinbaseLog.MarketsLoaded(_logger, Exchange, markets.Count, markets.Count(m => m.Active));
            return new MarketTable(markets);
        }, cancellationToken).ConfigureAwait(false);
    }

    private void OnRetry(Exception exception, int attempt, TimeSpan delay)
    {
        Stats.OnRetry();
        var url = (exception as ExchangeException)?.Url ?? _options.BaseUrl;
        CoinbaseLog.Retrying(_logger, Exchange, url, exception.Message, attempt + 1, _options.MaxRetries, delay);
    }

    /// <summary>Spot markets indexed by unified symbol and by product id (first listing wins unless a later one is active and it is not).</summary>
    private sealed class MarketTable
    {
        private readonly Dictionary<Symbol, MarketInfo> _bySymbol = [];

        public MarketTable(IReadOnlyList<MarketInfo> markets)
        {
            foreach (var m in markets)
            {
                if (_bySymbol.TryGetValue(m.Symbol, out var existing) && (existing.Active || !m.Active))
                {
                    continue;
                }

                _bySymbol[m.Symbol] = m;
            }

            All = [.. _bySymbol.Values];
            ById = All.ToDictionary(m => m.Id.ToUpperInvariant(), StringComparer.Ordinal);
        }

        public IReadOnlyList<MarketInfo> All { get; }

        public Dictionary<string, MarketInfo> ById { get; }

        public bool TryGet(Symbol symbol, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MarketInfo? market) =>
            _bySymbol.TryGetValue(symbol, out market);
    }

    /// <summary>Aggregates ascending source candles into buckets of a larger timeframe.</summary>
    private sealed class BucketBuilder(Timeframe timeframe)
    {
        public Candle? Current { get; private set; }

        /// <summary>Adds a candle; returns the previous bucket when the candle opens a new one.</summary>
        public Candle? Add(Candle c)
        {
            var open = timeframe.Floor(c.OpenTime);
            if (Current is { } cur && cur.OpenTime == open)
            {
                Current = cur with
                {
                    High = Math.Max(cur.High, c.High),
                    Low = Math.Min(cur.Low, c.Low),
                    Close = c.Close,
                    Volume = cur.Volume + c.Volume,
                };
                return null;
            }

            var finished = Current;
            Current = new Candle(open, c.Open, c.High, c.Low, c.Close, c.Volume);
            return finished;
        }

        public void Reset() => Current = null;
    }
}
