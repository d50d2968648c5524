using Coinlake.Exchanges.Http;
using Microsoft.Extensions.Logging;
using Polly;

namespace Coinlake.Exchanges.Binance;

/// <summary>Parses a response body; runs while the body's pooled buffer is alive.</summary>
internal delegate T BodyParser<out T>(ReadOnlySpan<byte> body, Uri url);

/// <summary>
/// GET requests to one Binance API host (spot or USDⓈ-M futures): reserves the route's weight in the host's
/// <see cref="WeightLimiter"/>, sends with a per-attempt timeout, re-syncs the limiter from
/// <c>X-MBX-USED-WEIGHT-1M</c>, maps error answers to <see cref="ExchangeException"/>s and retries the transient ones
/// through the shared Polly pipeline.
/// </summary>
internal sealed class BinanceRestApi
{
    /// <summary>Response header with the IP's weight used in the current minute ("IP Limits").</summary>
    public const string UsedWeightHeader = "X-MBX-USED-WEIGHT-1M";

    private readonly string _exchange;
    private readonly ExchangeTransport _transport;
    private readonly WeightLimiter? _limiter;
    private readonly RequestStats _stats;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public BinanceRestApi(string exchange, Uri baseUrl, HttpClient http, WeightLimiter? limiter, ResiliencePipeline pipeline,
        RequestStats stats, TimeProvider time, TimeSpan timeout, ILogger logger)
    {
        _exchange = exchange;
        BaseUrl = baseUrl;
        _transport = new ExchangeTransport(exchange, http, pipeline, stats, time, timeout);
        _limiter = limiter;
        _stats = stats;
        _time = time;
        _logger = logger;
    }

    /// <summary>The host's base URL.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The host's limiter, when rate limits are respected.</summary>
    public WeightLimiter? Limiter => _limiter;

    /// <summary>The absolute URL of a path and query relative to the base URL.</summary>
    public Uri Url(string pathAndQuery) =>
        new(BaseUrl.AbsoluteUri.TrimEnd('/') + pathAndQuery, UriKind.Absolute);

    /// <summary>GETs <paramref name="url"/> (retrying transient failures) and parses the 200 body.</summary>
    /// <exception cref="ExchangeException">An error answer, or a transient failure that outlived the retries.</exception>
    /// <exception cref="MalformedResponseException">The 200 body could not be parsed (not retried: bad data must not be stored).</exception>
    public Task<T> GetAsync<T>(Uri url, int weight, BodyParser<T> parse, CancellationToken cancellationToken) =>
        _transport.ExecuteAsync(
            static (state, ct) => state.Self.SendOnceAsync(state.Url, state.Weight, state.Parse, ct),
            (Self: this, Url: url, Weight: weight, Parse: parse),
            cancellationToken);

    private async Task<T> SendOnceAsync<T>(Uri url, int weight, BodyParser<T> parse, CancellationToken cancellationToken)
    {
        var lease = _limiter is null ? default : await _limiter.AcquireAsync(weight, cancellationToken).ConfigureAwait(false);
        return await _transport.SendAsync(url, HandleAsync, (Lease: lease, Parse: parse), cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> HandleAsync<T>(HttpResponseMessage response, Uri url, (WeightLease Lease, BodyParser<T> Parse) state,
        CancellationToken cancellationToken)
    {
        _limiter?.OnResponse(state.Lease, HttpHeaderValues.Int32(response.Headers, UsedWeightHeader));
        var status = (int)response.StatusCode;
        if (ExchangeTransport.IsOk(response))
        {
            using var body = await ExchangeTransport.ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            return state.Parse(body.Span, url);
        }

        using var errorBody = await ExchangeTransport.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        throw ToException(response, status, errorBody is null ? default : errorBody.Span, url);
    }

    private ExchangeException ToException(HttpResponseMessage response, int status, ReadOnlySpan<byte> body, Uri url)
    {
        var (code, message) = BinanceErrors.ParseBody(body);
        var described = code is not null
            ? $"{code.Value} {message}"
            : ErrorText.DescribeBody(body);
        if (status is 429 or 418)
        {
            _stats.OnRateLimited();
            var now = _time.GetUtcNow();
            var retryAfter = HttpHeaderValues.RetryAfter(response.Headers, now);
            if (status == 418)
            {
                BinanceLog.Banned(_logger, _exchange, url, retryAfter);
            }
            else
            {
                BinanceLog.RateLimited(_logger, _exchange, url, retryAfter, HttpHeaderValues.Int32(response.Headers, UsedWeightHeader));
            }

            if (retryAfter is { } wait)
            {
                _limiter?.PauseUntil(now + wait);
            }
            else if (status == 429)
            {
                _limiter?.MarkExhausted();
            }

            var what = status == 418 ? "banned this IP (HTTP 418)" : "rate-limited the request (HTTP 429)";
            return new RateLimitedException(_exchange,
                $"{_exchange} {what} for {url}: {described}." + (retryAfter is { } ra ? $" Retry-After {ra}." : ""),
                retryAfter, status, url, BinanceErrors.Format(code), message);
        }

        var transient = BinanceErrors.IsTransient(status, code);
        var hint = status == 403 ? " Binance answers 403 when a WAF rule blocks the request (see 'HTTP Return Codes')." : "";
        return new ExchangeException(_exchange,
            $"{_exchange} answered HTTP {status} to {url}: {described}.{hint}",
            BinanceErrors.Format(code), message, status, url, transient);
    }
}
