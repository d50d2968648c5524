using System.Text.Json;
using Coinlake.Server.Ingest;
using Coinlake.Server.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Coinlake.Server.Endpoints;

/// <summary><c>POST /api/ingest</c>: queue a backfill described with the task file's fields.</summary>
public static class IngestApi
{
    /// <summary>Maps <c>POST /ingest</c> on <paramref name="api"/> (the <c>/api</c> group).</summary>
    public static RouteGroupBuilder MapIngestApi(this RouteGroupBuilder api)
    {
        api.MapPost("/ingest", IngestAsync)
            .WithName("Ingest")
            .WithSummary("Queue a backfill")
            .WithDescription("The body is one task with the YAML task file's fields (exchange, symbol(s), timeframe(s), start, end, price, market_type, format/sinks, output, base_url). It is validated exactly as a task file is; 400 names each offending field. Needs X-Api-Key.")
            .Accepts<IngestRequestDocument>("application/json")
            .Produces<IngestAccepted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return api;
    }

    private static async Task<Results<Accepted<IngestAccepted>, ValidationProblem>> IngestAsync(
        HttpRequest request, JobQueue queue, ServerOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["body"] = [$"the body is not valid JSON ({ex.Message}); send a JSON object such as {{\"exchange\": \"binance\", \"symbol\": \"BTC/USDT\", \"timeframe\": \"1h\", \"start\": \"2024-01-01\"}}."] },
                title: "Invalid ingest request");
        }

        using (document)
        {
            try
            {
                var task = IngestRequestParser.Parse(document.RootElement, options, time);
                var job = await queue.EnqueueAsync(task, document.RootElement.GetRawText(), cancellationToken).ConfigureAwait(false);
                var url = $"/api/jobs/{job.Id}";
                return TypedResults.Accepted(url, new IngestAccepted(job.Id, job.State, url));
            }
            catch (IngestValidationException ex)
            {
                return TypedResults.ValidationProblem(ex.Errors, title: "Invalid ingest request",
                    detail: "Fix the fields listed in 'errors' (the same rules as a YAML task file); see GET /openapi/v1.json for the body's shape.");
            }
        }
    }
}
