using System.Globalization;
using System.Runtime.CompilerServices;
using Coinlake.Candles;
using Coinlake.Exchanges.Http;
using Coinlake.Exchanges.Kraken.Rest;
using Coinlake.Markets;
using Coinlake.Text;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Exchanges.Kraken;

/// <summary>
/// Kraken spot REST connector (docs.kraken.com/api, "Spot REST API / Market Data"): markets from
/// <c>/0/public/AssetPairs</c>, candles from <c>/0/public/OHLC</c> — and, for history older than the
/// <see cref="OhlcWindow"/> candles that endpoint serves, rebuilt from <c>/0/public/Trades</c> — full trade history
/// from <c>/0/public/Trades</c>, and 24h tickers from <c>/0/public/Ticker</c>. Requests are spaced by a per-client token
/// bucket (Kraken throttles public calls per IP at about one per second), rate-limit answers are waited out, and
/// transient failures are retried with backoff and jitter.
/// </summary>
/// <remarks>
/// Spot only: Kraken's derivatives live on a separate API (Kraken Futures, <c>futures.kraken.com</c>), so swaps,
/// dated futures, mark and index prices are not served (<see cref="Supports"/> says so). Thread-safe; the market
/// list is loaded once per client.
/// </remarks>
public sealed partial class KrakenClient : IMarketCatalog, ICandleHistoryClient, ITradeHistoryClient, ITickerClient, IHistoryNotes, IDisposable
{
    /// <summary>Exchange id of Kraken.</summary>
    public const string KrakenId = "kraken";

    /// <summary>
    /// Candles <c>/0/public/OHLC</c> serves per interval: the 720 most recent, the last of which is still in progress
    /// ("Get OHLC Data": "older data cannot be retrieved, regardless of the value of since").
    /// </summary>
    public const int OhlcWindow = 720;

    private const int TickerPairsPerRequest = 50;

    private static readonly Dictionary<Timeframe, int> IntervalMinutes = new()
    {
        [Timeframe.Parse("1m")] = 1,
        [Timeframe.Parse("5m")] = 5,
        [Timeframe.Parse("15m")] = 15,
        [Timeframe.Parse("30m")] = 30,
        [Timeframe.Parse("1h")] = 60,
        [Timeframe.Parse("4h")] = 240,
        [Timeframe.Parse("1d")] = 1440,
    };

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly bool _ownsLimiter;
    private readonly KrakenOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KrakenRestApi _api;
    private readonly LoadOnce<KrakenMarketTable> _markets = new();
    private long _rebuiltCandles;

    /// <summary>Creates a client for <c>kraken</c>.</summary>
    /// <param name="httpClient">Sends the requests; not disposed by the client. Its <see cref="HttpClient.Timeout"/> should exceed <see cref="KrakenOptions.RequestTimeout"/>.</param>
    /// <param name="options">Settings; validated, then copied.</param>
    /// <param name="timeProvider">Clock for rate limiting, retries, timeouts and "now"; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives retries, rate-limit waits and rebuilds from trades.</param>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="KrakenOptions.Validate"/>).</exception>
    public KrakenClient(HttpClient httpClient, KrakenOptions options, TimeProvider? timeProvider = null, ILogger<KrakenClient>? logger = null)
        : this(httpClient, ownsHttpClient: false, options, timeProvider, logger, limiter: null)
    {
    }

    /// <summary>Creates a client; <paramref name="limiter"/> (shared by the clients of one host) is used instead of an own one when given.</summary>
    internal KrakenClient(HttpClient httpClient, bool ownsHttpClient, KrakenOptions options, TimeProvider? timeProvider, ILogger? logger,
        KrakenRequestLimiter? limiter)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _http = httpClient;
        _ownsHttp = ownsHttpClient;
        _options = options.Clone();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        if (limiter is null && _options.RespectRateLimits)
        {
            limiter = new KrakenRequestLimiter($"{_options.BaseUrl.Authority} public", _options.PublicRequestInterval, _options.PublicRequestBurst, _time, _logger);
            _ownsLimiter = true;
        }

