using Coinlake.Exchanges.Http;
using Microsoft.Extensions.Logging;
using Polly;

namespace Coinlake.Exchanges.Okx.Rest;

/// <summary>Parses the <c>data</c> value of a successful envelope; runs while the body's pooled buffer is alive.</summary>
internal delegate T OkxDataParser<out T>(ReadOnlySpan<byte> data, Uri url);

/// <summary>
/// GET requests to the OKX REST API: takes a permit of the endpoint's limiter, sends with a per-attempt timeout,
/// unwraps the <c>{"code","msg","data"}</c> envelope, maps error answers to <see cref="ExchangeException"/>s (rate
/// limits to <see cref="RateLimitedException"/> with the documented 2-second reset when no <c>Retry-After</c> is sent)
/// and retries the transient ones through the shared Polly pipeline.
/// </summary>
internal sealed class OkxRestApi
{
    private readonly string _exchange;
    private readonly ExchangeTransport _transport;
    private readonly OkxRateLimiters? _limiters;
    private readonly RequestStats _stats;
    private readonly TimeProvider _time;
    private readonly TimeSpan _rateLimitReset;
    private readonly ILogger _logger;

    public OkxRestApi(string exchange, Uri baseUrl, HttpClient http, OkxRateLimiters? limiters, ResiliencePipeline pipeline,
        RequestStats stats, TimeProvider time, TimeSpan timeout, TimeSpan rateLimitReset, ILogger logger)
    {
        _exchange = exchange;
        BaseUrl = baseUrl;
        _transport = new ExchangeTransport(exchange, http, pipeline, stats, time, timeout);
        _limiters = limiters;
        _stats = stats;
        _time = time;
        _rateLimitReset = rateLimitReset;
        _logger = logger;
    }

    /// <summary>The API's base URL.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The absolute URL of an endpoint with a query (without <c>?</c>).</summary>
    public Uri Url(OkxEndpoint endpoint, string query) =>
        new(string.Concat(BaseUrl.AbsoluteUri.TrimEnd('/'), endpoint.Path(), "?", query), UriKind.Absolute);

    /// <summary>GETs <paramref name="url"/> (retrying transient failures) and parses the <c>data</c> of the success envelope.</summary>
    /// <exception cref="ExchangeException">An error answer (with OKX's code and message), or a transient failure that outlived the retries.</exception>
    /// <exception cref="MalformedResponseException">A 200 body that is not an envelope or whose data could not be parsed (not retried).</exception>
    public Task<T> GetAsync<T>(OkxEndpoint endpoint, Uri url, OkxDataParser<T> parse, CancellationToken cancellationToken) =>
        _transport.ExecuteAsync(
            static (state, ct) => state.Self.SendOnceAsync(state.Endpoint, state.Url, state.Parse, ct),
            (Self: this, Endpoint: endpoint, Url: url, Parse: parse),
            cancellationToken);

    private async Task<T> SendOnceAsync<T>(OkxEndpoint endpoint, Uri url, OkxDataParser<T> parse, CancellationToken cancellationToken)
    {
        if (_limiters is not null)
        {
            await _limiters.AcquireAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }

        return await _transport.SendAsync(url, HandleAsync, parse, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> HandleAsync<T>(HttpResponseMessage response, Uri url, OkxDataParser<T> parse, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (ExchangeTransport.IsOk(response))
        {
            using var body = await ExchangeTransport.ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            if (!OkxEnvelope.TryRead(body.Span, out var envelope) || envelope.Code is null)
            {
                throw new MalformedResponseException(_exchange, url,
                    $"expected an OKX envelope {{\"code\":\"0\",\"msg\":\"\",\"data\":[...]}} but got: {OkxEnvelope.Snippet(body.Span)}");
            }

            if (!envelope.IsSuccess)
            {
                throw ToException(response, status, envelope, body.Span, url);
            }

            return parse(envelope.Data(body.Span), url);
        }

        using var errorBody = await ExchangeTransport.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        var span = errorBody is null ? default : errorBody.Span;
        OkxEnvelope.TryRead(span, out var error);
        throw ToException(response, status, error, span, url);
    }

    private ExchangeException ToException(HttpResponseMessage response, int status, OkxEnvelope envelope, ReadOnlySpan<byte> body, Uri url)
    {
        var code = envelope.Code;
        var message = envelope.Message;
        var described = code is not null
            ? OkxErrors.Describe(code, message)
            : ErrorText.DescribeBody(body);
        if (OkxErrors.IsRateLimit(status, code))
        {
            _stats.OnRateLimited();
            // OKX sends no Retry-After; its limits count per 2-second window, so one window is the documented reset.
            var retryAfter = HttpHeaderValues.RetryAfter(response.Headers, _time.GetUtcNow()) ?? _rateLimitReset;
            OkxLog.RateLimited(_logger, _exchange, url, status, code, retryAfter);
            return new RateLimitedException(_exchange,
                $"{_exchange} rate-limited the request (HTTP {status}) for {url}: {described}. Waiting {retryAfter}.",
                retryAfter, status, url, code, message);
        }

        var transient = OkxErrors.IsTransient(status, code);
        var hint = code switch
        {
            OkxErrors.InstrumentDoesNotExist => " The instrument id is not listed (delisted, expired, or a typo); list markets to find the right one.",
            OkxErrors.ParameterError or OkxErrors.ParameterEmpty => " A request parameter was rejected; this is a connector bug or an unsupported value.",
            _ => "",
        };
        return new ExchangeException(_exchange, $"{_exchange} answered HTTP {status} to {url}: {described}.{hint}", code, message, status, url, transient);
    }
}
