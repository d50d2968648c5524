using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Coinlake.Exchanges.Kucoin.Socket;

/// <summary>
/// The answer of KuCoin's <c>POST /api/v1/bullet-public</c> ("WebSocket / Get Public Token - Spot/Margin"): a token
/// (valid 24 h) and the server to connect to, <c>{endpoint}?token={token}&amp;connectId={id}</c>.
/// </summary>
/// <param name="Endpoint">The <c>instanceServers[0].endpoint</c>, e.g. <c>wss://ws-api-spot.kucoin.com/</c>.</param>
/// <param name="Token">The connection token.</param>
/// <param name="PingInterval">How often the client should ping (<c>pingInterval</c>, documented 18,000 ms).</param>
/// <param name="PingTimeout">After how long without a pong the connection counts as dead (<c>pingTimeout</c>, 10,000 ms).</param>
public sealed record KucoinBullet(Uri Endpoint, string Token, TimeSpan PingInterval, TimeSpan PingTimeout)
{
    /// <summary>The path of the public token request.</summary>
    public const string Path = "/api/v1/bullet-public";

    /// <summary>The URL of one connection: the endpoint with <c>token</c> and <c>connectId</c> in the query.</summary>
    /// <param name="connectId">A client-chosen id KuCoin echoes in the welcome message.</param>
    public Uri ConnectUrl(string connectId)
    {
        ArgumentNullException.ThrowIfNull(connectId);
        var builder = new UriBuilder(Endpoint)
        {
            Query = "token=" + Uri.EscapeDataString(Token) + "&connectId=" + Uri.EscapeDataString(connectId),
        };
        return builder.Uri;
    }

    /// <summary>Requests a token with <c>POST {baseUrl}/api/v1/bullet-public</c> (no body, no authentication).</summary>
    /// <param name="http">Sends the request.</param>
    /// <param name="baseUrl">The REST base URL (<c>https://api.kucoin.com</c> or an override).</param>
    /// <param name="timeout">Timeout of the request.</param>
    /// <param name="exchange">Exchange id for errors.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="ExchangeException">No answer, an HTTP error or a code other than <c>200000</c> (transient: the stream retries on reconnect).</exception>
    /// <exception cref="MalformedResponseException">The answer has no token or server.</exception>
    public static async Task<KucoinBullet> RequestAsync(HttpClient http, Uri baseUrl, TimeSpan timeout, string exchange, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseUrl);
        var url = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + Path, UriKind.Absolute);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        byte[] body;
        HttpStatusCode status;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url);
            using var response = await http.SendAsync(request, deadline.Token).ConfigureAwait(false);
            status = response.StatusCode;
            body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ExchangeException(exchange, $"{exchange} did not answer {url} within {timeout}.", url: url, isTransient: true, inner: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ExchangeException(exchange, $"{exchange} token request {url} failed: {ex.Message}", url: url, isTransient: true, inner: ex);
        }

        if (status != HttpStatusCode.OK)
        {
            throw new ExchangeException(exchange,
                $"{exchange} refused the WebSocket token request {url}: HTTP {(int)status} {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)))}",
                url: url, httpStatus: (int)status, isTransient: true);
        }

        return Parse(body, url, exchange);
    }

    /// <summary>Parses a bullet answer <c>{"code":"200000","data":{"token":..,"instanceServers":[{"endpoint","pingInterval","pingTimeout"}]}}</c>.</summary>
    /// <exception cref="ExchangeException">The code is not <c>200000</c> (transient).</exception>
    /// <exception cref="MalformedResponseException">Not such an answer.</exception>
    public static KucoinBullet Parse(ReadOnlySpan<byte> body, Uri url, string exchange)
    {
        ArgumentNullException.ThrowIfNull(url);
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            var code = root.TryGetProperty("code", out var c) ? c.ToString() : null;
            if (code != "200000")
            {
                var msg = root.TryGetProperty("msg", out var m) ? m.ToString() : "";
                throw new ExchangeException(exchange, $"{exchange} refused the WebSocket token request {url}: code {code} {msg}", code: code, url: url, isTransient: true);
            }

            var data = root.GetProperty("data");
            var token = data.GetProperty("token").GetString();
            var server = data.GetProperty("instanceServers").EnumerateArray().FirstOrDefault();
            if (string.IsNullOrEmpty(token) || server.ValueKind != JsonValueKind.Object
                || !Uri.TryCreate(server.GetProperty("endpoint").GetString(), UriKind.Absolute, out var endpoint))
            {
                throw new MalformedResponseException(exchange, url, "the token answer has no token or no instanceServers[0].endpoint");
            }

            return new KucoinBullet(endpoint, token, Millis(server, "pingInterval", 18_000), Millis(server, "pingTimeout", 10_000));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new MalformedResponseException(exchange, url, $"invalid WebSocket token answer: {ex.Message}", ex);
        }
    }

    private static TimeSpan Millis(JsonElement server, string name, long fallback)
    {
        if (!server.TryGetProperty(name, out var value))
        {
            return TimeSpan.FromMilliseconds(fallback);
        }

        var ms = value.ValueKind == JsonValueKind.Number ? value.GetInt64()
            : long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : fallback;
        return TimeSpan.FromMilliseconds(ms > 0 ? ms : fallback);
    }
}
