using System.Net;
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

    private const int MaxBodyBytes = 64 * 1024 * 1024;
    private const int MaxErrorBodyBytes = 64 * 1024;

    private readonly string _exchange;
    private readonly HttpClient _http;
    private readonly WeightLimiter? _limiter;
    private readonly ResiliencePipeline _pipeline;
    private readonly RequestStats _stats;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;

    public BinanceRestApi(string exchange, Uri baseUrl, HttpClient http, WeightLimiter? limiter, ResiliencePipeline pipeline,
        RequestStats stats, TimeProvider time, TimeSpan timeout, ILogger logger)
    {
        _exchange = exchange;
        BaseUrl = baseUrl;
        _http = http;
        _limiter = limiter;
        _pipeline = pipeline;
        _stats = stats;
        _time = time;
        _timeout = timeout;
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
        _pipeline.ExecuteAsync(
            static (state, ct) => new ValueTask<T>(state.Self.SendOnceAsync(state.Url, state.Weight, state.Parse, ct)),
            (Self: this, Url: url, Weight: weight, Parse: parse),
            cancellationToken).AsTask();

    private async Task<T> SendOnceAsync<T>(Uri url, int weight, BodyParser<T> parse, CancellationToken cancellationToken)
    {
        var lease = _limiter is null ? default : await _limiter.AcquireAsync(weight, cancellationToken).ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        _stats.OnRequest();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            _limiter?.OnResponse(lease, HttpHeaderValues.Int32(response.Headers, UsedWeightHeader));
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var body = await ResponseBuffer.ReadAsync(response.Content, MaxBodyBytes, linked.Token).ConfigureAwait(false);
                return parse(body.Span, url);
            }

            using var errorBody = await ReadErrorBodyAsync(response, linked.Token).ConfigureAwait(false);
            throw ToException(response, status, errorBody is null ? default : errorBody.Span, url);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Our per-attempt timeout, or HttpClient.Timeout of a caller-supplied client.
            throw new ExchangeException(_exchange, $"{_exchange} did not answer {url} within {_timeout}.", url: url, isTransient: true, inner: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ExchangeException(_exchange, $"{_exchange} request {url} failed: {ex.Message}", url: url,
                httpStatus: ex.StatusCode is { } s ? (int)s : null, isTransient: true, inner: ex);
        }
        catch (IOException ex)
        {
            throw new ExchangeException(_exchange, $"{_exchange} connection broke while reading {url}: {ex.Message}", url: url, isTransient: true, inner: ex);
        }
        catch (InvalidDataException ex)
        {
            throw new MalformedResponseException(_exchange, url, ex.Message, ex);
        }
    }

    private static async Task<ResponseBuffer?> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await ResponseBuffer.ReadAsync(response.Content, MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private ExchangeException ToException(HttpResponseMessage response, int status, ReadOnlySpan<byte> body, Uri url)
    {
        var (code, message) = BinanceErrors.ParseBody(body);
        var described = code is not null
            ? $"{code.Value} {message}"
            : body.IsEmpty ? "no body" : $"body: {BinanceErrors.Snippet(body)}";
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
