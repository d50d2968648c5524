using System.Globalization;
using System.Runtime.CompilerServices;
using Coinlake.Candles;
using Coinlake.Exchanges.Http;
using Coinlake.Markets;
using Coinlake.Text;
using Coinlake.Time;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Exchanges.Binance;

/// <summary>
/// Binance REST connector: markets from <c>exchangeInfo</c> and historical candles from the spot API
/// (<c>/api/v3</c>) and the USDⓈ-M futures API (<c>/fapi/v1</c>), paged forward by <c>startTime</c>; aggregate trades
/// (<see cref="GetTradesAsync"/>) and 24hr tickers (<see cref="GetTickersAsync"/>); rate limited by request weight,
/// with transient failures retried. Also serves Binance.US (<c>binanceus</c>, spot only) and
/// <c>binanceusdm</c> (futures only) through <see cref="Create"/>.
/// </summary>
/// <remarks>Thread-safe; several series may be fetched concurrently. Markets are cached per client and API.</remarks>
public sealed partial class BinanceClient : ICandleHistoryClient, IMarketCatalog, ITradeHistoryClient, ITickerClient, IMarketStreamClient, IDisposable
{
    /// <summary>Exchange id of Binance (spot and USDⓈ-M futures).</summary>
    public const string BinanceId = "binance";

    /// <summary>Exchange id of Binance.US (spot only, <c>https://api.binance.us</c>).</summary>
    public const string BinanceUsId = "binanceus";

    /// <summary>Exchange id of Binance USDⓈ-M futures alone (as ccxt names it).</summary>
    public const string BinanceUsdmId = "binanceusdm";

    /// <summary>Spot klines per request: the documented maximum ("Kline/Candlestick data": max 1000, weight 2 whatever the limit).</summary>
    public const int SpotKlineLimit = 1000;

    private static readonly Uri BinanceUsBaseUrl = new("https://api.binance.us");

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly BinanceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BinanceRestApi? _spot;
    private readonly BinanceRestApi? _futures;
    private readonly LoadOnce<MarketTable> _spotMarkets = new();
    private readonly LoadOnce<MarketTable> _futuresMarkets = new();

    /// <summary>Creates a client for <c>binance</c> (spot and USDⓈ-M futures).</summary>
    /// <param name="httpClient">Sends the requests; not disposed by the client. Its <see cref="HttpClient.Timeout"/> should exceed <see cref="BinanceOptions.RequestTimeout"/>.</param>
    /// <param name="options">Settings; validated, then copied.</param>
    /// <param name="timeProvider">Clock for rate limiting, retries and timeouts; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives retries, rate-limit waits and bans.</param>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="BinanceOptions.Validate"/>).</exception>
    public BinanceClient(HttpClient httpClient, BinanceOptions options, TimeProvider? timeProvider = null, ILogger<BinanceClient>? logger = null)
        : this(BinanceId, httpClient, ownsHttpClient: false, options, spot: true, futures: true, timeProvider, logger, limiters: null)
    {
    }

    private BinanceClient(string exchange, HttpClient httpClient, bool ownsHttpClient, BinanceOptions options, bool spot, bool futures,
        TimeProvider? timeProvider, ILogger? logger, WeightLimiterPool? limiters)
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
        limiters ??= new WeightLimiterPool();
        var pipeline = RetryPipeline.Create(_options.MaxRetries, _options.RetryBaseDelay, _options.MaxRetryDelay, _time, OnRetry);
        if (spot)
        {
            var limiter = _options.RespectRateLimits
                ? limiters.GetOrAdd(_options.SpotBaseUrl, "spot", _options.SpotWeightLimitPerMinute, _time, _logger)
                : null;
            _spot = new BinanceRestApi(exchange, _options.SpotBaseUrl, _http, limiter, pipeline, Stats, _time, _options.RequestTimeout, _logger);
        }

