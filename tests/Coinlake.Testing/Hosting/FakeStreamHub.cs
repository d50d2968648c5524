using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Coinlake.Candles;
using Microsoft.AspNetCore.Http;

namespace Coinlake.Testing.Hosting;

/// <summary>
/// A venue's WebSocket dialect for <see cref="FakeStreamHub"/>: how clients subscribe, what the venue answers, and the
/// frames of a topic at each step of the shared timeline. Topics are venue strings (e.g. <c>btcusdt@kline_1m</c>).
/// </summary>
public interface IFakeStreamVenue
{
    /// <summary>Frames sent as soon as a connection opens (KuCoin's welcome); usually none.</summary>
    IEnumerable<string> OnConnected(FakeStreamSession session);

    /// <summary>Topics a connection subscribes through its URL (Binance's <c>/stream?streams=a/b</c>); usually none.</summary>
    IReadOnlyList<string> TopicsFromUrl(HttpRequest request);

    /// <summary>
    /// Handles one text frame from the client: subscribe (add topics to <see cref="FakeStreamSession.Topics"/> unless the hub
    /// refuses groups), ping, ... and returns the frames to answer with.
    /// </summary>
    IEnumerable<string> OnMessage(FakeStreamSession session, string message);

    /// <summary>The frames <paramref name="topic"/> carries at timeline step <paramref name="step"/> (0-based).</summary>
    IEnumerable<string> FramesAt(string topic, int step);
}

/// <summary>One client connection of a <see cref="FakeStreamHub"/>.</summary>
public sealed class FakeStreamSession
{
    private readonly Channel<string> _outgoing = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    internal FakeStreamSession(FakeStreamHub hub, HttpRequest request)
    {
        Hub = hub;
        Path = request.Path.Value ?? "";
        Query = request.QueryString.Value ?? "";
    }

    /// <summary>The hub (for its fault switches such as <see cref="FakeStreamHub.RefuseGroupedSubscriptions"/>).</summary>
    public FakeStreamHub Hub { get; }

    /// <summary>Request path of the upgrade, e.g. <c>/ws/v5/public</c>.</summary>
    public string Path { get; }

    /// <summary>Query string of the upgrade including <c>?</c>, or empty.</summary>
    public string Query { get; }

    /// <summary>Subscribed topics; thread-safe.</summary>
    public ConcurrentDictionary<string, bool> Topics { get; } = new(StringComparer.Ordinal);

    /// <summary>Venue-specific state (e.g. Kraken channel ids).</summary>
    public ConcurrentDictionary<string, object> Items { get; } = new(StringComparer.Ordinal);

    internal bool Muted { get; set; }

    /// <summary>Queues a frame for the client.</summary>
    public void Send(string frame) => _outgoing.Writer.TryWrite(frame);

    internal ChannelReader<string> Outgoing => _outgoing.Reader;

    internal void Complete() => _outgoing.Writer.TryComplete();
}

/// <summary>
/// The WebSocket side of a fake exchange server: a timeline of <see cref="Steps"/> steps paced in real time (one every
/// <see cref="StepInterval"/>, starting when the first topic is subscribed), shared by all connections, so a client that is
/// disconnected misses the steps played meanwhile exactly as it would miss live data. Faults: drop every connection at a
/// step, stall (send nothing, answer nothing) for a while, send a malformed frame, refuse grouped subscriptions.
/// </summary>
public sealed class FakeStreamHub : IAsyncDisposable
{
    private readonly IFakeStreamVenue _venue;
    private readonly ConcurrentDictionary<FakeStreamSession, WebSocket> _sessions = new();
    private readonly ConcurrentDictionary<int, Fault> _faults = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private int _started;
    private int _step = -1;
    private int _connections;
    private int _disposed;
    private int _refusals;
    private Task? _loop;

    /// <summary>Creates a hub speaking <paramref name="venue"/>'s dialect.</summary>
    public FakeStreamHub(IFakeStreamVenue venue) => _venue = venue;

    /// <summary>Number of timeline steps. Default 60.</summary>
    public int Steps { get; set; } = 60;

