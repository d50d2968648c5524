using System.Globalization;
using Coinlake.Exchanges.Http;
using Microsoft.Extensions.Logging;
using Polly;

namespace Coinlake.Exchanges.Bybit.Rest;

/// <summary>
/// GET requests to the Bybit v5 host: takes a permit of the host's <see cref="BybitRequestLimiter"/>, sends with a
/// per-attempt timeout, parses the envelope, maps error answers (HTTP status and <c>retCode</c>) to
/// <see cref="ExchangeException"/>s and retries the transient ones through the shared Polly pipeline.
/// </summary>
internal sealed class BybitRestApi
{
    /// <summary>
    /// Response header with the time (ms UTC) at which an exceeded API rate limit resets ("Rate Limit Rules" /
    /// "API Rate Limit": <c>X-Bapi-Limit-Reset-Timestamp</c>).
    /// </summary>
    public const string LimitResetHeader = "X-Bapi-Limit-Reset-Timestamp";

    private readonly string _exchange;
    private readonly ExchangeTransport _transport;
    private readonly BybitRequestLimiter? _limiter;
    private readonly RequestStats _stats;
    private readonly TimeProvider _time;
    private readonly TimeSpan _banWait;
    private readonly ILogger _logger;

    public BybitRestApi(string exchange, Uri baseUrl, HttpClient http, BybitRequestLimiter? limiter, ResiliencePipeline pipeline,
        RequestStats stats, TimeProvider time, TimeSpan timeout, TimeSpan banWait, ILogger logger)
    {
        _exchange = exchange;
        BaseUrl = baseUrl;
        _transport = new ExchangeTransport(exchange, http, pipeline, stats, time, timeout);
        _limiter = limiter;
        _stats = stats;
        _time = time;
        _banWait = banWait;
        _logger = logger;
    }

    /// <summary>The host's base URL.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The host's limiter, when rate limits are respected.</summary>
    public BybitRequestLimiter? Limiter => _limiter;

    /// <summary>The absolute URL of a path and query relative to the base URL.</summary>
    public Uri Url(string pathAndQuery) => new(BaseUrl.AbsoluteUri.TrimEnd('/') + pathAndQuery, UriKind.Absolute);

    /// <summary>GETs <paramref name="url"/> (retrying transient failures) and parses the envelope of the 200 body.</summary>
    /// <returns>The parsed result and the server's <c>time</c>.</returns>
    /// <exception cref="ExchangeException">An error answer, or a transient failure that outlived the retries.</exception>
    /// <exception cref="MalformedResponseException">The body could not be parsed (not retried: bad data must not be stored).</exception>
    public Task<(T Result, long? Time)> GetAsync<T>(Uri url, ResultReader<T> read, CancellationToken cancellationToken) =>
        _transport.ExecuteAsync(
            static (state, ct) => state.Self.SendOnceAsync(state.Url, state.Read, ct),
            (Self: this, Url: url, Read: read),
            cancellationToken);

    private async Task<(T Result, long? Time)> SendOnceAsync<T>(Uri url, ResultReader<T> read, CancellationToken cancellationToken)
    {
        if (_limiter is not null)
        {
            await _limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _transport.SendAsync(url, HandleAsync, read, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(T Result, long? Time)> HandleAsync<T>(HttpResponseMessage response, Uri url, ResultReader<T> read,
        CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (ExchangeTransport.IsOk(response))
        {
            using var body = await ExchangeTransport.ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            var answer = BybitEnvelope.Parse(body.Span, url, _exchange, read);
            if (answer.RetCode != 0)
            {
                throw ToException(response, status, answer.RetCode, answer.RetMsg, default, url);
            }

            return (answer.Result!, answer.Time);
        }

        using var errorBody = await ExchangeTransport.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        var span = errorBody is null ? default : errorBody.Span;
        var (code, message) = BybitErrors.ParseBody(span);
        throw ToException(response, status, code, message, span, url);
    }

    private ExchangeException ToException(HttpResponseMessage response, int status, int? code, string? message, ReadOnlySpan<byte> body, Uri url)
    {
        var described = code is not null
            ? $"retCode {code.Value.ToString(CultureInfo.InvariantCulture)} {message}"
            : ErrorText.DescribeBody(body);
        var formatted = BybitErrors.Format(code);
        if (BybitErrors.IsRateLimit(status, code))
        {
            _stats.OnRateLimited();
            var now = _time.GetUtcNow();
            TimeSpan? wait;
            string what;
            if (status == 403)
            {
                // "Rate Limit Rules": 403 "access too frequent" — stop every request and wait at least 10 minutes.
                wait = _banWait;
                what = "refused the request with HTTP 403 (the IP broke the 600 requests per 5 s limit, or the region is blocked)";
                BybitLog.IpBlocked(_logger, _exchange, url, _banWait);
            }
            else
            {
                wait = HttpHeaderValues.RetryAfter(response.Headers, now) ?? ResetWait(response, now);
                what = status == 429 ? "rate-limited the request (HTTP 429)" : $"rate-limited the request (retCode {formatted})";
                BybitLog.RateLimited(_logger, _exchange, url, status, formatted, wait);
            }

            if (wait is { } w && w > TimeSpan.Zero)
            {
                _limiter?.PauseUntil(now + w);
            }

            return new RateLimitedException(_exchange,
                $"{_exchange} {what} for {url}: {described}." + (wait is { } ra ? $" Waiting {ra} before retrying." : ""),
                wait, status, url, formatted, message);
        }

        var transient = BybitErrors.IsTransient(status, code);
        var hint = code switch
        {
            BybitErrors.ParameterError => " Bybit rejected a parameter (symbol, category, interval or limit); check the request.",
            BybitErrors.InvalidSymbol => " The symbol is not valid for this category.",
            _ when status == 404 => " Bybit answers 404 to a wrong path or a category that does not match the endpoint.",
            _ => "",
        };
        return new ExchangeException(_exchange,
            $"{_exchange} answered HTTP {status.ToString(CultureInfo.InvariantCulture)} to {url}: {described}.{hint}",
            formatted, message, status, url, transient);
    }

    /// <summary>The wait until <c>X-Bapi-Limit-Reset-Timestamp</c> (ms UTC), if the header is present and in the future.</summary>
    private static TimeSpan? ResetWait(HttpResponseMessage response, DateTimeOffset now)
    {
        if (!response.Headers.TryGetValues(LimitResetHeader, out var values))
        {
            return null;
        }

        foreach (var text in values)
        {
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                var wait = DateTimeOffset.FromUnixTimeMilliseconds(ms) - now;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return null;
    }
}
