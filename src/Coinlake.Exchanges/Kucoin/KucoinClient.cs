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

namespace Coinlake.Exchanges.Kucoin;

/// <summary>
/// KuCoin spot REST connector (<c>https://api.kucoin.com</c>, docs-new "Spot Trading / Market Data"): markets from
/// "Get All Symbols" (<c>/api/v2/symbols</c>), historical last-price candles from "Get Klines"
/// (<c>/api/v1/market/candles</c>), the most recent 100 trades from "Get Trade History"
/// (<c>/api/v1/market/histories</c>) and 24h tickers from "Get All Tickers" / "Get 24hr Stats". Spot only: KuCoin's
/// futures live on another host and API (<c>api-futures.kucoin.com</c>) this connector does not call.
/// </summary>
/// <remarks>
/// <para>
/// Rate limits ("Rate Limit", REST): every route draws its documented weight from the <c>Public</c> resource pool,
/// 2000 per 30-second window counted from the first request (<see cref="KucoinOptions.PublicPoolQuota"/>); past it
/// KuCoin answers HTTP 429 with code 429000 and the milliseconds until the reset in <c>gw-ratelimit-reset</c>. The
/// client reserves weights in the shared <see cref="WeightLimiter"/> (whole UTC minutes) with half the 30-second quota
/// per minute: a 30-second window overlaps at most two minute windows, so no window of KuCoin's can exceed its quota
/// however the windows fall. A 429 pauses the host's limiter and is retried after the reset time; 5xx answers,
/// timeouts and resets are retried with exponential backoff and jitter (<see cref="RetryPipeline"/>).
/// </para>
/// Thread-safe; several series may be fetched concurrently. Markets are loaded once per client.
/// </remarks>
public sealed partial class KucoinClient : IMarketCatalog, ICandleHistoryClient, ITradeHistoryClient, ITickerClient, IMarketStreamClient, IDisposable
{
    /// <summary>Exchange id of KuCoin (spot).</summary>
    public const string KucoinId = "kucoin";

    /// <summary>Trades "Get Trade History" returns: "the returned quantity is the last 100 transaction records".</summary>
    public const int RecentTradeCount = 100;

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly KucoinOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KucoinRestApi _api;
    private readonly LoadOnce<MarketTable> _markets = new();

    /// <summary>Creates a client for <c>kucoin</c>.</summary>
    /// <param name="httpClient">Sends the requests; not disposed by the client. Its <see cref="HttpClient.Timeout"/> should exceed <see cref="KucoinOptions.RequestTimeout"/>.</param>
    /// <param name="options">Settings; validated, then copied.</param>
    /// <param name="timeProvider">Clock for rate limiting, retries, timeouts and the candle in progress; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives retries, rate-limit waits and pages.</param>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="KucoinOptions.Validate"/>).</exception>
    public KucoinClient(HttpClient httpClient, KucoinOptions options, TimeProvider? timeProvider = null, ILogger<KucoinClient>? logger = null)
        : this(KucoinId, httpClient, ownsHttpClient: false, options, timeProvider, logger, limiters: null)
    {
    }