    /// <summary>Real time between steps. Default 20 ms.</summary>
    public TimeSpan StepInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The timeline starts once this many connections have subscribed something (e.g. 2 for two collector
    /// processes that must both see the first step). Default 1.</summary>
    public int StartAfterSubscribers { get; set; } = 1;

    /// <summary>Time between the subscription that starts the timeline and step 0, so that subscriptions sent as several
    /// messages back to back (one per channel) all see step 0. Default 100 ms.</summary>
    public TimeSpan StartDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>When true, after the last step the hub keeps sending that step's frames every <see cref="StepInterval"/>, as an
    /// exchange keeps pushing its current candle: a live connection never falls quiet, and data after a late reconnect still
    /// arrives. Default false (the timeline ends in silence).</summary>
    public bool RepeatLastStep { get; set; }

    /// <summary>When true, a subscription naming more than one symbol is refused the venue's way.</summary>
    public bool RefuseGroupedSubscriptions { get; set; }

    /// <summary>The step being played (-1 before the start).</summary>
    public int CurrentStep => Volatile.Read(ref _step);

    /// <summary>WebSocket connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections open now.</summary>
    public int OpenConnections => _sessions.Count;

    /// <summary>Subscribe requests the venue refused (venues increment it).</summary>
    public int Refusals => Volatile.Read(ref _refusals);

    /// <summary>Completes after the last step was played.</summary>
    public Task Finished => _finished.Task;

    /// <summary>Venues call this when they refuse a subscription.</summary>
    public void CountRefusal() => Interlocked.Increment(ref _refusals);

    /// <summary>At <paramref name="step"/>, abort every open connection (TCP reset, no close frame).</summary>
    public FakeStreamHub DropAt(int step)
    {
        _faults[step] = Fault.Drop;
        return this;
    }

    /// <summary>From <paramref name="step"/>, send nothing (data or answers) on the connections open then, until they die.</summary>
    public FakeStreamHub StallAt(int step)
    {
        _faults[step] = Fault.Stall;
        return this;
    }

    /// <summary>At <paramref name="step"/>, send a frame that is not JSON before the step's data.</summary>
    public FakeStreamHub MalformedAt(int step)
    {
        _faults[step] = Fault.Malformed;
        return this;
    }

    /// <summary>Accepts the WebSocket upgrade of <paramref name="context"/> and serves it until it closes.</summary>
    public async Task AcceptAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref _connections);
        var session = new FakeStreamSession(this, context.Request);
        _sessions[session] = socket;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var token = linked.Token;
        var sender = SendLoopAsync(session, socket, token);
        try
        {
            foreach (var frame in _venue.OnConnected(session))
            {
                session.Send(frame);
            }

            foreach (var topic in _venue.TopicsFromUrl(context.Request))
            {
                session.Topics[topic] = true;
            }

            if (!session.Topics.IsEmpty)
            {
                EnsureStarted();
            }

            var buffer = new byte[64 * 1024];
            while (socket.State == WebSocketState.Open)
            {
                var count = 0;
                WebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        throw new InvalidOperationException("A client frame is over 64 KiB; no venue sends that.");
                    }

                    result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), token);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (session.Muted)
                {
                    continue;
                }

                var message = Encoding.UTF8.GetString(buffer, 0, count);
                foreach (var frame in _venue.OnMessage(session, message))
                {
                    session.Send(frame);
                }

                if (!session.Topics.IsEmpty)
                {
                    EnsureStarted();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // Client went away or the hub dropped it.
        }
        finally
        {
            _sessions.TryRemove(session, out _);
            session.Complete();
            try
            {
                await sender;
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                // Ends with the connection.
            }
        }
    }

    /// <summary>Stops the timeline and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        foreach (var socket in _sessions.Values)
        {
            socket.Abort();
        }

        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        _stopping.Dispose();
    }

    private void EnsureStarted()
    {
        if (_sessions.Keys.Count(s => !s.Topics.IsEmpty) < StartAfterSubscribers)
        {
            return;
        }

        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _loop = Task.Run(() => PlayAsync(_stopping.Token));
        }
    }

    private async Task PlayAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(StartDelay, cancellationToken);
            using var timer = new PeriodicTimer(StepInterval);
            for (var step = 0; step < Steps; step++)
            {
                Volatile.Write(ref _step, step);
                if (_faults.TryGetValue(step, out var fault))
                {
                    switch (fault)
                    {
                        case Fault.Drop:
                            foreach (var (session, socket) in _sessions)
                            {
                                session.Complete();
                                socket.Abort();
                            }

                            break;
                        case Fault.Stall:
                            foreach (var session in _sessions.Keys)
                            {
                                session.Muted = true;
                            }

                            break;
                        case Fault.Malformed:
                            foreach (var session in _sessions.Keys.Where(s => !s.Muted))
                            {
                                session.Send("{\"this is not\": json at all");
                            }

                            break;
                    }
                }

                foreach (var session in _sessions.Keys)
                {
                    if (session.Muted)
                    {
                        continue;
                    }

                    foreach (var topic in session.Topics.Keys)
                    {
                        foreach (var frame in _venue.FramesAt(topic, step))
                        {
                            session.Send(frame);
                        }
                    }
                }

                await timer.WaitForNextTickAsync(cancellationToken);
            }

            _finished.TrySetResult();
            while (RepeatLastStep)
            {
                foreach (var session in _sessions.Keys.Where(s => !s.Muted))
                {
                    foreach (var topic in session.Topics.Keys)
                    {
                        foreach (var frame in _venue.FramesAt(topic, Steps - 1))
                        {
                            session.Send(frame);
                        }
                    }
                }

                await timer.WaitForNextTickAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            _finished.TrySetCanceled(cancellationToken);
        }
    }

    private static async Task SendLoopAsync(FakeStreamSession session, WebSocket socket, CancellationToken cancellationToken)
    {
        await foreach (var frame in session.Outgoing.ReadAllAsync(cancellationToken))
        {
            if (session.Muted)
            {
                continue;
            }

            await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
    }

    private enum Fault
    {
        Drop,
        Stall,
        Malformed,
    }
}

