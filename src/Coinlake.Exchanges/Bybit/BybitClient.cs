using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using Coinlake.Candles;
using Coinlake.Exchanges.Bybit.Rest;
using Coinlake.Exchanges.Http;
using Coinlake.Markets;
using Coinlake.Text;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Exchanges.Bybit;

/// <summary>
/// Bybit REST connector (API v5, bybit-exchange.github.io/docs/v5): markets from "Get Instruments Info", candles from
/// "Get Kline", "Get Mark Price Kline" and "Get Index Price Kline", recent trades from "Get Recent Public Trades" and 24h
/// tickers from "Get Tickers", for the categories <c>spot</c>, <c>linear</c> (USDT/USDC perpetuals and futures) and
/// <c>inverse</c> (coin-margined perpetuals and futures). Requests are limited to
/// <see cref="BybitOptions.RequestsPerWindow"/> per <see cref="BybitOptions.RateLimitWindow"/> (Bybit: 600 per 5 s per
/// IP, "Rate Limit Rules"); transient failures are retried with backoff and jitter.
/// </summary>
/// <remarks>
/// Bybit uses one symbol id in several categories (<c>BTCUSDT</c> is both a spot pair and a USDT perpetual), so the
/// market type of a request selects the category: spot → <c>spot</c>; swaps and futures → <c>linear</c> when settled in
/// the quote coin, <c>inverse</c> when settled in the base coin. Thread-safe; markets are cached per client and category.
/// </remarks>
public sealed partial class BybitClient : IMarketCatalog, ICandleHistoryClient, ITradeHistoryClient, ITickerClient, IMarketStreamClient, IDisposable
{
    /// <summary>Exchange id of Bybit.</summary>
    public const string BybitId = "bybit";

    /// <summary>Most trades "Get Recent Public Trades" returns for <c>spot</c> (<c>limit</c> [1, 60]).</summary>
    public const int SpotRecentTradeLimit = 60;

    /// <summary>Most trades "Get Recent Public Trades" returns for <c>linear</c> and <c>inverse</c> (<c>limit</c> [1, 1000]).</summary>
    public const int DerivativesRecentTradeLimit = 1000;

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly bool _ownsLimiter;
    private readonly BybitOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BybitRestApi _api;
    private readonly LoadOnce<MarketTable>[] _markets = [new(), new(), new()];

    /// <summary>Creates a client for <c>bybit</c>.</summary>
    /// <param name="httpClient">Sends the requests; not disposed by the client. Its <see cref="HttpClient.Timeout"/> should exceed <see cref="BybitOptions.RequestTimeout"/>.</param>
    /// <param name="options">Settings; validated, then copied.</param>
    /// <param name="timeProvider">Clock for rate limiting, retries, timeouts and "closed candle" decisions; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives retries, rate-limit waits and blocks.</param>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="BybitOptions.Validate"/>).</exception>
    public BybitClient(HttpClient httpClient, BybitOptions options, TimeProvider? timeProvider = null, ILogger<BybitClient>? logger = null)
        : this(BybitId, httpClient, ownsHttpClient: false, options, timeProvider, logger, limiter: null)
    {
    }

    private BybitClient(string exchange, HttpClient httpClient, bool ownsHttpClient, BybitOptions options, TimeProvider? timeProvider,
        ILogger? logger, BybitRequestLimiter? limiter)
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
        if (_options.RespectRateLimits && limiter is null)
        {
            limiter = new BybitRequestLimiter(_options.BaseUrl.Authority, _options.RequestsPerWindow, _options.RateLimitWindow, _time, _logger);
            _ownsLimiter = true;
        }

