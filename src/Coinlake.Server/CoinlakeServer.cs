using Coinlake.Server.Endpoints;
using Coinlake.Server.Hosting;
using Coinlake.Server.Jobs;
using Coinlake.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;
using Scalar.AspNetCore;

namespace Coinlake.Server;

/// <summary>
/// Builds the two hosts: <see cref="BuildWebApp"/> for <c>coinlake serve</c> (HTTP API + job worker unless
/// <see cref="ServerOptions.RunJobs"/> is false) and <see cref="BuildWorker"/> for <c>coinlake worker</c> (jobs only).
/// Both run Quartz.NET on the configured job store (SQLite file or clustered PostgreSQL) and register the cron
/// schedules of <see cref="ServerOptions.TasksFile"/>.
/// </summary>
public static class CoinlakeServer
{
    /// <summary>The web host: minimal API under <c>/api</c>, health under <c>/health</c>, OpenAPI at <c>/openapi/v1.json</c>, reference page at <c>/scalar</c>.</summary>
    /// <param name="options">Validated settings (see <see cref="ServerOptions.Validate"/>).</param>
    /// <param name="time">Clock (tests pass a fake one); default system.</param>
    /// <param name="configureLogging">Adds log providers; default console.</param>
    /// <exception cref="InvalidOperationException">Invalid settings.</exception>
    public static WebApplication BuildWebApp(ServerOptions options, TimeProvider? time = null, Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.BaseDirectory, Args = [] });
        builder.WebHost.UseUrls(options.Urls);
        ConfigureLogging(builder.Logging, configureLogging);
        AddCoinlakeJobs(builder.Services, options, time ?? TimeProvider.System);

        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Coinlake API";
            document.Info.Description = "Queue backfills (POST /api/ingest), follow jobs, read stored candles and their coverage.";
            return Task.CompletedTask;
        }));
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServerJsonContext.Default);
        });
        builder.Services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage", tags: ["ready"])
            .AddCheck<JobStoreHealthCheck>("job_store", tags: ["ready"]);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapHealthApi();
        var api = app.MapGroup("/api").AddEndpointFilter<ApiKeyFilter>();
        api.MapIngestApi();
        api.MapJobsApi();
        api.MapCandlesApi();
        api.MapCoverageApi();
        return app;
    }

    /// <summary>The worker host: runs jobs (and schedules) only, no HTTP.</summary>
    /// <param name="options">Validated settings.</param>
    /// <param name="time">Clock; default system.</param>
    /// <param name="configureLogging">Adds log providers; default console.</param>
    /// <exception cref="InvalidOperationException">Invalid settings.</exception>
    public static IHost BuildWorker(ServerOptions options, TimeProvider? time = null, Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.RunJobs = true;
        options.Validate();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = options.BaseDirectory, Args = [] });
        ConfigureLogging(builder.Logging, configureLogging);
        AddCoinlakeJobs(builder.Services, options, time ?? TimeProvider.System);
        return builder.Build();
    }

    /// <summary>Registers options, job records, the job queue and runner, Quartz (store, clustering, retries) and the schedule registrar.</summary>
    internal static void AddCoinlakeJobs(IServiceCollection services, ServerOptions options, TimeProvider time)
    {
        services.AddSingleton(options);
        services.AddSingleton(time);
        services.AddSingleton(_ => new JobRecordStore(options.JobStore, options.ResolvedJobStoreConnectionString));
        services.AddHostedService<JobRecordSchemaInitializer>();
        services.AddSingleton<JobQueue>();
        services.AddSingleton<CandleReaderSource>();
        services.AddSingleton<JobRunner>();
        services.AddTransient<CoinlakeJob>();

        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "coinlake";
                if (options.NodeId is { } node)
                {
                    s.InstanceId = node;
                }
                else
                {
                    s.GenerateInstanceId = true;
                }

                s.ShutdownJobInterruption = ShutdownJobInterruption.Always;
                s.IdleWaitTime = TimeSpan.FromSeconds(1);
            });
            q.UseTimeProvider(time);
            q.UseDefaultThreadPool(options.MaxConcurrentJobs);
            q.UseDefaultRetryPolicy(JobQueue.RetryPolicyFor(options));
            q.UsePersistentStore(store =>
            {
                if (options.JobStore == JobStoreProvider.Postgres)
                {
                    store.UsePostgres(options.ResolvedJobStoreConnectionString);
                    store.UseClustering(c =>
                    {
                        c.CheckinInterval = options.ClusterCheckinInterval;
                        c.CheckinMisfireThreshold = options.ClusterCheckinInterval;
                    });
                }
                else
                {
                    store.UseSqlite(SqliteJobStoreConnectionString(options.ResolvedJobStoreConnectionString));
                }

                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
                store.ConfigureStore(o => o.RecoverFiringsCancelledByShutdown = true);
            });
        });
        services.AddQuartzHostedService(o =>
        {
            o.WaitForJobsToComplete = true;
            o.AutoStart = options.RunJobs;
        });
        services.AddHostedService<ScheduleRegistrar>();
    }

    private static string SqliteJobStoreConnectionString(string connectionString)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = 60 };
        if (Path.GetDirectoryName(Path.GetFullPath(builder.DataSource)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        return builder.ToString();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, Action<ILoggingBuilder>? configure)
    {
        logging.ClearProviders();
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Quartz", LogLevel.Warning);
        if (configure is not null)
        {
            configure(logging);
        }
        else
        {
            logging.AddSimpleConsole(o => o.SingleLine = true);
        }
    }
}
