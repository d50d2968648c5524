using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using Coinlake.Candles;
using Coinlake.Exchanges.Http;
using Coinlake.Exchanges.Okx.Rest;
using Coinlake.Markets;
using Coinlake.Text;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Exchanges.Okx;

/// <summary>
/// OKX REST connector (API v5, www.okx.com/docs-v5/en): markets from "Get instruments", last/mark/index candles
/// from the candlestick endpoints of "Market Data" / "Public Data", public trades from "GET / Trades history", 24h
/// tickers from "GET / Tickers". Every endpoint has its own documented request limit per 2 seconds, respected with
/// one sliding-window limiter per endpoint; transient failures (429/<c>50011</c>, 5xx, <c>50001</c>/<c>50004</c>/
/// <c>50013</c>/<c>50026</c>, timeouts, resets) are retried with backoff and jitter.
/// </summary>
/// <remarks>Thread-safe; several series may be fetched concurrently. Markets are cached per client and market type.</remarks>
public sealed partial class OkxClient : IMarketCatalog, ICandleHistoryClient, ITradeHistoryClient, ITickerClient, IMarketStreamClient, IDisposable
{
    /// <summary>Exchange id of OKX (ccxt: <c>okx</c>).</summary>
    public const string OkxId = "okx";

    /// <summary>Rows per <c>/api/v5/market/candles</c> request: the documented maximum (300).</summary>
    public const int RecentCandleLimit = 300;

    /// <summary>Rows per mark/index candle request (recent and history endpoints): the documented maximum (100).</summary>
    public const int PriceCandleLimit = 100;

    /// <summary>Rows per <c>/api/v5/market/history-trades</c> request: the documented maximum (100).</summary>
    public const int HistoryTradeLimit = 100;

    /// <summary>The most trades <c>/api/v5/market/trades</c> returns (the latest 500).</summary>
    public const int RecentTradeLimit = 500;

    /// <summary>The recent candle endpoints hold the latest 1,440 candles ("GET / Candlesticks").</summary>
    public const int RecentCandleReach = 1440;

    // Windows are sent to the recent endpoints only when they start this many candles inside the 1,440 the venue
    // keeps, so the window cannot slide out of reach between the decision and the answer.
    private const int RecentReachMargin = 100;

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly OkxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly OkxRateLimiters? _limiters;
    private readonly OkxRestApi _api;
    private readonly Dictionary<MarketType, LoadOnce<MarketTable>> _markets = new()
    {
        [MarketType.Spot] = new(),
        [MarketType.Swap] = new(),
        [MarketType.Future] = new(),
    };

    /// <summary>Creates a client for <c>okx</c>.</summary>
    /// <param name="httpClient">Sends the requests; not disposed by the client. Its <see cref="HttpClient.Timeout"/> should exceed <see cref="OkxOptions.RequestTimeout"/>.</param>
    /// <param name="options">Settings; validated, then copied.</param>
    /// <param name="timeProvider">Clock for rate limiting, retries, timeouts and the candle in progress; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives retries, rate-limit waits and pages.</param>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="OkxOptions.Validate"/>).</exception>
    public OkxClient(HttpClient httpClient, OkxOptions options, TimeProvider? timeProvider = null, ILogger<OkxClient>? logger = null)
        : this(OkxId, httpClient, ownsHttpClient: false, options, timeProvider, logger)
    {
    }