        var pipeline = RetryPipeline.Create(_options.MaxRetries, _options.RetryBaseDelay, _options.MaxRetryDelay, _time, OnRetry);
        _api = new KrakenRestApi(KrakenId, _options.BaseUrl, _http, limiter, pipeline, Stats, _time, _options.RequestTimeout,
            _options.RateLimitBackoff, _logger);
    }

    /// <inheritdoc/>
    public string Exchange => KrakenId;

    /// <inheritdoc/>
    public RequestStats Stats { get; } = new();

    /// <summary>The exchange ids <see cref="Create"/> accepts: <c>kraken</c>.</summary>
    public static IReadOnlyList<string> ExchangeIds { get; } = [KrakenId];

    /// <summary>The timeframes <see cref="GetCandlesAsync"/> serves: <c>1m 5m 15m 30m 1h 4h 1d</c> (Kraken intervals 1 … 1440 minutes).</summary>
    public static IReadOnlyList<Timeframe> Timeframes { get; } = [.. IntervalMinutes.Keys.OrderBy(t => t.ApproximateMilliseconds)];

    /// <summary>
    /// True when candles older than the <see cref="OhlcWindow"/> most recent ones are rebuilt from trades
    /// (<see cref="KrakenOptions.RebuildCandlesFromTrades"/>): such candles are aggregated by Coinlake
    /// (<see cref="TradeAggregator"/>), not served by Kraken — a run report should say so.
    /// </summary>
    public bool RebuildsCandlesFromTrades => _options.RebuildCandlesFromTrades;

    /// <summary>Candles this client has rebuilt from trades so far (for the run report).</summary>
    public long CandlesRebuiltFromTrades => Interlocked.Read(ref _rebuiltCandles);

    /// <summary>The request limiter (null when rate limits are not respected); for tests.</summary>
    internal KrakenRequestLimiter? Limiter => _api.Limiter;

    /// <summary>Creates a client for <c>kraken</c>.</summary>
    /// <param name="exchangeId">One of <see cref="ExchangeIds"/> (case-insensitive).</param>
    /// <param name="httpClient">Sends the requests; not disposed by the client.</param>
    /// <param name="baseUrlOverride">Replaces <see cref="KrakenOptions.BaseUrl"/> (mirrors and fake servers).</param>
    /// <param name="options">Settings; defaults when null. Not modified.</param>
    /// <param name="timeProvider">Clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives retries, rate-limit waits and rebuilds from trades.</param>
    /// <exception cref="ArgumentException">Unknown id (the message names the known ids) or invalid options.</exception>
    public static KrakenClient Create(string exchangeId, HttpClient httpClient, Uri? baseUrlOverride = null, KrakenOptions? options = null,
        TimeProvider? timeProvider = null, ILogger<KrakenClient>? logger = null) =>
        CreateShared(exchangeId, httpClient, ownsHttpClient: false, baseUrlOverride, options, timeProvider, logger, limiter: null);

    /// <summary>
    /// As the public <see cref="Create"/>, for <see cref="ExchangeRegistry"/>: the client may own (and dispose) the HTTP
    /// client, and may draw from a <paramref name="limiter"/> shared by every client of the host (Kraken counts per
    /// IP); with none, a client respecting rate limits creates its own.
    /// </summary>
    internal static KrakenClient CreateShared(string exchangeId, HttpClient httpClient, bool ownsHttpClient, Uri? baseUrlOverride,
        KrakenOptions? options, TimeProvider? timeProvider, ILogger? logger, KrakenRequestLimiter? limiter)
    {
        ArgumentNullException.ThrowIfNull(exchangeId);
        if (!string.Equals(exchangeId.Trim(), KrakenId, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"'{exchangeId}' is not a Kraken exchange id; use one of {string.Join(", ", ExchangeIds)} (closest: {string.Join(", ", Fuzzy.Closest(exchangeId, ExchangeIds))}).",
                nameof(exchangeId));
        }

        var o = (options ?? new KrakenOptions()).Clone();
        if (baseUrlOverride is not null)
        {
            o.BaseUrl = baseUrlOverride;
        }

        return new KrakenClient(httpClient, ownsHttpClient, o, timeProvider, logger, limiter);
    }

    /// <summary>
    /// For spot: Kraken serves only the last <see cref="OhlcWindow"/> candles of an interval, so older candles are
    /// rebuilt from trades (or, with <see cref="KrakenOptions.RebuildCandlesFromTrades"/> off, left missing). Null for
    /// other market types (not served).
    /// </summary>
    public string? HistoryNote(MarketType type) => type != MarketType.Spot ? null
        : _options.RebuildCandlesFromTrades
            ? $"Kraken serves only the last {OhlcWindow} candles per interval (/0/public/OHLC); older candles were rebuilt from trades (/0/public/Trades) by Coinlake ({CandlesRebuiltFromTrades} so far): quote volume and trade count are computed, not Kraken's."
            : $"Kraken serves only the last {OhlcWindow} candles per interval (/0/public/OHLC); older candles were not fetched (rebuilding them from trades is switched off).";

    /// <summary>Spot last-price candles only: Kraken's spot API has no swaps, futures, mark or index prices.</summary>
    public bool Supports(MarketType type, PriceType price) => type == MarketType.Spot && price == PriceType.Last;

    /// <summary>
    /// Spot trades have <see cref="TradeHistoryDepth.Full"/> history: <c>/0/public/Trades</c> pages forward from any
    /// <c>since</c> back to the listing ("Get Recent Trades"). Other market types are not served
    /// (<see cref="GetTradesAsync"/> throws); they report <see cref="TradeHistoryDepth.RecentOnly"/>.
    /// </summary>
    public TradeHistoryDepth TradeDepth(MarketType type) => type == MarketType.Spot ? TradeHistoryDepth.Full : TradeHistoryDepth.RecentOnly;

    /// <inheritdoc/>
    /// <remarks>
    /// Spot pairs of <c>GET /0/public/AssetPairs</c> (loaded once per client), dark pools excluded; <see cref="MarketInfo.Id"/>
    /// is the pair key (<c>XXBTZUSD</c>) and the symbol uses unified codes (<c>BTC/USD</c>, see <see cref="KrakenSymbols"/>).
    /// Empty for swaps and futures.
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
    /// <exception cref="NotSupportedException"><paramref name="type"/> is not spot.</exception>
    public async Task<MarketInfo> GetMarketAsync(Symbol symbol, MarketType type, CancellationToken cancellationToken = default) =>
        (await GetPairAsync(symbol, type, cancellationToken).ConfigureAwait(false)).Market;

    /// <summary>
    /// The market of a Kraken name: the pair key (<c>XXBTZUSD</c>), the altname (<c>XBTUSD</c>) or the wsname
    /// (<c>XBT/USD</c>), case-insensitive — the inverse of <see cref="GetMarketAsync"/>.
    /// </summary>
    /// <exception cref="UnknownSymbolException">No spot pair has that name; the closest pair keys are named.</exception>
    public async Task<MarketInfo> GetMarketByIdAsync(string exchangeId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(exchangeId);
        var table = await GetTableAsync(cancellationToken).ConfigureAwait(false);
        if (table.TryGetByName(exchangeId.Trim(), out var pair))
        {
            return pair.Market;
        }

        throw new UnknownSymbolException(Exchange, exchangeId, Fuzzy.Closest(exchangeId, table.Markets.Select(m => m.Id)));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// <b>Recent candles</b> come from one <c>GET /0/public/OHLC?pair=&lt;key&gt;&amp;interval=&lt;minutes&gt;&amp;since=&lt;s&gt;</c>
    /// ("Get OHLC Data": rows <c>[time(s), open, high, low, close, vwap, volume, count]</c>, at most the
    /// <see cref="OhlcWindow"/> most recent, the last row always the candle in progress). The last row is never
    /// returned; the rows before it prove <c>[first row, in-progress open)</c>. Rows are sorted and de-duplicated
    /// whatever order Kraken sends them in. The quote volume of these candles is null (Kraken gives a rounded VWAP).
    /// </para>
    /// <para>
    /// <b>Older candles</b> — the part of the range before the first row Kraken served — are rebuilt from trades when
    /// <see cref="RebuildsCandlesFromTrades"/>: <see cref="GetTradesAsync"/> pages through <c>/0/public/Trades</c> and
    /// <see cref="CandleBuilder"/> aggregates them (open/high/low/close from prices, volume Σ amount, quote volume
    /// Σ price × amount, count = trades; an interval without trades has no candle). A rebuilt page covers the candles
    /// whose whole interval the trades proved. These pages come first (output is oldest first);
    /// <see cref="CandlesRebuiltFromTrades"/> counts them. Otherwise that part is left uncovered.
    /// </para>
    /// <para>
    /// Open times from the candle in progress on are never claimed: neither Kraken nor the trades prove them yet.
    /// </para>
    /// </remarks>
    /// <exception cref="NotSupportedException">Not spot last-price, or a timeframe Kraken has no interval for (see <see cref="Timeframes"/>; Kraken's weekly candles open on Thursdays, Coinlake's <c>1w</c> on Mondays).</exception>
    /// <exception cref="MalformedResponseException">A page could not be parsed, a row is not on a timeframe boundary, or trade paging did not advance.</exception>
    public async IAsyncEnumerable<CandlePage> GetCandlesAsync(CandleRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Supports(request.MarketType, request.Price))
        {
            throw new NotSupportedException(
                $"{Exchange} has no {request.Price.ToName()} candles for {request.MarketType.ToName()} markets: the spot REST API serves last-price spot candles only (Kraken Futures is a separate API).");
        }

        var tf = request.Timeframe;
        if (!IntervalMinutes.TryGetValue(tf, out var minutes))
        {
            var week = tf.Unit == TimeframeUnit.Week ? " Kraken's 10080-minute candles open on Thursdays (epoch multiples), Coinlake's 1w on Mondays." : "";
            throw new NotSupportedException($"{Exchange} has no {tf} candles; use one of {string.Join(" ", Timeframes)}.{week}");
        }

        var range = request.Range;
        if (range.IsEmpty)
        {
            yield break;
        }

        var pair = await GetPairAsync(request.Symbol, request.MarketType, cancellationToken).ConfigureAwait(false);
        var firstOpen = tf.Ceiling(range.Start);
        var currentOpen = tf.Floor(_time.GetUtcNow().ToUnixTimeMilliseconds());
        var windowStart = tf.Add(currentOpen, -(OhlcWindow - 1));

        // The OHLC page, when the range may reach into the window Kraken serves.
        List<Candle>? committed = null;
        long ohlcStart = range.End;
        long inProgressOpen = range.End;
        Uri? ohlcUrl = null;
        if (range.End > windowStart)
        {
            var since = Math.Max(0, (Math.Max(firstOpen, windowStart) / 1000) - 1);
            ohlcUrl = _api.Url(string.Create(CultureInfo.InvariantCulture,
                $"/0/public/OHLC?pair={Uri.EscapeDataString(pair.Key)}&interval={minutes}&since={since}"));
            var url = ohlcUrl;
            var page = await _api.GetAsync(url, (body, u) => KrakenOhlcParser.Parse(body, u, Exchange), cancellationToken).ConfigureAwait(false);
            var rows = Normalize(page.Rows, tf, url);
            if (rows.Count > 0)
            {
                inProgressOpen = rows[^1].OpenTime;
                rows.RemoveAt(rows.Count - 1); // the candle in progress: never stored
                ohlcStart = rows.Count > 0 ? rows[0].OpenTime : inProgressOpen;
                committed = rows;
            }
        }

        // Older than what Kraken served: rebuilt from trades.
        var olderEnd = Math.Min(range.End, ohlcStart);
        if (firstOpen < olderEnd && _options.RebuildCandlesFromTrades)
        {
            KrakenLog.RebuildingFromTrades(_logger, Exchange, pair.Market.Symbol.ToString(), tf.ToString(),
                new TimeRange(range.Start, olderEnd).ToString(), OhlcWindow);
            await foreach (var page in RebuildAsync(pair, tf, range.Start, olderEnd, cancellationToken).ConfigureAwait(false))
            {
                yield return page;
            }
        }

        if (committed is not null)
        {
            var start = Math.Max(range.Start, ohlcStart);
            var end = Math.Min(range.End, inProgressOpen);
            var candles = committed.FindAll(c => c.OpenTime >= start && c.OpenTime < end);
            var covered = new TimeRange(start, Math.Max(start, end));
            KrakenLog.CandlePage(_logger, Exchange, ohlcUrl!, candles.Count, covered.ToString());
            if (candles.Count > 0 || !covered.IsEmpty)
            {
                yield return new CandlePage(candles, covered);
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// Pages forward through <c>GET /0/public/Trades?pair=&lt;key&gt;&amp;since=&lt;ns&gt;&amp;count=&lt;n&gt;</c> ("Get
    /// Recent Trades": rows <c>[price, volume, time(s.frac), side b/s, type m/l, misc, trade_id]</c>, up to 1000 per page,
    /// <c>last</c> = the cursor in ns), starting 1 ns before the range. Each next request starts 1 ns before the
    /// newest trade received, so trades sharing that instant are never skipped; the repeated ones are dropped by
    /// <c>trade_id</c>. A page covers up to (excluding) the millisecond of its newest trade, whose trades wait for
    /// the next page. Paging ends at the first trade at or after the range end (the rest of the range is covered) or
    /// at a page with no new trade, which proves the range up to the request time less
    /// <see cref="KrakenOptions.TradeSettleDelay"/>. Short pages are not trusted as the end.
    /// </para>
    /// <para>Trades are ascending by time then id, unique, priced in the quote currency with amounts in the base currency.</para>
    /// </remarks>
    /// <exception cref="NotSupportedException"><see cref="TradeRequest.MarketType"/> is not spot.</exception>
    /// <exception cref="MalformedResponseException">A page could not be parsed or paging did not advance.</exception>
    public async IAsyncEnumerable<TradePage> GetTradesAsync(TradeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pair = await GetPairAsync(request.Symbol, request.MarketType, cancellationToken).ConfigureAwait(false);
        await foreach (var page in TradePagesAsync(pair, request.Range, cancellationToken).ConfigureAwait(false))
        {
            yield return page;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <c>GET /0/public/Ticker</c> ("Get Ticker Information"): every pair when <paramref name="symbols"/> is null (pairs not
    /// in the market list are skipped), else the named pairs, up to 50 per request (<c>pair=K1,K2,...</c>). Last, bid and
    /// ask from <c>c</c>/<c>b</c>/<c>a</c>; high, low and base volume over the last 24 h; quote volume = 24h volume ×
    /// 24h VWAP (approximate: Kraken sends no quote volume); open = Kraken's opening price of the UTC day (Kraken has no
    /// 24h-ago price), change and percent against it; timestamp = receive time (Kraken sends none).
    /// </remarks>
    /// <exception cref="NotSupportedException"><paramref name="type"/> is not spot.</exception>
    public async Task<IReadOnlyList<Ticker>> GetTickersAsync(MarketType type, IReadOnlyList<Symbol>? symbols = null, CancellationToken cancellationToken = default)
    {
        if (type != MarketType.Spot)
        {
            throw new NotSupportedException($"{Exchange} serves spot tickers only; {type.ToName()} markets are on Kraken Futures, a separate API.");
        }

        var table = await GetTableAsync(cancellationToken).ConfigureAwait(false);
        if (symbols is null)
        {
            return await TickersAsync(table, null, cancellationToken).ConfigureAwait(false);
        }

        var keys = new List<string>(symbols.Count);
        foreach (var symbol in symbols)
        {
            keys.Add((await GetPairAsync(symbol, type, cancellationToken).ConfigureAwait(false)).Key);
        }

        var result = new List<Ticker>(symbols.Count);
        foreach (var chunk in keys.Distinct(StringComparer.Ordinal).Chunk(TickerPairsPerRequest))
        {
            result.AddRange(await TickersAsync(table, chunk, cancellationToken).ConfigureAwait(false));
        }

        return result;
    }

    /// <summary>Disposes the HTTP client when the client created it, and the client's own request limiter.</summary>
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

    /// <summary>Sorts rows by open time, keeps the last of repeated open times, and checks alignment.</summary>
    internal List<Candle> Normalize(List<Candle> rows, Timeframe tf, Uri url)
    {
        var sorted = true;
        for (var i = 1; i < rows.Count && sorted; i++)
        {
            sorted = rows[i - 1].OpenTime < rows[i].OpenTime;
        }

        if (!sorted)
        {
            var byTime = new SortedDictionary<long, Candle>();
            foreach (var c in rows)
            {
                byTime[c.OpenTime] = c; // a repeated row: the later one is the fresher
            }

            rows = [.. byTime.Values];
        }

        foreach (var c in rows)
        {
            KrakenOhlcParser.CheckAligned(Exchange, url, c.OpenTime, tf);
        }

        return rows;
    }

    private async Task<List<Ticker>> TickersAsync(KrakenMarketTable table, string[]? keys, CancellationToken cancellationToken)
    {
        var url = _api.Url(keys is null ? "/0/public/Ticker" : "/0/public/Ticker?pair=" + Uri.EscapeDataString(string.Join(',', keys)));
        return await _api.GetAsync(url, (body, u) => KrakenTickerParser.Parse(body, u, Exchange, table, _time.GetUtcNow().ToUnixTimeMilliseconds()),
            cancellationToken).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<CandlePage> RebuildAsync(KrakenPair pair, Timeframe tf, long start, long end,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var builder = new CandleBuilder(tf);
        var cursor = start;
        // Trades up to the end of the last wanted candle's interval, so that candle can be completed.
        await foreach (var page in TradePagesAsync(pair, new TimeRange(tf.Ceiling(start), tf.Ceiling(end)), cancellationToken).ConfigureAwait(false))
        {
            var candles = new List<Candle>();
            foreach (var trade in page.Trades)
            {
                if (builder.Add(trade) is { } closed)
                {
                    candles.Add(closed);
                }
            }

            if (builder.CloseIfEnded(page.Covered.End) is { } last)
            {
                candles.Add(last);
            }

            var coveredEnd = Math.Max(cursor, Math.Min(end, tf.Floor(page.Covered.End)));
            if (candles.Count == 0 && coveredEnd == cursor)
            {
                continue;
            }

            Interlocked.Add(ref _rebuiltCandles, candles.Count);
            yield return new CandlePage(candles, new TimeRange(cursor, coveredEnd));
            cursor = coveredEnd;
        }
    }

    private async IAsyncEnumerable<TradePage> TradePagesAsync(KrakenPair pair, TimeRange range,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const long MaxStartMs = 9_000_000_000_000; // ns cursors overflow long past 2255
        if (range.IsEmpty || range.Start >= MaxStartMs)
        {
            yield break;
        }

        var count = _options.TradesPerPage;
        var since = Math.Max(0, (Math.Max(0, range.Start) * 1_000_000) - 1);
        var cursor = range.Start;
        var carry = new List<(Trade Trade, long Ns)>();
        var previousIds = new HashSet<string>(StringComparer.Ordinal);
        var prefix = $"/0/public/Trades?pair={Uri.EscapeDataString(pair.Key)}&count={count.ToString(CultureInfo.InvariantCulture)}&since=";
        while (true)
        {
            var sentAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var url = _api.Url(prefix + since.ToString(CultureInfo.InvariantCulture));
            var page = await _api.GetAsync(url, (body, u) => KrakenTradesParser.Parse(body, u, Exchange), cancellationToken).ConfigureAwait(false);

            var fresh = new List<(Trade Trade, long Ns)>(page.Trades.Count);
            for (var i = 0; i < page.Trades.Count; i++)
            {
                var t = page.Trades[i];
                if (!previousIds.Contains(t.Id) && t.Timestamp >= cursor)
                {
                    fresh.Add((t, page.TimesNs[i]));
                }
            }

            if (fresh.Count == 0)
            {
                if (page.Trades.Count >= count && page.Last is { } jump && jump > since)
                {
                    since = jump; // a whole page of trades already seen (more than a page at one instant): step over it
                    continue;
                }

                // Caught up: nothing after `since` when the request was sent, so the held-back trades of the newest
                // millisecond are complete; beyond them, only up to the request time less the settle delay.
                var held = carry.Count > 0 ? carry[^1].Trade.Timestamp + 1 : cursor;
                var end = Math.Min(range.End, Math.Max(Math.Max(cursor, held), sentAt - (long)_options.TradeSettleDelay.TotalMilliseconds));
                var final = carry.Where(x => x.Trade.Timestamp < end).Select(x => x.Trade).ToList();
                if (final.Count > 0 || end > cursor)
                {
                    var covered = new TimeRange(cursor, Math.Max(cursor, end));
                    KrakenLog.TradePage(_logger, Exchange, url, final.Count, covered.ToString());
                    yield return new TradePage(final, covered);
                }

                yield break;
            }

            previousIds.Clear();
            foreach (var x in page.Trades)
            {
                previousIds.Add(x.Id);
            }

            var all = carry;
            all.AddRange(fresh);
            all.Sort(static (a, b) => a.Ns != b.Ns ? a.Ns.CompareTo(b.Ns) : CompareIds(a.Trade.Id, b.Trade.Id));
            var newestNs = all[^1].Ns;
            if (all[^1].Trade.Timestamp >= range.End)
            {
                var final = all.Where(x => x.Trade.Timestamp < range.End).Select(x => x.Trade).ToList();
                var covered = new TimeRange(cursor, range.End);
                KrakenLog.TradePage(_logger, Exchange, url, final.Count, covered.ToString());
                yield return new TradePage(final, covered);
                yield break;
            }

            // Complete up to the newest trade's millisecond; its trades wait for the next page.
            var newestMs = all[^1].Trade.Timestamp;
            var emit = all.Where(x => x.Trade.Timestamp < newestMs).Select(x => x.Trade).ToList();
            carry = all.FindAll(x => x.Trade.Timestamp >= newestMs);
            if (emit.Count > 0 || newestMs > cursor)
            {
                var covered = new TimeRange(cursor, Math.Max(cursor, newestMs));
                KrakenLog.TradePage(_logger, Exchange, url, emit.Count, covered.ToString());
                yield return new TradePage(emit, covered);
                cursor = covered.End;
            }

            var next = Math.Min(newestNs, page.Last ?? newestNs) - 1;
            if (next <= since)
            {
                next = page.Last is { } l && l > since ? l
                    : throw new MalformedResponseException(Exchange, url,
                        $"trade paging does not advance: the newest trade is at {newestNs} ns, not after since={since}");
            }

            since = next;
        }
    }

    /// <summary>Numeric ids by value (shorter first), then ordinal.</summary>
    private static int CompareIds(string a, string b) =>
        a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);

    private async Task<KrakenPair> GetPairAsync(Symbol symbol, MarketType type, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        if (type != MarketType.Spot)
        {
            throw new NotSupportedException(
                $"{Exchange} (spot REST API) lists no {type.ToName()} markets; Kraken's derivatives are on Kraken Futures (futures.kraken.com), a separate API this connector does not serve.");
        }

        var table = await GetTableAsync(cancellationToken).ConfigureAwait(false);
        if (table.TryGet(symbol, out var pair))
        {
            return pair;
        }

        throw new UnknownSymbolException(Exchange, symbol.ToString(), Fuzzy.Closest(symbol.ToString(), table.Markets.Select(m => m.Symbol.ToString())));
    }

    private async Task<KrakenMarketTable> GetTableAsync(CancellationToken cancellationToken)
    {
        return await _markets.GetAsync(async ct =>
        {
            var url = _api.Url("/0/public/AssetPairs");
            var pairs = await _api.GetAsync(url, (body, u) => KrakenAssetPairs.Parse(body, u, Exchange), ct).ConfigureAwait(false);
            var table = new KrakenMarketTable(pairs);
            KrakenLog.MarketsLoaded(_logger, Exchange, table.Markets.Count);
            return table;
        }, cancellationToken).ConfigureAwait(false);
    }

    private void OnRetry(Exception exception, int attempt, TimeSpan delay)
    {
        Stats.OnRetry();
        var url = (exception as ExchangeException)?.Url ?? _options.BaseUrl;
        KrakenLog.Retrying(_logger, Exchange, url, exception.Message, attempt + 1, _options.MaxRetries, delay);
    }
}
