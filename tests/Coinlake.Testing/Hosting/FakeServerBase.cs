using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Coinlake.Testing.Hosting;

/// <summary>
/// The hosting shared by the fake exchange servers: Kestrel on 127.0.0.1 with a random free port (no server header, no
/// logging), a thread-safe log of every request (recorded once: when its response headers leave, or with status 0 when
/// it ends unanswered), request cancellation on dispose, and a safe two-phase dispose. A server derives from it, answers
/// in <see cref="HandleAsync"/>, and builds its public request record in its own <see cref="RequestLog"/>.
/// </summary>
/// <typeparam name="TRequest">The server's public record of one request.</typeparam>
public abstract class FakeServerBase<TRequest> : IAsyncDisposable
    where TRequest : class
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _requestsGate = new();
    private readonly List<(string Path, TRequest Request)> _requests = [];
    private int _disposed;

    /// <summary>Builds (does not start) the loopback host; <see cref="StartHostAsync{TServer}"/> starts it.</summary>
    protected FakeServerBase()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0);
        });
        _app = builder.Build();
        _app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        _app.Run(context => ServeAsync(context));
    }

    /// <summary>Root URL, e.g. <c>http://127.0.0.1:54321/</c> (with the trailing slash).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Snapshot of every request received so far, in arrival order (thread-safe).</summary>
    public IReadOnlyList<TRequest> Requests
    {
        get
        {
            lock (_requestsGate)
            {
                return [.. _requests.Select(r => r.Request)];
            }
        }
    }

    /// <summary>The clock request arrival times are read from (the server's options' <c>TimeProvider</c>, read per request).</summary>
    protected abstract TimeProvider Clock { get; }

    /// <summary>Number of recorded requests whose path contains <paramref name="pathContains"/> (ordinal).</summary>
    public int CountRequests(string pathContains)
    {
        lock (_requestsGate)
        {
            return _requests.Count(r => r.Path.Contains(pathContains, StringComparison.Ordinal));
        }
    }

    /// <summary>Forgets the recorded requests.</summary>
    public void ClearRequests()
    {
        lock (_requestsGate)
        {
            _requests.Clear();
        }
    }

    /// <summary>Stops the server: stalled requests are aborted, then Kestrel shuts down (at most 5 s). Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Kestrel aborted what was left.
        }

        await _app.DisposeAsync();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts <paramref name="server"/>'s host and sets its <see cref="BaseUrl"/>; disposes it if the start fails.</summary>
    /// <param name="server">A server just constructed.</param>
    /// <param name="cancellationToken">Cancels the start-up.</param>
    /// <returns><paramref name="server"/>, listening.</returns>
    /// <exception cref="InvalidOperationException">Kestrel started but reported no address.</exception>
    protected static async Task<TServer> StartHostAsync<TServer>(TServer server, CancellationToken cancellationToken)
        where TServer : FakeServerBase<TRequest>
    {
        ArgumentNullException.ThrowIfNull(server);
        try
        {
            await server._app.StartAsync(cancellationToken);
            var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("Kestrel started without reporting a listening address.");
            server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The log of the request <paramref name="context"/> carries (created by <see cref="CreateLog"/>).</summary>
    protected static TLog LogOf<TLog>(HttpContext context)
        where TLog : RequestLog => (TLog)context.Items[typeof(RequestLog)]!;

    /// <summary>A new, empty log for one request (the server's own subclass, carrying what its record needs).</summary>
    protected abstract RequestLog CreateLog();

    /// <summary>
    /// Answers one request. An <see cref="OperationCanceledException"/> of <paramref name="cancellationToken"/> aborts the
    /// connection; a request left unanswered is recorded with status 0.
    /// </summary>
    /// <param name="context">The request; its log is <see cref="LogOf{TLog}"/>.</param>
    /// <param name="cancellationToken">Cancelled when the client aborts or the server is disposed.</param>
    protected abstract Task HandleAsync(HttpContext context, CancellationToken cancellationToken);

    /// <summary>The server's WebSocket side (a venue dialect on a shared timeline), or null when it serves REST only.</summary>
    protected virtual FakeStreamHub? StreamHub => null;

    private async Task ServeAsync(HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest && StreamHub is { } hub)
        {
            using var closing = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            await hub.AcceptAsync(context, closing.Token);
            return;
        }

        var log = CreateLog();
        log.Begin(this, context.Request.Path.Value ?? "",
            context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : "", Clock.GetUtcNow());
        context.Items[typeof(RequestLog)] = log;

        // Recorded as the headers leave, so a client that has its answer always finds its request in Requests.
        context.Response.OnStarting(() =>
        {
            log.Complete(context.Response.StatusCode);
            return Task.CompletedTask;
        });
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var token = aborted.Token;
        try
        {
            await HandleAsync(context, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            context.Abort();
        }

        // No answer started (connection reset, client gave up, server stopping): no status was sent.
        log.Complete(0);
    }

    private void Record(string path, TRequest request)
    {
        lock (_requestsGate)
        {
            _requests.Add((path, request));
        }
    }

    /// <summary>What is known of one request until it is recorded (once: when its headers leave, or when it ends unanswered).</summary>
    protected abstract class RequestLog
    {
        private FakeServerBase<TRequest>? _server;
        private int _recorded;

        /// <summary>URL path, e.g. <c>/api/v3/klines</c>.</summary>
        public string Path { get; private set; } = "";

        /// <summary>Raw query string without the leading <c>?</c>.</summary>
        public string Query { get; private set; } = "";

        /// <summary>Arrival time on the server's clock.</summary>
        public DateTimeOffset Arrived { get; private set; }

        /// <summary>Records the request with <paramref name="status"/> (0: none sent), unless it already is.</summary>
        public void Complete(int status)
        {
            if (Interlocked.Exchange(ref _recorded, 1) == 0)
            {
                _server!.Record(Path, ToRecord(status));
            }
        }

        internal void Begin(FakeServerBase<TRequest> server, string path, string query, DateTimeOffset arrived)
        {
            (_server, Path, Query, Arrived) = (server, path, query, arrived);
        }

        /// <summary>The server's public record of this request, answered with <paramref name="status"/>.</summary>
        protected abstract TRequest ToRecord(int status);
    }
}
