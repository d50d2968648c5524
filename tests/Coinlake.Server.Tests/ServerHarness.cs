using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Coinlake.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coinlake.Server.Tests;

/// <summary>A real Kestrel host of the server on 127.0.0.1 (random port) over a temporary data folder.</summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServerHarness(WebApplication app, ServerOptions options, string folder)
    {
        _app = app;
        Options = options;
        Folder = folder;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
    }

    public ServerOptions Options { get; }

    public string Folder { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ServerHarness> StartAsync(Action<ServerOptions>? configure = null, TimeProvider? time = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "coinlake-server-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var options = new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            BaseDirectory = folder,
            RetryDelay = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        var app = CoinlakeServer.BuildWebApp(options, time, logging => logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        return new ServerHarness(app, options, folder);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public async Task<string> IngestAsync(string json)
    {
        using var response = await Client.PostAsync("/api/ingest", Json(json));
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(202, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> GetJobAsync(string id) => (await Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}"))!;

    /// <summary>Polls the job until it reaches one of <paramref name="states"/> (60 s at most).</summary>
    public async Task<JsonElement> WaitForStateAsync(string id, params string[] states)
    {
        var deadline = Environment.TickCount64 + 60_000;
        while (true)
        {
            var job = await GetJobAsync(id);
            if (states.Contains(job.GetProperty("state").GetString()))
            {
                return job;
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"job {id} did not reach {string.Join("/", states)}: {job}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
