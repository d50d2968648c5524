using Coinlake.Exchanges.Http;
using Microsoft.Extensions.Logging;
using Polly;

namespace Coinlake.Exchanges.Kucoin;

/// <summary>Parses a 200 answer's body; runs while the body's pooled buffer is alive. Throws <see cref="KucoinEnvelopeException"/> for an error envelope.</summary>
internal delegate T KucoinBodyParser<out T>(ReadOnlySpan<byte> body, Uri url);

/// <summary>
/// GET requests to KuCoin's spot REST host: reserves the route's weight in the host's <see cref="WeightLimiter"/>,
/// sends with a per-attempt timeout, re-syncs the limiter from <c>gw-ratelimit-remaining</c>, maps error answers
/// (HTTP status and envelope code) to <see cref="ExchangeException"/>s and retries the transient ones through the
/// shared Polly pipeline. A 429000 answer waits the <c>gw-ratelimit-reset</c> milliseconds KuCoin sends ("Rate
/// Limit": "the request can be re-requested after the length of time displayed in the request header").
/// </summary>
internal sealed class KucoinRestApi
{
    /// <summary>Response header: quota of the resource pool the route draws from.</summary>
    public const string LimitHeader = "gw-ratelimit-limit";

    /// <summary>Response header: quota left in the pool's current window.</summary>
    public const string RemainingHeader = "gw-ratelimit-remaining";

    /// <summary>Response header: milliseconds until the pool's window resets.</summary>
    public const string ResetHeader = "gw-ratelimit-reset";

    private readonly string _exchange;
    private readonly ExchangeTransport _transport;
    private readonly RequestStats _stats;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public KucoinRestApi(string exchange, Uri baseUrl, HttpClient http, WeightLimiter? limiter, ResiliencePipeline pipeline,
        RequestStats stats, TimeProvider time, TimeSpan timeout, ILogger logger)
    {
        _exchange = exchange;
        BaseUrl = baseUrl;
        _transport = new ExchangeTransport(exchange, http, pipeline, stats, time, timeout);
        Limiter = limiter;
        _stats = stats;
        _time = time;
        _logger = logger;
    }

    /// <summary>The host's base URL.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The host's limiter, when rate limits are respected.</summary>
    public WeightLimiter? Limiter { get; }

    /// <summary>The absolute URL of a path and query relative to the base URL.</summary>
    public Uri Url(string pathAndQuery) => new(BaseUrl.AbsoluteUri.TrimEnd('/') + pathAndQuery, UriKind.Absolute);

    /// <summary>GETs <paramref name="url"/> (retrying transient failures) and parses the 200 body.</summary>
    /// <exception cref="ExchangeException">An error answer, or a transient failure that outlived the retries.</exception>
    /// <exception cref="MalformedResponseException">The 200 body could not be parsed (not retried: bad data must not be stored).</exception>
    public Task<T> GetAsync<T>(Uri url, int weight, KucoinBodyParser<T> parse, CancellationToken cancellationToken) =>
        _transport.ExecuteAsync(
            static (state, ct) => state.Self.SendOnceAsync(state.Url, state.Weight, state.Parse, ct),
            (Self: this, Url: url, Weight: weight, Parse: parse),
            cancellationToken);

    private async Task<T> SendOnceAsync<T>(Uri url, int weight, KucoinBodyParser<T> parse, CancellationToken cancellationToken)
    {
        var lease = Limiter is null ? default : await Limiter.AcquireAsync(weight, cancellationToken).ConfigureAwait(false);
        return await _transport.SendAsync(url, HandleAsync, (Lease: lease, Parse: parse), cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> HandleAsync<T>(HttpResponseMessage response, Uri url, (WeightLease Lease, KucoinBodyParser<T> Parse) state,
        CancellationToken cancellationToken)
    {
        Resync(state.Lease, response);
        var status = (int)response.StatusCode;
        if (ExchangeTransport.IsOk(response))
        {
            using var body = await ExchangeTransport.ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            try
            {
                return state.Parse(body.Span, url);
            }
            catch (KucoinEnvelopeException ex)
            {
                throw ToException(response, status, ex.Code, ex.ExchangeMessage, default, url);
            }
        }

        using var errorBody = await ExchangeTransport.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        var span = errorBody is null ? default : errorBody.Span;
        var (code, message) = KucoinErrors.ParseEnvelope(span);
        throw ToException(response, status, code, message, span, url);
    }

    /// <summary>Feeds the pool's reported use (quota - remaining) to the limiter: other processes on the IP count too.</summary>
    private void Resync(WeightLease lease, HttpResponseMessage response)
    {
        if (Limiter is null)
        {
            return;
        }

        var limit = HttpHeaderValues.Int32(response.Headers, LimitHeader);
        var remaining = HttpHeaderValues.Int32(response.Headers, RemainingHeader);
        if (limit is { } l && remaining is { } r && l >= r)
        {
            Limiter.OnResponse(lease, l - r);
        }
    }

    private ExchangeException ToException(HttpResponseMessage response, int status, string? code, string? message, ReadOnlySpan<byte> body, Uri url)
    {
        var described = code is not null
            ? $"code {code} {message}"
            : ErrorText.DescribeBody(body);
        if (status == 429 || string.Equals(code, KucoinErrors.TooManyRequests, StringComparison.Ordinal))
        {
            _stats.OnRateLimited();
            var now = _time.GetUtcNow();
            var reset = ResetOf(response) ?? HttpHeaderValues.RetryAfter(response.Headers, now);
            KucoinLog.RateLimited(_logger, _exchange, url, status, reset, HttpHeaderValues.Int32(response.Headers, RemainingHeader));
            if (reset is { } wait)
            {
                Limiter?.PauseUntil(now + wait);
            }
            else
            {
                Limiter?.MarkExhausted();
            }

            return new RateLimitedException(_exchange,
                $"{_exchange} rate-limited the request (HTTP {status}) for {url}: {described}." + (reset is { } r ? $" The pool resets in {r}." : ""),
                reset, status, url, code, message);
        }

        var transient = KucoinErrors.IsTransient(status, code);
        var hint = code switch
        {
            KucoinErrors.ParameterError => " KuCoin rejected a parameter (\"Error Code\" 400100): check the symbol id and the kline type.",
            KucoinErrors.SymbolNotExists => " KuCoin does not list this symbol (900001).",
            _ => "",
        };
        return new ExchangeException(_exchange, $"{_exchange} answered HTTP {status} to {url}: {described}.{hint}", code, message, status, url, transient);
    }

    /// <summary>The wait KuCoin asks for after a 429000: <c>gw-ratelimit-reset</c>, milliseconds until the pool resets.</summary>
    private static TimeSpan? ResetOf(HttpResponseMessage response) =>
        HttpHeaderValues.Int32(response.Headers, ResetHeader) is { } ms ? TimeSpan.FromMilliseconds(ms) : null;
}
