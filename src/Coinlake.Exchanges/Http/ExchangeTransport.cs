using System.Net;
using Polly;

namespace Coinlake.Exchanges.Http;

/// <summary>
/// Handles one answer of <see cref="ExchangeTransport.SendAsync{TState, T}"/>: reads the body (with
/// <see cref="ExchangeTransport.ReadBodyAsync"/> or <see cref="ExchangeTransport.ReadErrorBodyAsync"/>), parses it or
/// throws the venue's <see cref="ExchangeException"/>. Runs inside the attempt's timeout.
/// </summary>
/// <param name="response">The answer; disposed by the transport after the handler returns.</param>
/// <param name="url">The requested URL.</param>
/// <param name="state">The caller's state (parser, limiter lease, ...).</param>
/// <param name="cancellationToken">The caller's token linked with the per-attempt timeout.</param>
internal delegate Task<T> ResponseHandler<in TState, T>(HttpResponseMessage response, Uri url, TState state, CancellationToken cancellationToken);

/// <summary>
/// The request-sending core every venue's <c>*RestApi</c> shares: runs attempts through the connector's Polly retry
/// pipeline (<see cref="RetryPipeline"/>), sends one GET with a per-attempt timeout and counts it in
/// <see cref="RequestStats"/>, and turns transport failures into exceptions the pipeline understands: a timeout
/// (<see cref="OperationCanceledException"/> not asked for by the caller), <see cref="HttpRequestException"/> and
/// <see cref="IOException"/> become transient <see cref="ExchangeException"/>s; <see cref="InvalidDataException"/>
/// (a body over its size cap, or unparsable) becomes <see cref="MalformedResponseException"/> (not retried: bad data
/// must not be stored). Venue-specific parts — envelopes, error codes, rate-limit headers — stay in the handler.
/// </summary>
internal sealed class ExchangeTransport
{
    /// <summary>Size cap of a 200 body, bytes.</summary>
    public const int MaxBodyBytes = 64 * 1024 * 1024;

    /// <summary>Size cap of an error body, bytes; a longer one is ignored (the status still tells what happened).</summary>
    public const int MaxErrorBodyBytes = 64 * 1024;

    private readonly string _exchange;
    private readonly HttpClient _http;
    private readonly ResiliencePipeline _pipeline;
    private readonly RequestStats _stats;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    /// <summary>Creates the transport of one connector.</summary>
    /// <param name="exchange">Exchange id used in error messages and exceptions.</param>
    /// <param name="http">Client that sends the requests.</param>
    /// <param name="pipeline">Retry pipeline (<see cref="RetryPipeline.Create"/>).</param>
    /// <param name="stats">Counters; one request is counted per attempt sent.</param>
    /// <param name="time">Clock of the per-attempt timeout.</param>
    /// <param name="timeout">Per-attempt timeout (headers and body).</param>
    public ExchangeTransport(string exchange, HttpClient http, ResiliencePipeline pipeline, RequestStats stats, TimeProvider time, TimeSpan timeout)
    {
        _exchange = exchange;
        _http = http;
        _pipeline = pipeline;
        _stats = stats;
        _time = time;
        _timeout = timeout;
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> through the retry pipeline: again after a transient
    /// <see cref="ExchangeException"/> (waiting a <see cref="RateLimitedException.RetryAfter"/> when given), at once
    /// failing on anything else.
    /// </summary>
    public Task<T> ExecuteAsync<TState, T>(Func<TState, CancellationToken, Task<T>> attempt, TState state, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(
            static (s, ct) => new ValueTask<T>(s.Attempt(s.State, ct)),
            (Attempt: attempt, State: state),
            cancellationToken).AsTask();

    /// <summary>Sends one GET of <paramref name="url"/> with the per-attempt timeout and lets <paramref name="handle"/> read the answer.</summary>
    /// <exception cref="ExchangeException">Transient: no answer within the timeout, a failed request or a broken connection; or what the handler throws.</exception>
    /// <exception cref="MalformedResponseException">A body over its size cap or otherwise unreadable (<see cref="InvalidDataException"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<T> SendAsync<TState, T>(Uri url, ResponseHandler<TState, T> handle, TState state, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        _stats.OnRequest();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            return await handle(response, url, state, linked.Token).ConfigureAwait(false);
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

    /// <summary>True for HTTP 200, the only status whose body is parsed as data.</summary>
    public static bool IsOk(HttpResponseMessage response) => response.StatusCode == HttpStatusCode.OK;

    /// <summary>Reads a 200 body (at most <see cref="MaxBodyBytes"/>).</summary>
    /// <exception cref="InvalidDataException">The body is longer than the cap.</exception>
    public static Task<ResponseBuffer> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        ResponseBuffer.ReadAsync(response.Content, MaxBodyBytes, cancellationToken);

    /// <summary>Reads an error body (at most <see cref="MaxErrorBodyBytes"/>); null when it is longer.</summary>
    public static async Task<ResponseBuffer?> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
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
}
