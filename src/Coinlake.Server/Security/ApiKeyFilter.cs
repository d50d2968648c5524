using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Coinlake.Server.Security;

/// <summary>
/// Guards <c>/api</c>: write requests (POST, PUT, PATCH, DELETE), and reads when
/// <see cref="ServerOptions.RequireApiKeyForReads"/> is set, need header <c>X-Api-Key</c> equal to
/// <see cref="ServerOptions.ApiKey"/>, compared in constant time (SHA-256 of both, then
/// <see cref="CryptographicOperations.FixedTimeEquals"/>). A server without a key accepts writes from loopback clients
/// only. Failures are 401 ProblemDetails saying what to send.
/// </summary>
internal sealed class ApiKeyFilter(ServerOptions options) : IEndpointFilter
{
    /// <summary>The header carrying the key.</summary>
    public const string Header = "X-Api-Key";

    private readonly byte[]? _expected = string.IsNullOrEmpty(options.ApiKey) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.ApiKey));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var write = !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method));
        if (!write && !options.RequireApiKeyForReads)
        {
            return await next(context).ConfigureAwait(false);
        }

        if (_expected is null)
        {
            return IsLoopback(http)
                ? await next(context).ConfigureAwait(false)
                : Unauthorized("This server has no API key configured, so it accepts writes from this machine only; set COINLAKE_API_KEY (or Coinlake:ApiKey in the config file) on the server and send it as X-Api-Key.");
        }

        var given = http.Request.Headers[Header].ToString();
        if (given.Length == 0)
        {
            return Unauthorized($"This endpoint needs an API key: send it in the {Header} header.");
        }

        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(given));
        return CryptographicOperations.FixedTimeEquals(actual, _expected)
            ? await next(context).ConfigureAwait(false)
            : Unauthorized($"The {Header} header does not match the server's API key (COINLAKE_API_KEY).");
    }

    private static bool IsLoopback(HttpContext http) => http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip);

    private static IResult Unauthorized(string detail)
    {
        return Results.Problem(detail: detail, statusCode: StatusCodes.Status401Unauthorized, title: "API key required",
            extensions: new Dictionary<string, object?> { ["header"] = Header });
    }
}
