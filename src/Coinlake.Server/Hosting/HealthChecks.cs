using Coinlake.Server.Jobs;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Coinlake.Server.Hosting;

/// <summary>Ready when the data folder exists (created if missing) and is writable.</summary>
internal sealed class StorageHealthCheck(ServerOptions options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            Directory.CreateDirectory(options.DataPath);
            var probe = Path.Combine(options.DataPath, $".health-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            return Task.FromResult(HealthCheckResult.Healthy($"data folder {options.DataPath} is writable"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"data folder {options.DataPath} is not writable: {ex.Message}"));
        }
    }
}

/// <summary>Ready when the job store's database answers.</summary>
internal sealed class JobStoreHealthCheck(JobRecordStore records, ServerOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await records.PingAsync(cancellationToken).ConfigureAwait(false)
            ? HealthCheckResult.Healthy($"{options.JobStore.ToString().ToLowerInvariant()} job store reachable")
            : HealthCheckResult.Unhealthy($"{options.JobStore.ToString().ToLowerInvariant()} job store unreachable");
}

/// <summary>Creates the job tables before anything else starts (registered before Quartz's hosted service).</summary>
internal sealed class JobRecordSchemaInitializer(JobRecordStore records) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => records.EnsureSchemaAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
