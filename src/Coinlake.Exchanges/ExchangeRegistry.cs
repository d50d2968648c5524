using System.Net;
using Coinlake.Exchanges.Binance;
using Coinlake.Exchanges.Bybit;
using Coinlake.Exchanges.Coinbase;
using Coinlake.Exchanges.Http;
using Coinlake.Exchanges.Kraken;
using Coinlake.Exchanges.Kucoin;
using Coinlake.Exchanges.Okx;
using Coinlake.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Exchanges;

/// <summary>
/// Creates connectors by exchange id. All clients of a registry share one <see cref="SocketsHttpHandler"/> (pooled
/// connections, recycled every few minutes so DNS changes are seen) and one set of per-host request-weight limiters,
/// because exchanges count weight per IP and host, not per client.
/// </summary>
/// <remarks>Use <see cref="Shared"/> in a host process; create an instance per test. Thread-safe.</remarks>
public sealed class ExchangeRegistry : IDisposable
{
    private static readonly Lazy<ExchangeRegistry> SharedInstance = new(() => new ExchangeRegistry());

    private readonly HttpMessageHandler _handler;
    private readonly WeightLimiterPool _limiters = new();

    /// <summary>Creates a registry with its own connection pool.</summary>
    public ExchangeRegistry()
    {
        _handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate | DecompressionMethods.Brotli,
            ConnectTimeout = TimeSpan.FromSeconds(15),
        };
    }

    /// <summary>
    /// Creates a registry whose clients send every request through <paramref name="handler"/> (owned and disposed by the
    /// registry): e.g. a <see cref="WebSockets.CaptureHttpHandler"/> answering from a capture's recorded market lists, so a
    /// replay resolves symbols offline.
    /// </summary>
    /// <param name="handler">The message handler of every client.</param>
    public ExchangeRegistry(HttpMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
    }

    /// <summary>The process-wide registry.</summary>
    public static ExchangeRegistry Shared => SharedInstance.Value;

    /// <summary>Every exchange id a connector exists for, lower case: <c>binance</c>, <c>binanceus</c>, <c>binanceusdm</c>, <c>kucoin</c>, <c>coinbase</c>, <c>bybit</c>, <c>okx</c>, <c>kraken</c>.</summary>
    public static IReadOnlyList<string> KnownExchanges { get; } = [.. BinanceClient.ExchangeIds, .. KucoinClient.ExchangeIds, .. CoinbaseClient.ExchangeIds, .. BybitClient.ExchangeIds, .. OkxClient.ExchangeIds, .. KrakenClient.ExchangeIds];

    /// <summary>True when <paramref name="exchangeId"/> (case-insensitive) is one of <see cref="KnownExchanges"/>.</summary>
    public static bool IsKnown(string? exchangeId) =>
        exchangeId is not null && KnownExchanges.Contains(exchangeId.Trim().ToLowerInvariant(), StringComparer.Ordinal);

    /// <summary>
    /// Creates the history connector of <paramref name="exchangeId"/> (it also implements <see cref="IMarketCatalog"/>
    /// and <see cref="IDisposable"/>; dispose it when done).
    /// </summary>
    /// <param name="exchangeId">One of <see cref="KnownExchanges"/>, case-insensitive.</param>
    /// <param name="baseUrl">Replaces every base URL of the exchange (spot and futures) — for mirrors, testnets and fake servers; null for the real endpoints.</param>
    /// <param name="timeProvider">Clock for rate limiting, retries and timeouts.</param>
    /// <param name="loggerFactory">Creates the connector's logger; none when null.</param>
    /// <param name="options">Binance settings; defaults when null.</param>
    /// <exception cref="ArgumentException">Unknown id; the message names the closest known ids.</exception>
    public ICandleHistoryClient Create(string exchangeId, Uri? baseUrl, TimeProvider timeProvider, ILoggerFactory? loggerFactory = null,
        BinanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(exchangeId);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (!IsKnown(exchangeId))
        {
            throw new ArgumentException(
                $"Unknown exchange '{exchangeId}'. Closest known: {string.Join(", ", Fuzzy.Closest(exchangeId.Trim(), KnownExchanges))}. Known: {string.Join(", ", KnownExchanges)}.",
                nameof(exchangeId));
        }

        // Our per-attempt timeout (BinanceOptions.RequestTimeout) governs; the HttpClient's own is switched off.
        var http = new HttpClient(_handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Coinlake/1.0");
        loggerFactory ??= NullLoggerFactory.Instance;
        var id = exchangeId.Trim().ToLowerInvariant();
        try
        {
            if (KucoinClient.ExchangeIds.Contains(id, StringComparer.Ordinal))
            {
                return KucoinClient.CreateShared(id, http, ownsHttpClient: true, baseUrl, null, timeProvider, loggerFactory.CreateLogger<KucoinClient>(), _limiters);
            }

            if (KrakenClient.ExchangeIds.Contains(id, StringComparer.Ordinal))
            {
                return KrakenClient.CreateShared(id, http, ownsHttpClient: true, baseUrl, null, timeProvider, loggerFactory.CreateLogger<KrakenClient>(), limiter: null);
            }

            if (OkxClient.ExchangeIds.Contains(id, StringComparer.Ordinal))
            {
                return OkxClient.CreateShared(id, http, ownsHttpClient: true, baseUrl, null, timeProvider, loggerFactory.CreateLogger<OkxClient>());
            }

            if (BybitClient.ExchangeIds.Contains(id, StringComparer.Ordinal))
            {
                return BybitClient.CreateShared(id, http, ownsHttpClient: true, baseUrl, null, timeProvider, loggerFactory.CreateLogger<BybitClient>(), limiter: null);
            }

            if (CoinbaseClient.ExchangeIds.Contains(id, StringComparer.Ordinal))
            {
                // Tasks run one after another, so each client's own 10 requests/s bucket keeps the process within the IP limit.
                return CoinbaseClient.CreateShared(id, http, ownsHttpClient: true, baseUrl, null, timeProvider, loggerFactory.CreateLogger<CoinbaseClient>(), sharedLimiter: null);
            }

            return BinanceClient.CreateShared(exchangeId, http, ownsHttpClient: true, baseUrl, options, timeProvider, loggerFactory.CreateLogger<BinanceClient>(), _limiters);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>Closes the pooled connections. Clients created by this registry stop working.</summary>
    public void Dispose() => _handler.Dispose();
}
