using System.Globalization;
using Coinlake.Exchanges.Http;
using Microsoft.Extensions.Logging;
using Polly;

namespace Coinlake.Exchanges.Coinbase;

/// <summary>Parses a 200 response body; runs while the body's pooled buffer is alive.</summary>
internal delegate T CoinbaseBodyParser<out T>(ReadOnlySpan<byte> body, Uri url);

/// <summary>
/// GET requests to the Coinbase Exchange REST host: takes a token from the <see cref="CoinbaseRateLimiter"/>, sends with
/// a per-attempt timeout, maps error answers to <see cref="ExchangeException"/>s ("Requests" / "Errors") and retries
/// the transient ones through the shared Polly <see cref="RetryPipeline"/>. A 429 pauses the limiter for
/// <c>Retry-After</c> (or <see cref="CoinbaseOptions.RateLimitedWait"/>) and is retried after exactly that wait.
/// </summary>
internal sealed class CoinbaseRestApi
{
    private readonly string _exchange;
    private readonly ExchangeTransport _transport;
    private readonly CoinbaseRateLimiter? _limiter;
    private readonly RequestStats _stats;
    private readonly TimeProvider _time;
    private readonly CoinbaseOptions _options;
    private readonly ILogger _logger;
    private readonly string _base;

    public CoinbaseRestApi(string exchange, HttpClient http, CoinbaseRateLimiter? limiter, ResiliencePipeline pipeline, RequestStats stats,
        TimeProvider time, CoinbaseOptions options, ILogger logger)
    {
        _exchange = exchange;
        _transport = new ExchangeTransport(exchange, http, pipeline, stats, time, options.RequestTimeout);
        _limiter = limiter;
        _stats = stats;
        _time = time;
        _options = options;
        _logger = logger;
        _base = options.BaseUrl.AbsoluteUri.TrimEnd('/');
    }

    /// <summary>The limiter, when rate limits are respected.</summary>
    public CoinbaseRateLimiter? Limiter => _limiter;

    /// <summary>The absolute URL of a path and query relative to the base URL (e.g. <c>/products/BTC-USD/candles?...</c>).</summary>
    public Uri Url(string pathAndQuery) => new(_base + pathAndQuery, UriKind.Absolute);

    /// <summary>The URL of a product route: <c>/products/{id}/{route}?{query}</c> (the id escaped).</summary>
    public Uri ProductUrl(string productId, string route, string? query = null) =>
        Url(string.Create(CultureInfo.InvariantCulture, $"/products/{Uri.EscapeDataString(productId)}/{route}{(query is null ? "" : "?" + query)}"));

    /// <summary>GETs <paramref name="url"/> (retrying transient failures) and parses the 200 body.</summary>
    /// <exception cref="ExchangeException">An error answer, or a transient failure that outlived the retries.</exception>
    /// <exception cref="MalformedResponseException">The 200 body could not be parsed (not retried: bad data must not be stored).</exception>
    public Task<T> GetAsync<T>(Uri url, CoinbaseBodyParser<T> parse, CancellationToken cancellationToken) =>
        _transport.ExecuteAsync(
            static (state, ct) => state.Self.SendOnceAsync(state.Url, state.Parse, ct),
            (Self: this, Url: url, Parse: parse),
            cancellationToken);

    private async Task<T> SendOnceAsync<T>(Uri url, CoinbaseBodyParser<T> parse, CancellationToken cancellationToken)
    {
        if (_limiter is not null)
        {
            await _limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _transport.SendAsync(url, HandleAsync, parse, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> HandleAsync<T>(HttpResponseMessage response, Uri url, CoinbaseBodyParser<T> parse, CancellationToken cancellationToken)
    {
        if (ExchangeTransport.IsOk(response))
        {
            using var body = await ExchangeTransport.ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            return parse(body.Span, url);
        }

        using var errorBody = await ExchangeTransport.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        throw ToException(response, errorBody is null ? default : errorBody.Span, url);
    }

    private ExchangeException ToException(HttpResponseMessage response, ReadOnlySpan<byte> body, Uri url)
    {
        var status = (int)response.StatusCode;
        var code = status.ToString(CultureInfo.InvariantCulture);
        var message = CoinbaseErrors.ParseMessage(body);
        var described = message is not null ? $"\"{message}\"" : ErrorText.DescribeBody(body);
        if (status == 429)
        {
            _stats.OnRateLimited();
            var now = _time.GetUtcNow();
            var wait = HttpHeaderValues.RetryAfter(response.Headers, now) ?? _options.RateLimitedWait;
            _limiter?.PauseUntil(now + wait);
            CoinbaseLog.RateLimited(_logger, _exchange, url, message, wait);
            return new RateLimitedException(_exchange,
                $"{_exchange} rate-limited the request (HTTP 429) for {url}: {described}. Waiting {wait} (\"Rate Limits\": 10 public requests per second per IP).",
                wait, status, url, code, message);
        }

        var hint = status switch
        {
            404 => " Coinbase answers 404 for a product id it does not list; check the symbol against GET /products.",
            400 => " The request was rejected as malformed (see the message).",
            _ => "",
        };
        return new ExchangeException(_exchange, $"{_exchange} answered HTTP {status} to {url}: {described}.{hint}",
            code, message, status, url, CoinbaseErrors.IsTransient(status));
    }
}
