using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coinlake.Server.Endpoints;

/// <summary>
/// <c>GET /health/live</c> (the process answers; no checks) and <c>GET /health/ready</c> (the data folder is writable and
/// the job store's database answers); 200 when healthy, 503 otherwise, with a JSON body listing each check. No API key.
/// </summary>
public static class HealthApi
{
    /// <summary>Maps the two health endpoints.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteAsync });
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var document = new HealthDocument(report.Status.ToString(),
            report.Entries.ToDictionary(e => e.Key, e => new HealthEntry(e.Value.Status.ToString(), e.Value.Description), StringComparer.Ordinal));
        return context.Response.WriteAsync(JsonSerializer.Serialize(document, ServerJsonContext.Default.HealthDocument), context.RequestAborted);
    }
}