    private KucoinClient(string exchange, HttpClient httpClient, bool ownsHttpClient, KucoinOptions options, TimeProvider? timeProvider,
        ILogger? logger, WeightLimiterPool? limiters)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Exchange = exchange;
        _http = httpClient;
        _ownsHttp = ownsHttpClient;
        _options = options.Clone();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        ChunkCandles = _options.CandlesPerRequest;
        var pipeline = RetryPipeline.Create(_options.MaxRetries, _options.RetryBaseDelay, _options.MaxRetryDelay, _time, OnRetry);
        var limiter = _options.RespectRateLimits
            ? (limiters ?? new WeightLimiterPool()).GetOrAdd(_options.BaseUrl, "public", _options.PublicPoolQuota / 2, _time, _logger)
            : null;
        _api = new KucoinRestApi(exchange, _options.BaseUrl, _http, limiter, pipeline, Stats, _time, _options.RequestTimeout, _logger);
    }

    /// <inheritdoc/>
    public string Exchange { get; }

    /// <inheritdoc/>
    public RequestStats Stats { get; } = new();

    /// <summary>The exchange ids <see cref="Create"/> accepts: <c>kucoin</c>.</summary>
    public static IReadOnlyList<string> ExchangeIds { get; } = [KucoinId];

    /// <summary>The host's limiter (null when rate limits are not respected); for tests.</summary>
    internal WeightLimiter? Limiter => _api.Limiter;

    /// <summary>
    /// Candle intervals per chunk: a range is fetched in chunks of at most this many intervals, oldest chunk first,
    /// each yielded as one page. Defaults to <see cref="KucoinOptions.CandlesPerRequest"/> (one request per chunk); tests
    /// raise it to make the venue cut answers and the client page back by <c>endAt</c> within a chunk.
    /// </summary>
    internal int ChunkCandles { get; set; }

    /// <summary>Creates a client for <c>kucoin</c> (case-insensitive).</summary>
    /// <param name="exchangeId">One of <see cref="ExchangeIds"/>.</param>
    /// <param name="httpClient">Sends the requests; not disposed by the client.</param>
    /// <param name="baseUrlOverride">Replaces <see cref="KucoinOptions.BaseUrl"/> (mirrors and fake servers).</param>
    /// <param name="options">Settings; defaults when null. Not modified.</param>
    /// <param name="timeProvider">Clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives retries, rate-limit waits and pages.</param>
    /// <exception cref="ArgumentException">Unknown id (the message names the known ones) or invalid options.</exception>
    public static KucoinClient Create(string exchangeId, HttpClient httpClient, Uri? baseUrlOverride = null, KucoinOptions? options = null,
        TimeProvider? timeProvider = null, ILogger<KucoinClient>? logger = null) =>
        CreateShared(exchangeId, httpClient, ownsHttpClient: false, baseUrlOverride, options, timeProvider, logger, limiters: null);

    /// <summary>As <see cref="Create"/>, sharing the per-host limiters of <paramref name="limiters"/> (for <see cref="ExchangeRegistry"/>).</summary>
    internal static KucoinClient CreateShared(string exchangeId, HttpClient httpClient, bool ownsHttpClient, Uri? baseUrlOverride,
        KucoinOptions? options, TimeProvider? timeProvider, ILogger? logger, WeightLimiterPool? limiters)
    {
        ArgumentNullException.ThrowIfNull(exchangeId);
        var id = exchangeId.Trim().ToLowerInvariant();
        if (!string.Equals(id, KucoinId, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"'{exchangeId}' is not a KuCoin exchange id; use {string.Join(", ", ExchangeIds)} (closest: {string.Join(", ", Fuzzy.Closest(exchangeId, ExchangeIds))}).",
                nameof(exchangeId));
        }

        var o = (options ?? new KucoinOptions()).Clone();
        if (baseUrlOverride is not null)
        {
            o.BaseUrl = baseUrlOverride;
        }

        return new KucoinClient(id, httpClient, ownsHttpClient, o, timeProvider, logger, limiters);
    }

    /// <summary>Spot last-price candles only: KuCoin spot has no mark or index klines, and futures are not served.</summary>
    public bool Supports(MarketType type, PriceType price) => type == MarketType.Spot && price == PriceType.Last;

    /// <summary>
    /// <see cref="TradeHistoryDepth.RecentOnly"/>: "Get Trade History" returns only the last 100 trades and cannot page
    /// back in time; older trades cannot be fetched over REST.
    /// </summary>
    public TradeHistoryDepth TradeDepth(MarketType type) => TradeHistoryDepth.RecentOnly;

    /// <inheritdoc/>
    /// <remarks>
    /// Spot markets from <c>GET /api/v2/symbols</c> (weight 4), loaded once per client; a failed load is tried again
    /// on the next call. Empty for swaps and futures (not served).
    /// </remarks>
    public async Task<IReadOnlyList<MarketInfo>> GetMarketsAsync(MarketType type, CancellationToken cancellationToken = default)
    {
        if (type != MarketType.Spot)
        {
            return [];
        }

        return (await GetTableAsync(cancellationToken).ConfigureAwait(false)).Markets;
    }

    /// <inheritdoc/>
    /// <remarks>Unified symbols are <c>BASE/QUOTE</c> of the current currency names; ids are KuCoin's <c>BASE-QUOTE</c> symbols, e.g. <c>BTC/USDT</c> ↔ <c>BTC-USDT</c>, <c>BSV/USDT</c> ↔ <c>BCHSV-USDT</c>.</remarks>
    /// <exception cref="NotSupportedException"><paramref name="type"/> is not spot.</exception>
    public async Task<MarketInfo> GetMarketAsync(Symbol symbol, MarketType type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        if (type != MarketType.Spot)
        {
            throw new NotSupportedException(
                $"{Exchange} serves spot markets only; KuCoin {type.ToName()} contracts (e.g. XBTUSDTM) live on api-futures.kucoin.com, which this connector does not call.");
        }

        var table = await GetTableAsync(cancellationToken).ConfigureAwait(false);
        if (table.BySymbol.TryGetValue(symbol, out var market))
        {
            return market;
        }

        throw new UnknownSymbolException(Exchange, symbol.ToString(), Fuzzy.Closest(symbol.ToString(), table.Markets.Select(m => m.Symbol.ToString())));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// <c>GET /api/v1/market/candles?symbol=&amp;type=&amp;startAt=&amp;endAt=</c> (weight 3): <c>startAt</c>/<c>endAt</c> in
    /// seconds, at most 1500 rows per answer, newest first, the candle in progress included ("Get Klines"). The range is
    /// cut into chunks of at most <see cref="KucoinOptions.CandlesPerRequest"/> intervals, oldest first; a chunk is
    /// asked for with <c>startAt</c> = its first open time and <c>endAt</c> = its end − 1 s (so the bounds mean the same
    /// whether KuCoin treats them as inclusive or exclusive). An answer with as many rows as the venue's maximum may be
    /// cut at its old end, so the chunk's older rest is asked for again with <c>endAt</c> before the oldest row, until
    /// an answer is short.
    /// </para>
    /// <para>
    /// Each chunk is yielded as one page: its candles ascending, unique (a row repeated at a page boundary is kept
    /// once), only open times inside the chunk, and <see cref="CandlePage.Covered"/> = the chunk — KuCoin returns every
    /// candle it has in the window ("Klines data may be incomplete. No data is published for intervals where there are
    /// no ticks"), so open times without a candle are proven empty. Open times from the candle in progress on (by the
    /// injected clock) are neither returned nor claimed: the range is cut at the start of the current interval.
    /// </para>
    /// </remarks>
    /// <exception cref="NotSupportedException">Not spot last-price, or a timeframe KuCoin lacks (1s, 3d) or aligns differently (1w opens on Thursdays).</exception>
    /// <exception cref="MalformedResponseException">An answer could not be parsed, held an open time off the timeframe's grid, or a full answer had no row inside its window (paging would not advance).</exception>
    public async IAsyncEnumerable<CandlePage> GetCandlesAsync(CandleRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Supports(request.MarketType, request.Price))
        {
            throw new NotSupportedException(
                $"{Exchange} has no {request.Price.ToName()} candles for {request.MarketType.ToName()} markets; it serves spot last-price klines only (GET /api/v1/market/candles).");
        }

        var tf = request.Timeframe;
        var type = KucoinIntervals.TypeOf(tf, out var whyNot) ?? throw new NotSupportedException($"{Exchange}: {whyNot}");
        var market = await GetMarketAsync(request.Symbol, request.MarketType, cancellationToken).ConfigureAwait(false);

        // Never claim (nor return) the candle in progress: stop at the open time of the current interval.
        var closedUntil = tf.Floor(_time.GetUtcNow().ToUnixTimeMilliseconds());
        var start = Math.Max(request.Range.Start, 0);
        var end = Math.Min(request.Range.End, closedUntil);
        var prefix = string.Create(CultureInfo.InvariantCulture, $"/api/v1/market/candles?symbol={Uri.EscapeDataString(market.Id)}&type={type}");
        var symbolText = request.Symbol.ToString();
        var tfText = tf.ToString();
        var cursor = start;
        while (cursor < end)
        {
            var chunkEnd = Math.Min(end, tf.Add(tf.Ceiling(cursor), ChunkCandles));
            var chunk = new TimeRange(cursor, chunkEnd);
            var candles = tf.CountIn(chunk) == 0 ? [] : await FetchChunkAsync(prefix, chunk, tf, cancellationToken).ConfigureAwait(false);
            var page = new CandlePage(candles, chunk);
            KucoinLog.Page(_logger, Exchange, symbolText, tfText, candles.Count, chunk.ToString());
            yield return page;
            cursor = chunkEnd;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// One request, <c>GET /api/v1/market/histories?symbol=</c> (weight 3): KuCoin returns only the last 100 trades
    /// (<see cref="TradeDepth"/> is <see cref="TradeHistoryDepth.RecentOnly"/>), so at most one page is yielded: the
    /// returned trades inside the range, ascending by time then sequence; id = <c>sequence</c>, time = <c>time</c> (ns)
    /// floored to ms, side = the taker's.
    /// </para>
    /// <para>
    /// <see cref="TradePage.Covered"/> is what the answer proves: from the oldest returned trade's next millisecond
    /// (trades of that very millisecond may have been cut; with fewer than 100 trades the answer is the whole history,
    /// so from the range start) up to the clock just before the request was sent. Older ranges are never claimed, so a
    /// caller polling more often than 100 trades happen gets a complete record.
    /// </para>
    /// </remarks>
    /// <exception cref="NotSupportedException"><see cref="TradeRequest.MarketType"/> is not spot.</exception>
    public async IAsyncEnumerable<TradePage> GetTradesAsync(TradeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var market = await GetMarketAsync(request.Symbol, request.MarketType, cancellationToken).ConfigureAwait(false);
        var range = request.Range;
        if (range.IsEmpty)
        {
            yield break;
        }

        var sentAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var url = _api.Url("/api/v1/market/histories?symbol=" + Uri.EscapeDataString(market.Id));
        var all = await _api.GetAsync(url, KucoinWeights.TradeHistory, (body, u) => KucoinMarketData.ParseTrades(body, u, Exchange), cancellationToken)
            .ConfigureAwait(false);
        var page = ToTradePage(all, range, sentAt);
        if (page.Trades.Count > 0 || !page.Covered.IsEmpty)
        {
            yield return page;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// All spot tickers from <c>GET /api/v1/market/allTickers</c> (weight 15, a snapshot taken every 2 s); one chosen
    /// symbol from <c>GET /api/v1/market/stats</c> (weight 15, a smaller answer); several chosen symbols from the
    /// all-tickers answer, in the order asked. Open = last − <c>changePrice</c> (KuCoin sends no open), change % =
    /// <c>changeRate</c> × 100. Tickers of ids not in the symbols list are skipped. Swaps and futures: empty.
    /// </remarks>
    /// <exception cref="UnknownSymbolException">A chosen symbol is not listed (checked before any ticker request).</exception>
    public async Task<IReadOnlyList<Ticker>> GetTickersAsync(MarketType type, IReadOnlyList<Symbol>? symbols = null, CancellationToken cancellationToken = default)
    {
        if (type != MarketType.Spot)
        {
            if (symbols is { Count: > 0 })
            {
                await GetMarketAsync(symbols[0], type, cancellationToken).ConfigureAwait(false); // throws NotSupportedException
            }

            return [];
        }

        var table = await GetTableAsync(cancellationToken).ConfigureAwait(false);
        var chosen = new List<MarketInfo>();
        foreach (var s in symbols ?? [])
        {
            chosen.Add(await GetMarketAsync(s, type, cancellationToken).ConfigureAwait(false));
        }

        if (symbols is { Count: 0 })
        {
            return [];
        }

        if (chosen.Count == 1)
        {
            var url = _api.Url("/api/v1/market/stats?symbol=" + Uri.EscapeDataString(chosen[0].Id));
            var sentAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var dto = await _api.GetAsync(url, KucoinWeights.Stats, (body, u) => KucoinMarketData.ParseStats(body, u, Exchange), cancellationToken)
                .ConfigureAwait(false);
            return [KucoinMarketData.ToTicker(chosen[0].Symbol, dto, sentAt)];
        }

        var allUrl = _api.Url("/api/v1/market/allTickers");
        var (time, tickers) = await _api.GetAsync(allUrl, KucoinWeights.AllTickers, (body, u) => KucoinMarketData.ParseAllTickers(body, u, Exchange), cancellationToken)
            .ConfigureAwait(false);
        var byId = new Dictionary<string, Ticker>(tickers.Count, StringComparer.Ordinal);
        foreach (var t in tickers)
        {
            if (t.Symbol is { } id && table.ById.TryGetValue(id, out var market))
            {
                byId[id] = KucoinMarketData.ToTicker(market.Symbol, t, time);
            }
        }

        if (symbols is null)
        {
            return [.. byId.Values];
        }

        return [.. chosen.Where(m => byId.ContainsKey(m.Id)).Select(m => byId[m.Id])];
    }

    /// <summary>Disposes the HTTP client when the client created it (<see cref="ExchangeRegistry"/>).</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        _markets.Dispose();
    }

    /// <summary>
    /// The page a trade-history answer proves for <paramref name="range"/>: trades in the range, and the range from the
    /// oldest trade's next millisecond (the range start when fewer than <see cref="RecentTradeCount"/> came) to
    /// <paramref name="sentAt"/>.
    /// </summary>
    internal static TradePage ToTradePage(List<Trade> ascending, TimeRange range, long sentAt)
    {
        var trades = new List<Trade>(ascending.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in ascending)
        {
            if (range.Contains(t.Timestamp) && seen.Add(t.Id))
            {
                trades.Add(t);
            }
        }

        var provenFrom = ascending.Count < RecentTradeCount || ascending.Count == 0 ? range.Start : ascending[0].Timestamp + 1;
        var coveredStart = Math.Min(Math.Max(range.Start, provenFrom), range.End);
        var coveredEnd = Math.Max(coveredStart, Math.Min(range.End, sentAt));
        return new TradePage(trades, new TimeRange(coveredStart, coveredEnd));
    }

    /// <summary>
    /// Fetches every candle of <paramref name="chunk"/>: asks for the whole chunk, then, while an answer is full (it may
    /// be cut at its old end), for the older rest before the oldest row received. Returns them ascending and unique.
    /// </summary>
    private async Task<List<Candle>> FetchChunkAsync(string prefix, TimeRange chunk, Timeframe tf, CancellationToken cancellationToken)
    {
        var collected = new List<Candle>();
        var pageEnd = chunk.End;
        while (pageEnd > chunk.Start)
        {
            var startAt = CeilSeconds(chunk.Start);
            var endAt = Math.Max(startAt, CeilSeconds(pageEnd) - 1);
            var url = _api.Url(string.Concat(prefix,
                "&startAt=", startAt.ToString(CultureInfo.InvariantCulture),
                "&endAt=", endAt.ToString(CultureInfo.InvariantCulture)));
            var raw = await _api.GetAsync(url, KucoinWeights.Candles, (body, u) => KucoinCandleParser.Parse(body, u, Exchange, tf), cancellationToken)
                .ConfigureAwait(false);
            KucoinLog.Answer(_logger, Exchange, url, raw.Count);
            var oldest = long.MaxValue;
            foreach (var c in raw)
            {
                if (c.OpenTime >= chunk.Start && c.OpenTime < pageEnd)
                {
                    collected.Add(c);
                    oldest = Math.Min(oldest, c.OpenTime);
                }
            }

            if (raw.Count < _options.CandlesPerRequest || oldest <= tf.Ceiling(chunk.Start))
            {
                break; // a short answer holds everything of its window; a full one reaching the chunk start as well
            }

            if (oldest == long.MaxValue)
            {
                throw new MalformedResponseException(Exchange, url,
                    $"a full answer of {raw.Count} klines has none inside the requested window {new TimeRange(chunk.Start, pageEnd)}; paging back would not advance");
            }

            KucoinLog.PagingBack(_logger, Exchange, url, raw.Count, TimeRange.FormatTime(oldest));
            pageEnd = oldest;
        }

        return Normalize(collected);
    }

    /// <summary>Sorts ascending by open time and keeps one candle per open time (the first received: the newer answer).</summary>
    internal static List<Candle> Normalize(List<Candle> candles)
    {
        if (candles.Count < 2)
        {
            return candles;
        }

        // Answers arrive newest first; a stable sort keeps, for a repeated open time, the row received first.
        var sorted = candles.Select((c, i) => (c, i)).OrderBy(x => x.c.OpenTime).ThenBy(x => x.i).Select(x => x.c).ToList();
        var unique = new List<Candle>(sorted.Count);
        foreach (var c in sorted)
        {
            if (unique.Count == 0 || unique[^1].OpenTime != c.OpenTime)
            {
                unique.Add(c);
            }
        }

        return unique;
    }

    /// <summary>Seconds of <paramref name="ms"/>, rounded up (open times are whole seconds, so "≥ ms" is "≥ the result").</summary>
    private static long CeilSeconds(long ms) => ms <= 0 ? 0 : (ms + 999) / 1000;

    private async Task<MarketTable> GetTableAsync(CancellationToken cancellationToken)
    {
        return await _markets.GetAsync(async ct =>
        {
            var url = _api.Url("/api/v2/symbols");
            var markets = await _api.GetAsync(url, KucoinWeights.Symbols, (body, u) => KucoinMarketData.ParseSymbols(body, u, Exchange), ct)
                .ConfigureAwait(false);
            KucoinLog.MarketsLoaded(_logger, Exchange, markets.Count);
            return new MarketTable(markets);
        }, cancellationToken).ConfigureAwait(false);
    }

    private void OnRetry(Exception exception, int attempt, TimeSpan delay)
    {
        Stats.OnRetry();
        var url = (exception as ExchangeException)?.Url ?? _options.BaseUrl;
        KucoinLog.Retrying(_logger, Exchange, url, exception.Message, attempt + 1, _options.MaxRetries, delay);
    }

    /// <summary>Spot markets indexed by unified symbol and by id; a symbol listed twice keeps the active listing.</summary>
    private sealed class MarketTable
    {
        public MarketTable(IReadOnlyList<MarketInfo> markets)
        {
            foreach (var m in markets)
            {
                ById[m.Id] = m;
                if (!BySymbol.TryGetValue(m.Symbol, out var existing) || (!existing.Active && m.Active))
                {
                    BySymbol[m.Symbol] = m;
                }
            }

            Markets = [.. BySymbol.Values];
        }

        public Dictionary<Symbol, MarketInfo> BySymbol { get; } = [];

        public Dictionary<string, MarketInfo> ById { get; } = new(StringComparer.Ordinal);

        public IReadOnlyList<MarketInfo> Markets { get; }
    }
}
