using Coinlake.Exchanges.Http;
using Microsoft.Extensions.Logging;
using Polly;

namespace Coinlake.Exchanges.Kraken.Rest;

/// <summary>Parses a response body into Kraken's envelope; runs while the body's pooled buffer is alive.</summary>
internal delegate KrakenAnswer<T> KrakenBodyParser<T>(ReadOnlySpan<byte> body, Uri url);

/// <summary>
/// GET requests to Kraken's public REST API: takes a token of the <see cref="KrakenRequestLimiter"/>, sends with a
/// per-attempt timeout, reads the envelope, maps errors (in a 200 envelope or with an HTTP error status) to
/// <see cref="ExchangeException"/>s — rate limits to <see cref="RateLimitedException"/> with the wait to honour — and
/// retries the transient ones through the shared Polly pipeline (<see cref="RetryPipeline"/>).
/// </summary>
internal sealed class KrakenRestApi
{
    private readonly string _exchange;
    private readonly ExchangeTransport _transport;
    private readonly RequestStats _stats;
    private readonly TimeProvider _time;
    private readonly TimeSpan _rateLimitBackoff;
    private readonly ILogger _logger;

    public KrakenRestApi(string exchange, Uri baseUrl, HttpClient http, KrakenRequestLimiter? limiter, ResiliencePipeline pipeline,
        RequestStats stats, TimeProvider time, TimeSpan timeout, TimeSpan rateLimitBackoff, ILogger logger)
    {
        _exchange = exchange;
        BaseUrl = baseUrl;
        _transport = new ExchangeTransport(exchange, http, pipeline, stats, time, timeout);
        Limiter = limiter;
        _stats = stats;
        _time = time;
        _rateLimitBackoff = rateLimitBackoff;
        _logger = logger;
    }

    public Uri BaseUrl { get; }

    public KrakenRequestLimiter? Limiter { get; }

    /// <summary>The absolute URL of a path and query relative to the base URL, e.g. <c>/0/public/OHLC?pair=XXBTZUSD</c>.</summary>
    public Uri Url(string pathAndQuery) => new(BaseUrl.AbsoluteUri.TrimEnd('/') + pathAndQuery, UriKind.Absolute);

    /// <summary>GETs <paramref name="url"/> (retrying transient failures) and returns the parsed result.</summary>
    /// <exception cref="ExchangeException">An error answer, or a transient failure that outlived the retries.</exception>
    /// <exception cref="MalformedResponseException">The body could not be parsed (not retried: bad data must not be stored).</exception>
    public Task<T> GetAsync<T>(Uri url, KrakenBodyParser<T> parse, CancellationToken cancellationToken) =>
        _transport.ExecuteAsync(
            static (state, ct) => state.Self.SendOnceAsync(state.Url, state.Parse, ct),
            (Self: this, Url: url, Parse: parse),
            cancellationToken);

    private async Task<T> SendOnceAsync<T>(Uri url, KrakenBodyParser<T> parse, CancellationToken cancellationToken)
    {
        if (Limiter is not null)
        {
            await Limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _transport.SendAsync(url, HandleAsync, parse, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> HandleAsync<T>(HttpResponseMessage response, Uri url, KrakenBodyParser<T> parse, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (ExchangeTransport.IsOk(response))
        {
            KrakenAnswer<T> answer;
            using (var body = await ExchangeTransport.ReadBodyAsync(response, cancellationToken).ConfigureAwait(false))
            {
                answer = parse(body.Span, url);
            }

            if (answer.FirstError is not null)
            {
                throw ToException(response, status, answer.Errors, url, body: default);
            }

            return answer.Result!;
        }

        using var errorBody = await ExchangeTransport.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        var span = errorBody is null ? default : errorBody.Span;
        throw ToException(response, status, KrakenEnvelope.TryReadErrors(span), url, span);
    }

    private ExchangeException ToException(HttpResponseMessage response, int status, IReadOnlyList<string> errors, Uri url, ReadOnlySpan<byte> body)
    {
        var first = errors.FirstOrDefault(KrakenErrors.IsError);
        var code = first is null ? null : KrakenErrors.Code(first);
        var joined = errors.Count > 0 ? string.Join("; ", errors) : null;
        var described = joined ?? ErrorText.DescribeBody(body);
        var statusText = status == 200 ? "" : $"HTTP {status}, ";
        if (status == 429 || (first is not null && KrakenErrors.IsRateLimit(first)))
        {
            _stats.OnRateLimited();
            var now = _time.GetUtcNow();
            var wait = (first is null ? null : KrakenErrors.ThrottledUntil(first)) is { } until
                ? (until > now ? until - now : TimeSpan.Zero)
                : HttpHeaderValues.RetryAfter(response.Headers, now) ?? _rateLimitBackoff;
            Limiter?.PauseUntil(now + wait);
            KrakenLog.RateLimited(_logger, _exchange, url, described, wait);
            return new RateLimitedException(_exchange,
                $"{_exchange} rate-limited {url} ({statusText}{described}); waiting {wait} before the next request.",
                wait, status, url, code, joined);
        }

        var transient = status is 408 or >= 500 || (first is not null && KrakenErrors.IsTransient(first));
        var hint = code switch
        {
            "EQuery:Unknown asset pair" => " Check the pair against /0/public/AssetPairs (GetMarketsAsync).",
            "EGeneral:Invalid arguments" => " A parameter was rejected; the detail after the last ':' names it.",
            _ => "",
        };
        return new ExchangeException(_exchange, $"{_exchange} answered {statusText}{described} to {url}.{hint}",
            code, joined, status, url, transient);
    }
}