    private OkxClient(string exchange, HttpClient httpClient, bool ownsHttpClient, OkxOptions options, TimeProvider? timeProvider, ILogger? logger)
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
        _limiters = _options.RespectRateLimits ? new OkxRateLimiters(_options.RateLimitWindow, _options.RateLimitShare, _time) : null;
        var pipeline = RetryPipeline.Create(_options.MaxRetries, _options.RetryBaseDelay, _options.MaxRetryDelay, _time, OnRetry);
        _api = new OkxRestApi(exchange, _options.BaseUrl, _http, _limiters, pipeline, Stats, _time, _options.RequestTimeout,
            _options.RateLimitWindow, _logger);
    }

    /// <inheritdoc/>
    public string Exchange { get; }

    /// <inheritdoc/>
    public RequestStats Stats { get; } = new();

    /// <summary>The exchange ids <see cref="Create"/> accepts: <c>okx</c>.</summary>
    public static IReadOnlyList<string> ExchangeIds { get; } = [OkxId];

    /// <summary>The per-endpoint limiters (null when rate limits are not respected); for tests.</summary>
    internal OkxRateLimiters? Limiters => _limiters;

    /// <summary>Creates a client for one of <see cref="ExchangeIds"/>.</summary>
    /// <param name="exchangeId"><c>okx</c> (case-insensitive).</param>
    /// <param name="httpClient">Sends the requests; not disposed by the client.</param>
    /// <param name="baseUrlOverride">Replaces <see cref="OkxOptions.BaseUrl"/> (mirrors such as <c>https://us.okx.com</c>, fake servers).</param>
    /// <param name="options">Settings; defaults when null. Not modified.</param>
    /// <param name="timeProvider">Clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives retries, rate-limit waits and pages.</param>
    /// <exception cref="ArgumentException">Unknown id (the message names the closest known ids) or invalid options.</exception>
    public static OkxClient Create(string exchangeId, HttpClient httpClient, Uri? baseUrlOverride = null, OkxOptions? options = null,
        TimeProvider? timeProvider = null, ILogger<OkxClient>? logger = null) =>
        CreateShared(exchangeId, httpClient, ownsHttpClient: false, baseUrlOverride, options, timeProvider, logger);

    /// <summary>As <see cref="Create"/>, optionally taking ownership of <paramref name="httpClient"/> (disposed with the client).</summary>
    internal static OkxClient CreateShared(string exchangeId, HttpClient httpClient, bool ownsHttpClient, Uri? baseUrlOverride, OkxOptions? options,
        TimeProvider? timeProvider, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(exchangeId);
        var id = exchangeId.Trim().ToLowerInvariant();
        if (!ExchangeIds.Contains(id, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"'{exchangeId}' is not an OKX exchange id; use one of {string.Join(", ", ExchangeIds)} (closest: {string.Join(", ", Fuzzy.Closest(exchangeId, ExchangeIds))}).",
                nameof(exchangeId));
        }

        var o = (options ?? new OkxOptions()).Clone();
        if (baseUrlOverride is not null)
        {
            o.BaseUrl = baseUrlOverride;
        }

        return new OkxClient(id, httpClient, ownsHttpClient, o, timeProvider, logger);
    }

    /// <summary>
    /// Spot serves last-price candles (<c>/market/candles</c>, <c>/market/history-candles</c>); swaps and dated futures
    /// serve last, mark (<c>/market/mark-price-candles</c>, <c>history-mark-price-candles</c>, by instId) and index
    /// (<c>/market/index-candles</c>, <c>history-index-candles</c>, by the index id = instrument family, e.g.
    /// <c>BTC-USDT</c>) candles.
    /// </summary>
    public bool Supports(MarketType type, PriceType price) => type switch
    {
        MarketType.Spot => price == PriceType.Last,
        MarketType.Swap or MarketType.Future => Enum.IsDefined(price),
        _ => false,
    };

    /// <inheritdoc/>
    /// <remarks>From <c>GET /api/v5/public/instruments?instType=SPOT|SWAP|FUTURES</c>; loaded once per client and type.</remarks>
    public async Task<IReadOnlyList<MarketInfo>> GetMarketsAsync(MarketType type, CancellationToken cancellationToken = default) =>
        (await GetTableAsync(type, cancellationToken).ConfigureAwait(false)).Markets;

    /// <inheritdoc/>
    public async Task<MarketInfo> GetMarketAsync(Symbol symbol, MarketType type, CancellationToken cancellationToken = default) =>
        (await GetOkxMarketAsync(symbol, type, cancellationToken).ConfigureAwait(false)).Market;

    /// <summary>The unified market of an OKX instrument id (<c>BTC-USDT-SWAP</c> → <c>BTC/USDT:USDT</c>), or null when not listed.</summary>
    public async Task<MarketInfo?> FindByIdAsync(string instId, MarketType type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instId);
        var table = await GetTableAsync(type, cancellationToken).ConfigureAwait(false);
        return table.TryGetById(instId, out var market) ? market.Market : null;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// Paging follows ccxt's use of OKX's cursors: candles come newest first, <c>after</c> = "records earlier than
    /// ts" and <c>before</c> = "records newer than ts" (both exclusive), so each request asks for one window of at most
    /// <c>limit</c> open times, <c>before = cursor - 1</c> and <c>after = cursor + limit × timeframe</c>: the venue's
    /// answer is then complete for the window whatever order or gaps it has. Windows go forward, so pages are yielded
    /// oldest first, each ascending, unique and filtered to the request range (a candle repeated at a window boundary
    /// or outside it is dropped).
    /// </para>
    /// <para>
    /// Endpoint: windows that start within the latest 1,440 candles (minus a 100-candle margin) use the recent endpoint
    /// (<c>/market/candles</c>, limit 300, 40 requests/2 s; mark/index limit 100); older ones the history endpoint
    /// (<c>/market/history-candles</c>, limit <see cref="OkxOptions.HistoryCandleLimit"/>, 20/2 s; mark/index 100,
    /// 10/2 s). Bars: <c>1m 3m 5m 15m 30m 1H 2H 4H 6Hutc 12Hutc 1Dutc 1Wutc 1Mutc</c> (and <c>1s</c> for last prices).
    /// </para>
    /// <para>
    /// Coverage: a window is proven up to the open time of the current, unfinished candle only: rows with
    /// <c>confirm</c> = 0 are never returned and the range from them on is never claimed empty. <c>1s</c> history
    /// reaches back 3 months only, so empty <c>1s</c> answers older than that prove nothing.
    /// </para>
    /// </remarks>
    /// <exception cref="NotSupportedException">The price type is not served for the market type (see <see cref="Supports"/>), or OKX has no bar for the timeframe (<c>8h</c>, <c>3d</c>; <c>1s</c> for mark/index).</exception>
    /// <exception cref="MalformedResponseException">A page could not be parsed; the message names the URL.</exception>
    public async IAsyncEnumerable<CandlePage> GetCandlesAsync(CandleRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Supports(request.MarketType, request.Price))
        {
            throw new NotSupportedException(
                $"{Exchange} has no {request.Price.ToName()} candles for {request.MarketType.ToName()} markets; mark and index candles exist for swaps and futures only.");
        }

        var tf = request.Timeframe;
        var bar = OkxBars.Of(tf);
        if (bar is null || (tf.Unit == TimeframeUnit.Second && request.Price != PriceType.Last))
        {
            throw new NotSupportedException(
                $"{Exchange} has no {tf} {request.Price.ToName()} candles; use one of 1m 3m 5m 15m 30m 1h 2h 4h 6h 12h 1d 1w 1M (1s for last prices).");
        }

        var range = request.Range;
        if (range.IsEmpty)
        {
            yield break;
        }

        var market = await GetOkxMarketAsync(request.Symbol, request.MarketType, cancellationToken).ConfigureAwait(false);
        var (recent, history, recentLimit, historyLimit, shape) = request.Price switch
        {
            PriceType.Mark => (OkxEndpoint.MarkPriceCandles, OkxEndpoint.HistoryMarkPriceCandles, PriceCandleLimit, PriceCandleLimit, OkxCandleShape.PriceOnly),
            PriceType.Index => (OkxEndpoint.IndexCandles, OkxEndpoint.HistoryIndexCandles, PriceCandleLimit, PriceCandleLimit, OkxCandleShape.PriceOnly),
            _ => (OkxEndpoint.Candles, OkxEndpoint.HistoryCandles, RecentCandleLimit, _options.HistoryCandleLimit,
                request.MarketType == MarketType.Spot ? OkxCandleShape.Spot : OkxCandleShape.Derivative),
        };
        var id = request.Price == PriceType.Index ? market.IndexId : market.Market.Id;
        var prefix = string.Concat("instId=", Uri.EscapeDataString(id), "&bar=", bar);

        var coveredStart = range.Start;
        var cursor = tf.Ceiling(range.Start);
        while (cursor < range.End)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var closedUntil = tf.Floor(now);
            if (cursor >= closedUntil)
            {
                break; // only the candle in progress (or the future) is left: nothing to fetch, nothing to prove
            }

            var useRecent = _options.UseRecentEndpoints && cursor >= tf.Add(closedUntil, -(RecentCandleReach - RecentReachMargin));
            var endpoint = useRecent ? recent : history;
            var limit = useRecent ? recentLimit : historyLimit;
            var windowEnd = Math.Min(range.End, tf.Add(cursor, limit));
            var url = _api.Url(endpoint, string.Create(CultureInfo.InvariantCulture,
                $"{prefix}&before={cursor - 1}&after={windowEnd}&limit={limit}"));
            var rows = await _api.GetAsync(endpoint, url, (data, u) => OkxCandleParser.Parse(data, u, Exchange, shape), cancellationToken)
                .ConfigureAwait(false);
            var candles = InWindow(rows.Candles, cursor, windowEnd);

            // Proven: up to the window's end, but never from the candle in progress on (closed before the request, not
            // marked unfinished), nor older than the venue's reach.
            var provenEnd = Math.Min(windowEnd, Math.Min(closedUntil, rows.FirstUnconfirmed));
            var provenStart = coveredStart;
            if (tf.Unit == TimeframeUnit.Second)
            {
                provenStart = Math.Max(provenStart, now - (long)TimeSpan.FromDays(90).TotalMilliseconds);
            }

            var covered = provenEnd > provenStart ? new TimeRange(provenStart, provenEnd) : new TimeRange(provenStart, provenStart);
            var page = new CandlePage(candles, covered);
            OkxLog.CandlePage(_logger, Exchange, url, candles.Count, covered.ToString());
            if (candles.Count > 0 || !covered.IsEmpty)
            {
                yield return page;
            }

            if (provenEnd < windowEnd)
            {
                break; // the rest of the range is not closed yet (or the venue still calls it unfinished)
            }

            coveredStart = windowEnd;
            cursor = windowEnd;
        }
    }

    /// <summary>
    /// <see cref="TradeHistoryDepth.Full"/> for every market type, within the venue's reach: "GET / Trades history"
    /// pages through the last 3 months (<see cref="OkxOptions.TradeHistoryReach"/>); older trades cannot be fetched.
    /// (<c>/market/trades</c>, see <see cref="GetRecentTradesAsync"/>, is <see cref="TradeHistoryDepth.RecentOnly"/>:
    /// the latest 500.)
    /// </summary>
    public TradeHistoryDepth TradeDepth(MarketType type) => TradeHistoryDepth.Full;

    /// <summary>False: OKX's history-trades endpoint pages backwards only (see <see cref="GetTradesAsync"/>).</summary>
    public bool PagesOldestFirst => false;

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// <c>GET /api/v5/market/history-trades</c> pages backwards only ("after: return records earlier than the requested
    /// tradeId or ts"; <c>before</c> does not take timestamps): the first request is <c>type=2&amp;after=</c>range end
    /// (trades before it, newest first), the next ones <c>type=1&amp;after=</c>the oldest trade id received, 100 a page,
    /// until a trade before the range start appears or a page is short. Pages are therefore yielded newest range first
    /// (each page ascending by time then id, ids unique across pages); their <see cref="TradePage.Covered"/> ranges
    /// tile the request range from its end down. Holding the whole range to reverse it would break the one-page-in-memory rule.
    /// </para>
    /// <para>
    /// A full page covers <c>[oldest ts + 1, previous bound)</c> (trades sharing the oldest timestamp may continue on the
    /// next page); a short page proves there is nothing older down to the range start, or down to now minus
    /// <see cref="OkxOptions.TradeHistoryReach"/> when that is later (the venue's 3-month reach). Amounts are base
    /// currency for spot and contracts for swaps and futures (OKX <c>sz</c>).
    /// </para>
    /// </remarks>
    /// <exception cref="MalformedResponseException">A page could not be parsed; the message names the URL.</exception>
    public async IAsyncEnumerable<TradePage> GetTradesAsync(TradeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var range = request.Range;
        if (range.IsEmpty)
        {
            yield break;
        }

        var market = await GetOkxMarketAsync(request.Symbol, request.MarketType, cancellationToken).ConfigureAwait(false);
        var prefix = "instId=" + Uri.EscapeDataString(market.Market.Id);
        var upper = range.End;
        string? afterId = null;
        while (upper > range.Start)
        {
            var query = afterId is null
                ? string.Create(CultureInfo.InvariantCulture, $"{prefix}&type=2&after={range.End}&limit={HistoryTradeLimit}")
                : string.Create(CultureInfo.InvariantCulture, $"{prefix}&type=1&after={afterId}&limit={HistoryTradeLimit}");
            var url = _api.Url(OkxEndpoint.HistoryTrades, query);
            var raw = await _api.GetAsync(OkxEndpoint.HistoryTrades, url, (data, u) => OkxObjectParsers.ParseTrades(data, u, Exchange), cancellationToken)
                .ConfigureAwait(false);
            var reach = _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.TradeHistoryReach.TotalMilliseconds;

            // Newest first from the venue; keep only trades older than the cursor (a repeat at the boundary is dropped).
            var fresh = afterId is null ? raw : raw.FindAll(t => TradeIds.Compare(t.Id, afterId) < 0);
            Trade? oldest = null;
            foreach (var t in fresh)
            {
                if (oldest is null || t.Timestamp < oldest.Value.Timestamp
                    || (t.Timestamp == oldest.Value.Timestamp && TradeIds.Compare(t.Id, oldest.Value.Id) < 0))
                {
                    oldest = t;
                }
            }

            var trades = fresh.FindAll(t => t.Timestamp >= range.Start && t.Timestamp < range.End);
            trades.Sort(static (a, b) => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : TradeIds.Compare(a.Id, b.Id));
            Dedupe(trades);

            if (oldest is null && raw.Count >= HistoryTradeLimit)
            {
                throw new MalformedResponseException(Exchange, url,
                    $"a full page of {raw.Count} trades holds none older than trade {afterId}; paging would not advance");
            }

            long low;
            bool done;
            if (raw.Count < HistoryTradeLimit || oldest is null)
            {
                low = Math.Max(range.Start, Math.Min(reach, oldest?.Timestamp ?? long.MaxValue));
                done = true;
            }
            else if (oldest.Value.Timestamp < range.Start)
            {
                low = range.Start;
                done = true;
            }
            else
            {
                low = Math.Min(upper, oldest.Value.Timestamp + 1);
                done = false;
            }

            var covered = low < upper ? new TimeRange(low, upper) : new TimeRange(upper, upper);
            OkxLog.TradePage(_logger, Exchange, url, trades.Count, covered.ToString());
            if (trades.Count > 0 || !covered.IsEmpty)
            {
                yield return new TradePage(trades, covered);
            }

            if (done)
            {
                yield break;
            }

            upper = low;
            afterId = oldest!.Value.Id;
        }
    }

    /// <summary>
    /// The latest trades of a market from <c>GET /api/v5/market/trades</c> ("Up to 500 most recent historical public
    /// transaction data can be retrieved"; 100 requests/2 s): <see cref="TradeHistoryDepth.RecentOnly"/>. Ascending by
    /// time then id.
    /// </summary>
    /// <param name="symbol">Unified symbol.</param>
    /// <param name="type">Market type.</param>
    /// <param name="limit">1..500 trades.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is outside 1..500.</exception>
    /// <exception cref="UnknownSymbolException">The symbol is not listed.</exception>
    public async Task<IReadOnlyList<Trade>> GetRecentTradesAsync(Symbol symbol, MarketType type, int limit = RecentTradeLimit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, RecentTradeLimit);
        var market = await GetOkxMarketAsync(symbol, type, cancellationToken).ConfigureAwait(false);
        var url = _api.Url(OkxEndpoint.Trades, string.Create(CultureInfo.InvariantCulture, $"instId={Uri.EscapeDataString(market.Market.Id)}&limit={limit}"));
        var trades = await _api.GetAsync(OkxEndpoint.Trades, url, (data, u) => OkxObjectParsers.ParseTrades(data, u, Exchange), cancellationToken)
            .ConfigureAwait(false);
        trades.Sort(static (a, b) => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : TradeIds.Compare(a.Id, b.Id));
        Dedupe(trades);
        return trades;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One symbol: <c>GET /api/v5/market/ticker?instId=</c>; otherwise <c>GET /api/v5/market/tickers?instType=</c>
    /// (20 requests/2 s each), filtered to <paramref name="symbols"/> when given; instruments the catalog does not list
    /// are skipped. Last = <c>last</c>, bid/ask = <c>bidPx</c>/<c>askPx</c>, high/low/open = <c>high24h</c>/
    /// <c>low24h</c>/<c>open24h</c> (a rolling 24 h window), change = last - open24h and its percentage of open24h.
    /// Volumes ("GET / Tickers"): spot base = <c>vol24h</c>, quote = <c>volCcy24h</c>; derivatives base =
    /// <c>volCcy24h</c> (<c>vol24h</c> counts contracts) and no quote volume.
    /// </remarks>
    public async Task<IReadOnlyList<Ticker>> GetTickersAsync(MarketType type, IReadOnlyList<Symbol>? symbols = null, CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(type, cancellationToken).ConfigureAwait(false);
        var wanted = new List<OkxMarket>();
        foreach (var s in symbols ?? [])
        {
            wanted.Add(await GetOkxMarketAsync(s, type, cancellationToken).ConfigureAwait(false));
        }

        Uri url;
        OkxEndpoint endpoint;
        if (wanted.Count == 1)
        {
            endpoint = OkxEndpoint.Ticker;
            url = _api.Url(endpoint, "instId=" + Uri.EscapeDataString(wanted[0].Market.Id));
        }
        else
        {
            endpoint = OkxEndpoint.Tickers;
            url = _api.Url(endpoint, "instType=" + OkxInstruments.InstType(type));
        }

        var rows = await _api.GetAsync(endpoint, url, (data, u) => OkxObjectParsers.ParseTickers(data, u, Exchange), cancellationToken)
            .ConfigureAwait(false);
        var filter = symbols is null ? null : wanted.Select(m => m.Market.Id).ToHashSet(StringComparer.Ordinal);
        var received = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var tickers = new List<Ticker>(rows.Count);
        foreach (var row in rows)
        {
            if ((filter is not null && !filter.Contains(row.InstId)) || !table.TryGetById(row.InstId, out var market))
            {
                continue;
            }

            var spot = type == MarketType.Spot;
            decimal? change = row.Last is { } last && row.Open24h is { } open ? last - open : null;
            decimal? percent = change is { } c && row.Open24h is { } o && o != 0 ? decimal.Round(c / o * 100, 8, MidpointRounding.AwayFromZero) : null;
            tickers.Add(new Ticker(market.Market.Symbol, row.Timestamp > 0 ? row.Timestamp : received, row.Last, row.Bid, row.Ask, row.High24h, row.Low24h,
                row.Open24h, spot ? row.Vol24h : row.VolCcy24h, spot ? row.VolCcy24h : null, change, percent));
        }

        return tickers;
    }

    /// <summary>Disposes the rate limiters and, when the client created it, the HTTP client.</summary>
    public void Dispose()
    {
        _limiters?.Dispose();
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        foreach (var cache in _markets.Values)
        {
            cache.Dispose();
        }
    }

    /// <summary>The candles of <paramref name="raw"/> with open times in [start, end), ascending and unique.</summary>
    internal static List<Candle> InWindow(List<Candle> raw, long start, long end)
    {
        var candles = raw.FindAll(c => c.OpenTime >= start && c.OpenTime < end);
        candles.Sort(static (a, b) => a.OpenTime.CompareTo(b.OpenTime));
        var write = 0;
        for (var read = 0; read < candles.Count; read++)
        {
            if (write == 0 || candles[read].OpenTime != candles[write - 1].OpenTime)
            {
                candles[write++] = candles[read];
            }
        }

        candles.RemoveRange(write, candles.Count - write);
        return candles;
    }

    private static void Dedupe(List<Trade> sorted)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        sorted.RemoveAll(t => !seen.Add(t.Id));
    }

    private async Task<OkxMarket> GetOkxMarketAsync(Symbol symbol, MarketType type, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        var table = await GetTableAsync(type, cancellationToken).ConfigureAwait(false);
        if (table.TryGet(symbol, out var market))
        {
            return market;
        }

        // Compare in the requested type's syntax, so BTC/USDT asked as a swap suggests BTC/USDT:USDT before BTC/USD:BTC.
        var needle = type switch
        {
            MarketType.Spot => new Symbol(symbol.Base, symbol.Quote),
            MarketType.Swap => new Symbol(symbol.Base, symbol.Quote, symbol.Settle ?? symbol.Quote),
            _ => symbol,
        };
        var candidates = table.Markets.Select(m => m.Symbol.ToString());
        throw new UnknownSymbolException(Exchange, symbol.ToString(), Fuzzy.Closest(needle.ToString(), candidates));
    }

    private Task<MarketTable> GetTableAsync(MarketType type, CancellationToken cancellationToken)
    {
        if (!_markets.TryGetValue(type, out var cache))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "OKX markets are spot, swap or future.");
        }

        return cache.GetAsync(async ct =>
        {
            var instType = OkxInstruments.InstType(type);
            var url = _api.Url(OkxEndpoint.Instruments, "instType=" + instType);
            var markets = await _api.GetAsync(OkxEndpoint.Instruments, url, (data, u) => OkxInstruments.Parse(data, u, Exchange), ct)
                .ConfigureAwait(false);
            OkxLog.MarketsLoaded(_logger, Exchange, markets.Count, instType);
            return new MarketTable(markets.FindAll(m => m.Market.Type == type));
        }, cancellationToken);
    }

    private void OnRetry(Exception exception, int attempt, TimeSpan delay)
    {
        Stats.OnRetry();
        var url = (exception as ExchangeException)?.Url ?? _options.BaseUrl;
        OkxLog.Retrying(_logger, Exchange, url, exception.Message, attempt + 1, _options.MaxRetries, delay);
    }

    /// <summary>Orders trade ids numerically when both are integers (OKX ids are), else by length then ordinally.</summary>
    internal static class TradeIds
    {
        public static int Compare(string a, string b)
        {
            if (long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var x)
                && long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var y))
            {
                return x.CompareTo(y);
            }

            return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
        }
    }

    /// <summary>The markets of one type, indexed by unified symbol and by instrument id.</summary>
    private sealed class MarketTable
    {
        private readonly Dictionary<Symbol, OkxMarket> _bySymbol = [];
        private readonly Dictionary<string, OkxMarket> _byId = new(StringComparer.Ordinal);

        public MarketTable(List<OkxMarket> markets)
        {
            foreach (var m in markets)
            {
                if (_bySymbol.TryGetValue(m.Market.Symbol, out var existing) && (existing.Market.Active || !m.Market.Active))
                {
                    continue; // first listing wins unless a later one is active and the first is not
                }

                _bySymbol[m.Market.Symbol] = m;
            }

            foreach (var m in markets)
            {
                _byId.TryAdd(m.Market.Id, m);
            }

            Markets = [.. _bySymbol.Values.Select(m => m.Market)];
        }

        public IReadOnlyList<MarketInfo> Markets { get; }

        public bool TryGet(Symbol symbol, [NotNullWhen(true)] out OkxMarket? market) => _bySymbol.TryGetValue(symbol, out market);

        public bool TryGetById(string id, [NotNullWhen(true)] out OkxMarket? market) => _byId.TryGetValue(id, out market);
    }
}