        var pipeline = RetryPipeline.Create(_options.MaxRetries, _options.RetryBaseDelay, _options.MaxRetryDelay, _time, OnRetry);
        _api = new BybitRestApi(exchange, _options.BaseUrl, _http, _options.RespectRateLimits ? limiter : null, pipeline, Stats, _time,
            _options.RequestTimeout, _options.IpBanWait, _logger);
    }

    /// <inheritdoc/>
    public string Exchange { get; }

    /// <inheritdoc/>
    public RequestStats Stats { get; } = new();

    /// <summary>The exchange ids <see cref="Create"/> accepts: <c>bybit</c>.</summary>
    public static IReadOnlyList<string> ExchangeIds { get; } = [BybitId];

    /// <summary>The request limiter (null when rate limits are not respected); for tests.</summary>
    internal BybitRequestLimiter? Limiter => _api.Limiter;

    /// <summary>Creates a client for one of <see cref="ExchangeIds"/>.</summary>
    /// <param name="exchangeId"><c>bybit</c> (case-insensitive).</param>
    /// <param name="http">Sends the requests; not disposed by the client.</param>
    /// <param name="baseUrlOverride">Replaces <see cref="BybitOptions.BaseUrl"/> (testnet <c>https://api-testnet.bybit.com</c>, mirrors, fake servers).</param>
    /// <param name="options">Settings; defaults when null. Not modified.</param>
    /// <param name="timeProvider">Clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives retries, rate-limit waits and blocks.</param>
    /// <exception cref="ArgumentException">Unknown id (the message names the known ones) or invalid options.</exception>
    public static BybitClient Create(string exchangeId, HttpClient http, Uri? baseUrlOverride = null, BybitOptions? options = null,
        TimeProvider? timeProvider = null, ILogger<BybitClient>? logger = null) =>
        CreateShared(exchangeId, http, ownsHttpClient: false, baseUrlOverride, options, timeProvider, logger, limiter: null);

    /// <summary>As <see cref="Create"/>, owning the HTTP client and optionally sharing a request limiter with other clients of the same host.</summary>
    internal static BybitClient CreateShared(string exchangeId, HttpClient http, bool ownsHttpClient, Uri? baseUrlOverride, BybitOptions? options,
        TimeProvider? timeProvider, ILogger? logger, BybitRequestLimiter? limiter)
    {
        ArgumentNullException.ThrowIfNull(exchangeId);
        var id = exchangeId.Trim().ToLowerInvariant();
        if (!ExchangeIds.Contains(id, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"'{exchangeId}' is not a Bybit exchange id; use one of {string.Join(", ", ExchangeIds)} (closest: {string.Join(", ", Fuzzy.Closest(exchangeId, ExchangeIds))}).",
                nameof(exchangeId));
        }

        var o = (options ?? new BybitOptions()).Clone();
        if (baseUrlOverride is not null)
        {
            o.BaseUrl = baseUrlOverride;
        }

        return new BybitClient(id, http, ownsHttpClient, o, timeProvider, logger, limiter);
    }

    /// <summary>
    /// Spot serves last-price candles only ("Get Kline", category <c>spot</c>); linear and inverse swaps and futures serve
    /// last ("Get Kline"), mark ("Get Mark Price Kline") and index ("Get Index Price Kline") candles.
    /// </summary>
    public bool Supports(MarketType type, PriceType price) => type switch
    {
        MarketType.Spot => price == PriceType.Last,
        MarketType.Swap or MarketType.Future => Enum.IsDefined(price),
        _ => false,
    };

    /// <summary>Bybit's public trade API serves only the most recent trades ("Get Recent Public Trades": spot up to 60, derivatives up to 1000): always <see cref="TradeHistoryDepth.RecentOnly"/>.</summary>
    public TradeHistoryDepth TradeDepth(MarketType type) => TradeHistoryDepth.RecentOnly;

    /// <inheritdoc/>
    /// <remarks>
    /// <c>GET /v5/market/instruments-info?category=…</c> ("Get Instruments Info"): spot in one answer; linear and inverse
    /// with <c>limit</c> = <see cref="BybitOptions.InstrumentsPageLimit"/>, following <c>nextPageCursor</c> until it is
    /// empty. Swaps and futures come from both <c>linear</c> and <c>inverse</c>. Bybit lists only <c>Trading</c>
    /// instruments by default. Loaded once per client and category.
    /// </remarks>
    public async Task<IReadOnlyList<MarketInfo>> GetMarketsAsync(MarketType type, CancellationToken cancellationToken = default)
    {
        var result = new List<MarketInfo>();
        foreach (var category in BybitInstruments.CategoriesOf(type))
        {
            var table = await GetTableAsync(category, cancellationToken).ConfigureAwait(false);
            result.AddRange(table.Of(type));
        }

        return result;
    }

    /// <inheritdoc/>
    public async Task<MarketInfo> GetMarketAsync(Symbol symbol, MarketType type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        var category = BybitInstruments.CategoryOf(symbol, type);
        var table = await GetTableAsync(category, cancellationToken).ConfigureAwait(false);
        if (table.TryGet(symbol, type, out var market))
        {
            return market;
        }

        var candidates = (await GetMarketsAsync(type, cancellationToken).ConfigureAwait(false)).Select(m => m.Symbol.ToString());
        throw new UnknownSymbolException(Exchange, $"{symbol} ({type.ToName()})", Fuzzy.Closest(symbol.ToString(), candidates));
    }

    /// <summary>The v5 <c>interval</c> code of a timeframe: <c>1 3 5 15 30 60 120 240 360 720 D W M</c> ("Get Kline"); null when Bybit has none (1s, 8h, 3d).</summary>
    public static string? IntervalOf(Timeframe timeframe) => timeframe.ToString() switch
    {
        "1m" => "1",
        "3m" => "3",
        "5m" => "5",
        "15m" => "15",
        "30m" => "30",
        "1h" => "60",
        "2h" => "120",
        "4h" => "240",
        "6h" => "360",
        "12h" => "720",
        "1d" => "D",
        "1w" => "W",
        "1M" => "M",
        _ => null,
    };

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// Endpoints: last → <c>/v5/market/kline</c> (category spot, linear or inverse), mark →
    /// <c>/v5/market/mark-price-kline</c>, index → <c>/v5/market/index-price-kline</c> (linear, inverse), with
    /// <c>symbol</c> = the instrument id, <c>interval</c> from <see cref="IntervalOf"/>, <c>start</c>/<c>end</c> in ms
    /// (inclusive) and <c>limit</c> = <see cref="BybitOptions.KlineLimit"/>. Bybit returns the newest candles of
    /// <c>[start, end]</c> first ("Sort in reverse by startTime").
    /// </para>
    /// <para>
    /// Paging: the range is cut into windows of at most <c>limit</c> open times, oldest first; each window is asked for
    /// whole (<c>start</c> = its first open time, <c>end</c> = its last) and, when an answer does not reach back to the
    /// window's start, asked again backwards with <c>end</c> = oldest returned − 1 until an answer reaches it or comes
    /// back empty (which proves the rest empty). So a page the venue cut short, a gap at a window's start or a listing
    /// inside the range end complete. Candles are filtered to the window (a row repeated across a page boundary is
    /// dropped) and emitted ascending and unique, one page per window.
    /// </para>
    /// <para>
    /// <see cref="CandlePage.Covered"/> never reaches past the open time of the candle in progress (by the injected
    /// clock and by the server's <c>time</c> of the answer): that candle — which Bybit returns first, its close "the last
    /// traded price" — is never returned, and open times from it on are not claimed empty.
    /// </para>
    /// </remarks>
    /// <exception cref="NotSupportedException">The price type is not served for the market type (see <see cref="Supports"/>) or Bybit has no such interval (1s, 8h, 3d).</exception>
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
        var interval = IntervalOf(tf)
            ?? throw new NotSupportedException($"{Exchange} has no {tf} klines; Bybit's intervals are 1m 3m 5m 15m 30m 1h 2h 4h 6h 12h 1d 1w 1M.");
        var range = request.Range;
        if (range.IsEmpty)
        {
            yield break;
        }

        var market = await GetMarketAsync(request.Symbol, request.MarketType, cancellationToken).ConfigureAwait(false);
        var category = BybitInstruments.CategoryOf(request.Symbol, request.MarketType);
        var path = request.Price switch
        {
            PriceType.Mark => "/v5/market/mark-price-kline",
            PriceType.Index => "/v5/market/index-price-kline",
            _ => "/v5/market/kline",
        };
        var shape = request.Price != PriceType.Last ? BybitKlineShape.PriceOnly
            : category == BybitCategory.Inverse ? BybitKlineShape.Inverse
            : BybitKlineShape.Linear;
        var limit = _options.KlineLimit;
        var prefix = string.Create(CultureInfo.InvariantCulture,
            $"{path}?category={category.Name()}&symbol={Uri.EscapeDataString(market.Id)}&interval={interval}&start=");
        var limitSuffix = string.Create(CultureInfo.InvariantCulture, $"&limit={limit}");
        ResultReader<List<Candle>> read = (ref reader, url) => BybitKlineParser.ReadResult(ref reader, url, Exchange, shape);

        // Open times from the candle in progress on cannot be proven (nor stored).
        var end = Math.Min(range.End, tf.Floor(_time.GetUtcNow().ToUnixTimeMilliseconds()));
        var cursor = range.Start;
        while (cursor < end)
        {
            var first = tf.Ceiling(cursor);
            var windowEnd = Math.Min(end, first >= end ? end : tf.Add(first, limit));
            var window = new List<Candle>();
            var requestEnd = windowEnd - 1;
            var requests = 0;
            while (first <= requestEnd)
            {
                var url = _api.Url(string.Concat(prefix, first.ToString(CultureInfo.InvariantCulture), "&end=",
                    requestEnd.ToString(CultureInfo.InvariantCulture), limitSuffix));
                var (raw, serverTime) = await _api.GetAsync(url, read, cancellationToken).ConfigureAwait(false);
                requests++;
                BybitLog.KlinePage(_logger, Exchange, url, raw.Count);
                if (requests == 1 && serverTime is { } st && tf.Floor(st) < windowEnd)
                {
                    // The server's clock says the candle at tf.Floor(st) is still in progress: claim nothing from it on.
                    windowEnd = Math.Max(cursor, tf.Floor(st));
                    end = windowEnd;
                    requestEnd = Math.Min(requestEnd, windowEnd - 1);
                }

                var kept = InWindow(raw, first, requestEnd);
                if (kept.Count == 0)
                {
                    break; // proves [first, requestEnd] empty
                }

                window.InsertRange(0, kept);
                if (kept[0].OpenTime <= first)
                {
                    break;
                }

                requestEnd = kept[0].OpenTime - 1; // the answer stopped inside the window: continue backwards
            }

            var page = new CandlePage(window, new TimeRange(cursor, windowEnd));
            BybitLog.Window(_logger, Exchange, page.Covered.ToString(), window.Count, requests, page.Covered.ToString());
            if (!page.Covered.IsEmpty)
            {
                yield return page;
            }

            cursor = windowEnd;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One request, <c>GET /v5/market/recent-trade?category=…&amp;symbol=…&amp;limit=</c> (60 for spot, 1000 for linear
    /// and inverse: the documented maxima of "Get Recent Public Trades"): Bybit's public REST API has no older trades
    /// (<see cref="TradeDepth"/> is <see cref="TradeHistoryDepth.RecentOnly"/>; history is published as files on its
    /// website). The trades of the range are returned ascending by time then id, unique by <c>execId</c>.
    /// <see cref="TradePage.Covered"/> starts at the oldest trade returned (one ms later when the answer was full, as
    /// trades of that millisecond may have been cut) and ends at the server's <c>time</c>; it is empty when no trade was
    /// returned, since nothing is then proven.
    /// </remarks>
    public async IAsyncEnumerable<TradePage> GetTradesAsync(TradeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var range = request.Range;
        if (range.IsEmpty)
        {
            yield break;
        }

        var market = await GetMarketAsync(request.Symbol, request.MarketType, cancellationToken).ConfigureAwait(false);
        var category = BybitInstruments.CategoryOf(request.Symbol, request.MarketType);
        var limit = category == BybitCategory.Spot ? SpotRecentTradeLimit : DerivativesRecentTradeLimit;
        var url = _api.Url(string.Create(CultureInfo.InvariantCulture,
            $"/v5/market/recent-trade?category={category.Name()}&symbol={Uri.EscapeDataString(market.Id)}&limit={limit}"));
        var (trades, serverTime) = await _api.GetAsync(url, (ref reader, u) => BybitMarketData.ReadTrades(ref reader, u, Exchange), cancellationToken)
            .ConfigureAwait(false);
        if (trades.Count == 0)
        {
            yield break;
        }

        trades.Sort(CompareTrades);
        var unique = new List<Trade>(trades.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in trades)
        {
            if (seen.Add(t.Id) && range.Contains(t.Timestamp))
            {
                unique.Add(t);
            }
        }

        var oldest = trades[0].Timestamp;
        var from = trades.Count >= limit ? oldest + 1 : oldest;
        var to = serverTime ?? _time.GetUtcNow().ToUnixTimeMilliseconds();
        var covered = new TimeRange(from, Math.Max(from, to)).Intersect(range);
        if (unique.Count > 0 || !covered.IsEmpty)
        {
            yield return new TradePage(unique, covered);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <c>GET /v5/market/tickers?category=…</c> ("Get Tickers"): with one symbol of a category, <c>&amp;symbol=</c> is
    /// sent; otherwise the whole category is fetched once and filtered. Swaps and futures read both <c>linear</c> and
    /// <c>inverse</c>. The timestamp is the answer's <c>time</c>. Field mapping: see
    /// <c>BybitMarketData.ReadTickers</c> (open = <c>prevPrice24h</c>, percent = <c>price24hPcnt</c> × 100, inverse volumes swapped to base/quote).
    /// </remarks>
    public async Task<IReadOnlyList<Ticker>> GetTickersAsync(MarketType type, IReadOnlyList<Symbol>? symbols = null, CancellationToken cancellationToken = default)
    {
        var wanted = new Dictionary<BybitCategory, List<MarketInfo>>();
        if (symbols is not null)
        {
            foreach (var symbol in symbols)
            {
                var market = await GetMarketAsync(symbol, type, cancellationToken).ConfigureAwait(false);
                var category = BybitInstruments.CategoryOf(symbol, type);
                if (!wanted.TryGetValue(category, out var list))
                {
                    wanted[category] = list = [];
                }

                list.Add(market);
            }
        }
        else
        {
            foreach (var category in BybitInstruments.CategoriesOf(type))
            {
                wanted[category] = [];
            }
        }

        var result = new List<Ticker>();
        foreach (var (category, markets) in wanted)
        {
            var table = await GetTableAsync(category, cancellationToken).ConfigureAwait(false);
            var ids = markets.Count > 0 ? markets.Select(m => m.Id).ToHashSet(StringComparer.Ordinal) : null;
            var query = markets.Count == 1
                ? $"/v5/market/tickers?category={category.Name()}&symbol={Uri.EscapeDataString(markets[0].Id)}"
                : $"/v5/market/tickers?category={category.Name()}";
            var url = _api.Url(query);
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var inverse = category == BybitCategory.Inverse;
            ResultReader<List<Ticker>> read = (ref reader, u) => BybitMarketData.ReadTickers(ref reader, u, Exchange, inverse, 0,
                id => (ids is null || ids.Contains(id)) && table.TryGetById(id, out var m) && m.Type == type ? m.Symbol : null);
            var (tickers, serverTime) = await _api.GetAsync(url, read, cancellationToken).ConfigureAwait(false);
            var timestamp = serverTime ?? now;
            result.AddRange(tickers.Select(t => t with { Timestamp = timestamp }));
        }

        return result;
    }

    /// <summary>Disposes the HTTP client when the client created it, and the request limiter it created.</summary>
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

        foreach (var cache in _markets)
        {
            cache.Dispose();
        }
    }

    /// <summary>Orders trades by timestamp, then by id (numeric ids by value, others ordinal).</summary>
    internal static int CompareTrades(Trade a, Trade b)
    {
        var byTime = a.Timestamp.CompareTo(b.Timestamp);
        if (byTime != 0)
        {
            return byTime;
        }

        if (a.Id.Length != b.Id.Length && a.Id.All(char.IsAsciiDigit) && b.Id.All(char.IsAsciiDigit))
        {
            return a.Id.Length.CompareTo(b.Id.Length);
        }

        return string.CompareOrdinal(a.Id, b.Id);
    }

    /// <summary>The candles of <paramref name="raw"/> (ascending) with open times in <c>[first, lastInclusive]</c>.</summary>
    private static List<Candle> InWindow(List<Candle> raw, long first, long lastInclusive) =>
        raw.Count > 0 && (raw[0].OpenTime < first || raw[^1].OpenTime > lastInclusive)
            ? raw.FindAll(c => c.OpenTime >= first && c.OpenTime <= lastInclusive)
            : raw;

    private async Task<MarketTable> GetTableAsync(BybitCategory category, CancellationToken cancellationToken)
    {
        return await _markets[(int)category].GetAsync(async ct =>
        {
            var markets = new List<MarketInfo>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? cursor = null;
            var pages = 0;
            do
            {
                var query = category == BybitCategory.Spot
                    ? "/v5/market/instruments-info?category=spot"
                    : string.Create(CultureInfo.InvariantCulture, $"/v5/market/instruments-info?category={category.Name()}&limit={_options.InstrumentsPageLimit}")
                      + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
                var url = _api.Url(query);
                var ((page, next), _) = await _api.GetAsync(url, (ref reader, u) => BybitInstruments.ReadResult(ref reader, u, Exchange, category), ct)
                    .ConfigureAwait(false);
                markets.AddRange(page);
                pages++;
                if (next is not null && (!seen.Add(next) || category == BybitCategory.Spot))
                {
                    if (category == BybitCategory.Spot)
                    {
                        break; // spot is not paged ("Get Instruments Info"); a cursor there means nothing
                    }

                    throw new MalformedResponseException(Exchange, url, $"nextPageCursor '{next}' was already followed; the instrument list would never end");
                }

                cursor = next;
            }
            while (cursor is not null);

            BybitLog.MarketsLoaded(_logger, Exchange, markets.Count, category.Name(), pages);
            return new MarketTable(markets);
        }, cancellationToken).ConfigureAwait(false);
    }

    private void OnRetry(Exception exception, int attempt, TimeSpan delay)
    {
        Stats.OnRetry();
        var url = (exception as ExchangeException)?.Url ?? _options.BaseUrl;
        BybitLog.Retrying(_logger, Exchange, url, exception.Message, attempt + 1, _options.MaxRetries, delay);
    }

    /// <summary>Markets of one category, indexed by type and unified symbol, and by id.</summary>
    private sealed class MarketTable
    {
        private readonly Dictionary<(MarketType, Symbol), MarketInfo> _bySymbol = [];
        private readonly Dictionary<string, MarketInfo> _byId = new(StringComparer.Ordinal);
        private readonly Dictionary<MarketType, List<MarketInfo>> _byType = [];

        public MarketTable(IReadOnlyList<MarketInfo> markets)
        {
            foreach (var m in markets)
            {
                _byId.TryAdd(m.Id, m);
                var key = (m.Type, m.Symbol);
                if (_bySymbol.TryGetValue(key, out var existing) && (existing.Active || !m.Active))
                {
                    continue; // first listing wins unless a later one is active and the first is not
                }

                _bySymbol[key] = m;
            }

            foreach (var m in _bySymbol.Values)
            {
                if (!_byType.TryGetValue(m.Type, out var list))
                {
                    _byType[m.Type] = list = [];
                }

                list.Add(m);
            }
        }

        public IReadOnlyList<MarketInfo> Of(MarketType type) => _byType.TryGetValue(type, out var list) ? list : [];

        public bool TryGet(Symbol symbol, MarketType type, [NotNullWhen(true)] out MarketInfo? market) =>
            _bySymbol.TryGetValue((type, symbol), out market);

        public bool TryGetById(string id, [NotNullWhen(true)] out MarketInfo? market) => _byId.TryGetValue(id, out market);
    }
}