        if (futures)
        {
            var limiter = _options.RespectRateLimits
                ? limiters.GetOrAdd(_options.FuturesBaseUrl, "usdm", _options.FuturesWeightLimitPerMinute, _time, _logger)
                : null;
            _futures = new BinanceRestApi(exchange, _options.FuturesBaseUrl, _http, limiter, pipeline, Stats, _time, _options.RequestTimeout, _logger);
        }
    }

    /// <inheritdoc/>
    public string Exchange { get; }

    /// <inheritdoc/>
    public RequestStats Stats { get; } = new();

    /// <summary>The spot host's limiter (null when rate limits are not respected or spot is not served); for tests.</summary>
    internal WeightLimiter? SpotLimiter => _spot?.Limiter;

    /// <summary>The futures host's limiter; for tests.</summary>
    internal WeightLimiter? FuturesLimiter => _futures?.Limiter;

    /// <summary>The exchange ids <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> ExchangeIds { get; } = [BinanceId, BinanceUsId, BinanceUsdmId];

    /// <summary>
    /// Creates a client for one of the Binance exchange ids: <c>binance</c> (spot + USDⓈ-M futures),
    /// <c>binanceus</c> (spot only, base <c>https://api.binance.us</c>) or <c>binanceusdm</c> (USDⓈ-M futures only).
    /// </summary>
    /// <param name="exchangeId">One of <see cref="ExchangeIds"/> (case-insensitive).</param>
    /// <param name="httpClient">Sends the requests; not disposed by the client.</param>
    /// <param name="baseUrlOverride">Replaces both the spot and the futures base URL (mirrors, testnets and fake servers serve both).</param>
    /// <param name="options">Settings; defaults when null. Not modified.</param>
    /// <param name="timeProvider">Clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives retries, rate-limit waits and bans.</param>
    /// <exception cref="ArgumentException">Unknown id (the message names the closest known ids) or invalid options.</exception>
    public static BinanceClient Create(string exchangeId, HttpClient httpClient, Uri? baseUrlOverride = null, BinanceOptions? options = null,
        TimeProvider? timeProvider = null, ILogger<BinanceClient>? logger = null) =>
        CreateShared(exchangeId, httpClient, ownsHttpClient: false, baseUrlOverride, options, timeProvider, logger, limiters: null);

    /// <summary>As the public <see cref="Create(string, HttpClient, Uri?, BinanceOptions?, TimeProvider?, ILogger{BinanceClient}?)"/>, sharing limiters across clients.</summary>
    internal static BinanceClient CreateShared(string exchangeId, HttpClient httpClient, bool ownsHttpClient, Uri? baseUrlOverride, BinanceOptions? options,
        TimeProvider? timeProvider, ILogger? logger, WeightLimiterPool? limiters)
    {
        ArgumentNullException.ThrowIfNull(exchangeId);
        var id = exchangeId.Trim().ToLowerInvariant();
        var o = (options ?? new BinanceOptions()).Clone();
        bool spot;
        bool futures;
        switch (id)
        {
            case BinanceId:
                spot = futures = true;
                break;
            case BinanceUsId:
                spot = true;
                futures = false;
                if (options is null || options.SpotBaseUrl == new BinanceOptions().SpotBaseUrl)
                {
                    o.SpotBaseUrl = BinanceUsBaseUrl;
                }

                break;
            case BinanceUsdmId:
                spot = false;
                futures = true;
                break;
            default:
                throw new ArgumentException(
                    $"'{exchangeId}' is not a Binance exchange id; use one of {string.Join(", ", ExchangeIds)} (closest: {string.Join(", ", Fuzzy.Closest(exchangeId, ExchangeIds))}).",
                    nameof(exchangeId));
        }

        if (baseUrlOverride is not null)
        {
            o.SpotBaseUrl = baseUrlOverride;
            o.FuturesBaseUrl = baseUrlOverride;
        }

        return new BinanceClient(id, httpClient, ownsHttpClient, o, spot, futures, timeProvider, logger, limiters);
    }

    /// <summary>
    /// Spot serves last-price candles only; USDⓈ-M swaps and dated futures serve last (<c>/fapi/v1/klines</c>), mark
    /// (<c>markPriceKlines</c>) and index (<c>indexPriceKlines</c>) candles. False for an API this id does not serve.
    /// </summary>
    public bool Supports(MarketType type, PriceType price) => type switch
    {
        MarketType.Spot => _spot is not null && price == PriceType.Last,
        MarketType.Swap or MarketType.Future => _futures is not null && Enum.IsDefined(price),
        _ => false,
    };

    /// <inheritdoc/>
    /// <remarks>
    /// Spot from <c>GET /api/v3/exchangeInfo</c> (weight 20), swaps and futures from <c>GET /fapi/v1/exchangeInfo</c>
    /// (weight 1); loaded once per client and API. Empty for an API this exchange id does not serve.
    /// </remarks>
    public async Task<IReadOnlyList<MarketInfo>> GetMarketsAsync(MarketType type, CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(type, cancellationToken).ConfigureAwait(false);
        return table?.Of(type) ?? [];
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">This exchange id does not serve <paramref name="type"/> (e.g. futures on <c>binanceus</c>).</exception>
    public async Task<MarketInfo> GetMarketAsync(Symbol symbol, MarketType type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        var table = await GetTableAsync(type, cancellationToken).ConfigureAwait(false)
            ?? throw new NotSupportedException($"{Exchange} serves no {type.ToName()} markets; {NotServedHint(type)}");
        if (table.TryGet(symbol, type, out var market))
        {
            return market;
        }

        var candidates = table.Of(type).Select(m => m.Symbol.ToString());
        throw new UnknownSymbolException(Exchange, symbol.ToString(), Fuzzy.Closest(symbol.ToString(), candidates));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// Endpoints: spot last → <c>/api/v3/klines</c> (limit 1000, weight 2); futures last → <c>/fapi/v1/klines</c>,
    /// mark → <c>/fapi/v1/markPriceKlines</c> (<c>symbol</c> = the contract id), index →
    /// <c>/fapi/v1/indexPriceKlines</c> (<c>pair</c> = the id without the expiry suffix), with
    /// <see cref="BinanceOptions.FuturesKlineLimit"/>. Requests go forward with <c>startTime</c> = cursor and
    /// <c>endTime</c> = range end - 1 ("General API Information": with both, oldest items from <c>startTime</c>).
    /// </para>
    /// <para>
    /// Each page holds the candles of the range in ascending, unique open-time order. A full page covers
    /// <c>[cursor, last open + timeframe)</c>; a short page means the exchange has nothing more, so it covers
    /// <c>[cursor, range end)</c>, except that open times from the current (not yet closed) interval on are never
    /// claimed unless a candle was returned for them.
    /// </para>
    /// </remarks>
    /// <exception cref="NotSupportedException">The price type or timeframe is not served for the market type (see <see cref="Supports"/>; futures have no <c>1s</c>).</exception>
    /// <exception cref="MalformedResponseException">A page could not be parsed or did not advance; the message names the URL.</exception>
    public async IAsyncEnumerable<CandlePage> GetCandlesAsync(CandleRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Supports(request.MarketType, request.Price))
        {
            throw new NotSupportedException(
                $"{Exchange} has no {request.Price.ToName()} candles for {request.MarketType.ToName()} markets; {NotServedHint(request.MarketType)}");
        }

        var isSpot = request.MarketType == MarketType.Spot;
        var tf = request.Timeframe;
        if (!isSpot && tf.Unit == TimeframeUnit.Second)
        {
            throw new NotSupportedException($"{Exchange} USDⓈ-M futures have no {tf} klines; the shortest interval is 1m.");
        }

        var range = request.Range;
        if (range.IsEmpty)
        {
            yield break;
        }

        var market = await GetMarketAsync(request.Symbol, request.MarketType, cancellationToken).ConfigureAwait(false);
        var api = isSpot ? _spot! : _futures!;
        var (path, parameter, id) = (isSpot, request.Price) switch
        {
            (true, _) => ("/api/v3/klines", "symbol", market.Id),
            (false, PriceType.Mark) => ("/fapi/v1/markPriceKlines", "symbol", market.Id),
            (false, PriceType.Index) => ("/fapi/v1/indexPriceKlines", "pair", PairOf(market.Id)),
            _ => ("/fapi/v1/klines", "symbol", market.Id),
        };
        var limit = isSpot ? SpotKlineLimit : _options.FuturesKlineLimit;
        var weight = isSpot ? BinanceWeights.SpotKlines : BinanceWeights.FuturesKlines(limit);
        var hasVolume = request.Price == PriceType.Last;
        var endTime = (range.End - 1).ToString(CultureInfo.InvariantCulture);
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{path}?{parameter}={Uri.EscapeDataString(id)}&interval={tf}&startTime=");
        var suffix = string.Create(CultureInfo.InvariantCulture, $"&endTime={endTime}&limit={limit}");

        var cursor = range.Start;
        while (cursor < range.End)
        {
            var url = api.Url(string.Concat(prefix, cursor.ToString(CultureInfo.InvariantCulture), suffix));
            var raw = await api.GetAsync(url, weight, (body, u) => BinanceKlineParser.Parse(body, u, Exchange, hasVolume), cancellationToken)
                .ConfigureAwait(false);
            var page = ToPage(raw, cursor, range, tf, limit, url);
            BinanceLog.Page(_logger, Exchange, url, page.Page.Candles.Count, page.Page.Covered.ToString());
            if (page.Page.Candles.Count > 0 || !page.Page.Covered.IsEmpty)
            {
                yield return page.Page;
            }

            cursor = page.Next;
        }
    }

    /// <summary>Disposes the HTTP client when the client created it (<see cref="ExchangeRegistry"/>).</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        _spotMarkets.Dispose();
        _futuresMarkets.Dispose();
    }

    /// <summary>The index-price pair of a contract id: <c>BTCUSDT_210924</c> → <c>BTCUSDT</c>; a perpetual's id is its pair.</summary>
    internal static string PairOf(string id)
    {
        var underscore = id.IndexOf('_', StringComparison.Ordinal);
        return underscore < 0 ? id : id[..underscore];
    }

    /// <summary>Turns a parsed page into the candles of the range and the range it proves, and the next cursor.</summary>
    /// <exception cref="MalformedResponseException">A full page whose last candle is before the cursor (it would never advance).</exception>
    internal (CandlePage Page, long Next) ToPage(List<Candle> raw, long cursor, TimeRange range, Timeframe tf, int limit, Uri url)
    {
        var candles = raw;
        if (raw.Count > 0 && (raw[0].OpenTime < cursor || raw[^1].OpenTime >= range.End))
        {
            candles = raw.FindAll(c => c.OpenTime >= cursor && c.OpenTime < range.End);
        }

        if (raw.Count >= limit)
        {
            var next = tf.Next(tf.Floor(raw[^1].OpenTime));
            if (next <= cursor)
            {
                throw new MalformedResponseException(Exchange, url,
                    $"a full page of {raw.Count} klines ends at {TimeRange.FormatTime(raw[^1].OpenTime)}, before the requested start {TimeRange.FormatTime(cursor)}; paging would not advance");
            }

            return (new CandlePage(candles, new TimeRange(cursor, Math.Min(next, range.End))), Math.Min(next, range.End));
        }

        // Short page: the exchange has nothing more in the range, as far as time has progressed.
        var afterLast = candles.Count > 0 ? tf.Next(tf.Floor(candles[^1].OpenTime)) : cursor;
        var closedUntil = tf.Floor(_time.GetUtcNow().ToUnixTimeMilliseconds());
        var end = Math.Min(range.End, Math.Max(afterLast, Math.Max(cursor, closedUntil)));
        return (new CandlePage(candles, new TimeRange(cursor, end)), range.End);
    }

    private string NotServedHint(MarketType type) => type == MarketType.Spot
        ? $"use '{BinanceId}' for spot markets."
        : $"use '{BinanceId}' or '{BinanceUsdmId}' for USDⓈ-M swaps and futures.";

    private async Task<MarketTable?> GetTableAsync(MarketType type, CancellationToken cancellationToken)
    {
        var futures = type != MarketType.Spot;
        var api = futures ? _futures : _spot;
        if (api is null)
        {
            return null;
        }

        var cache = futures ? _futuresMarkets : _spotMarkets;
        return await cache.GetAsync(async ct =>
        {
            var url = api.Url(futures ? "/fapi/v1/exchangeInfo" : "/api/v3/exchangeInfo");
            var weight = futures ? BinanceWeights.FuturesExchangeInfo : BinanceWeights.SpotExchangeInfo;
            var (markets, limit) = await api.GetAsync(url, weight, (body, u) => BinanceExchangeInfo.Parse(body, u, Exchange, futures), ct)
                .ConfigureAwait(false);
            if (limit is { } advertised)
            {
                api.Limiter?.LowerLimit(advertised);
            }

            BinanceLog.MarketsLoaded(_logger, Exchange, markets.Count, futures ? "USDⓈ-M futures" : "spot", limit);
            return new MarketTable(markets);
        }, cancellationToken).ConfigureAwait(false);
    }

    private void OnRetry(Exception exception, int attempt, TimeSpan delay)
    {
        Stats.OnRetry();
        var url = (exception as ExchangeException)?.Url ?? _options.SpotBaseUrl;
        BinanceLog.Retrying(_logger, Exchange, url, exception.Message, attempt + 1, _options.MaxRetries, delay);
    }

    /// <summary>Markets of one API, indexed by type and unified symbol.</summary>
    private sealed class MarketTable
    {
        private readonly Dictionary<(MarketType, Symbol), MarketInfo> _bySymbol = [];
        private readonly Dictionary<MarketType, List<MarketInfo>> _byType = [];
        private readonly Dictionary<(MarketType, string), MarketInfo> _byId = [];

        public MarketTable(IReadOnlyList<MarketInfo> markets)
        {
            foreach (var m in markets)
            {
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
                _byId[(m.Type, m.Id)] = m;
            }
        }

        public IReadOnlyList<MarketInfo> Of(MarketType type) => _byType.TryGetValue(type, out var list) ? list : [];

        public bool TryGet(Symbol symbol, MarketType type, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MarketInfo? market) =>
            _bySymbol.TryGetValue((type, symbol), out market);

        /// <summary>The market of an exchange id (e.g. <c>BTCUSDT</c>) of <paramref name="type"/>; only the listing that owns its unified symbol.</summary>
        public bool TryGetById(string id, MarketType type, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MarketInfo? market) =>
            _byId.TryGetValue((type, id), out market);
    }
}