/// <summary>
/// Plays real candles on a <see cref="FakeStreamHub"/> timeline: candle <c>i</c> spans steps
/// <c>[i * UpdatesPerCandle, (i + 1) * UpdatesPerCandle)</c>; each step shows the candle in progress (valid OHLC, volume
/// growing) and the last step of a candle shows it complete and closed, exactly equal to the source candle.
/// </summary>
/// <param name="Candles">The source candles, oldest first, contiguous.</param>
/// <param name="UpdatesPerCandle">Updates per candle (at least 1).</param>
public sealed record FakeCandleTimeline(IReadOnlyList<Candle> Candles, int UpdatesPerCandle = 3)
{
    /// <summary>Steps needed to play every candle.</summary>
    public int Steps => Candles.Count * UpdatesPerCandle;

    /// <summary>The candle as shown at <paramref name="step"/>, and whether it is closed; null past the end.</summary>
    public (Candle Candle, bool IsClosed)? At(int step)
    {
        var index = step / UpdatesPerCandle;
        if (step < 0 || index >= Candles.Count)
        {
            return null;
        }

        var source = Candles[index];
        var update = step % UpdatesPerCandle;
        if (update == UpdatesPerCandle - 1)
        {
            return (source, true);
        }

        // A partial candle: the same open, the close moving towards the final one, high/low bracketing both.
        var fraction = (decimal)(update + 1) / UpdatesPerCandle;
        var close = source.Low + ((source.High - source.Low) * fraction);
        close = Math.Round(close, 8);
        var partial = source with
        {
            High = Math.Max(source.Open, close),
            Low = Math.Min(source.Open, close),
            Close = close,
            Volume = Math.Round(source.Volume * fraction, 8),
            QuoteVolume = source.QuoteVolume is { } q ? Math.Round(q * fraction, 8) : null,
            TradeCount = source.TradeCount is { } n ? (long)(n * fraction) : null,
        };
        return (partial, false);
    }
}
