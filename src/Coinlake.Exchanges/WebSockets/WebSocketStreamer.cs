using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Coinlake.Streaming;
using Coinlake.Time;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Coinlake.Exchanges.WebSockets;

/// <summary>
/// Runs live WebSocket connections for one exchange's <see cref="StreamProtocol"/>: groups subscriptions per connection up
/// to the exchange's limit, sends the subscribe messages and keep-alive pings, answers what the exchange asks, treats a
/// connection without any frame for <see cref="StreamOptions.StallTimeout"/> as dead, reconnects with exponential backoff
/// and jitter (Polly) and resubscribes, reports every interruption as <see cref="StreamGapEvent"/>s, and falls back from a
/// refused grouped subscription to one connection per symbol (then per subscription).
/// </summary>
public sealed partial class WebSocketStreamer
{
    private const int ChannelCapacity = 16_384;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    private readonly StreamProtocol _protocol;
    private readonly StreamSymbols _symbols;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _reconnects;
    private long _malformed;

    /// <summary>Creates the streamer.</summary>
    /// <param name="protocol">The exchange's protocol.</param>
    /// <param name="symbols">Maps unified symbols to exchange ids and back.</param>
    /// <param name="timeProvider">Clock for stall detection, backoff and event times; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives connection events; none when null.</param>
    public WebSocketStreamer(StreamProtocol protocol, StreamSymbols symbols, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(symbols);
        _protocol = protocol;
        _symbols = symbols;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Connections lost or stalled and reopened so far.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Frames that could not be parsed and were skipped.</summary>
    public long MalformedFrames => Interlocked.Read(ref _malformed);

    /// <summary>
    /// Streams <paramref name="subscriptions"/> until <paramref name="cancellationToken"/> fires; the enumeration then ends
    /// normally after the events already received.
    /// </summary>
    /// <exception cref="NotSupportedException">The exchange does not stream a subscription.</exception>
    /// <exception cref="ExchangeException">The exchange refused a single subscription (not a grouping problem): retrying cannot help.</exception>
    public async IAsyncEnumerable<MarketEvent> RunAsync(
        IReadOnlyList<StreamSubscription> subscriptions,
        StreamOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var subscription in subscriptions)
        {
            if (_protocol.WhyUnsupported(subscription) is { } why)
            {
                throw new NotSupportedException($"{_protocol.Exchange}: cannot stream {subscription}: {why}");
            }
        }

        var channel = Channel.CreateBounded<MarketEvent>(new BoundedChannelOptions(ChannelCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var groups = Plan(subscriptions, options.Group);
        var connections = groups.Select(group => RunGroupAsync(group, options, channel.Writer, allowSplit: true, stopping.Token)).ToArray();
        _ = Task.WhenAll(connections).ContinueWith(
            finished => channel.Writer.TryComplete(finished.Exception?.InnerExceptions is [var only] ? only : finished.Exception),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(connections).ConfigureAwait(false);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                // Ended by the consumer; an error of a connection was already surfaced through the channel if it mattered.
            }
        }
    }

    /// <summary>Groups subscriptions into connections: per endpoint, up to the protocol's limit; per symbol when not grouping.</summary>
    internal List<List<StreamSubscription>> Plan(IReadOnlyList<StreamSubscription> subscriptions, bool group)
    {
        var limit = Math.Max(1, _protocol.MaxSubscriptionsPerConnection);
        var groups = new List<List<StreamSubscription>>();
        foreach (var byEndpoint in subscriptions.Distinct().GroupBy(s => _protocol.EndpointKey(s), StringComparer.Ordinal))
        {
            if (group)
            {
                groups.AddRange(byEndpoint.Chunk(limit).Select(chunk => chunk.ToList()));
            }
            else
            {
                groups.AddRange(byEndpoint.GroupBy(s => (s.Symbol, s.MarketType)).SelectMany(bySymbol => bySymbol.Chunk(limit)).Select(chunk => chunk.ToList()));
            }
        }

        return groups;
    }

    private async Task RunGroupAsync(List<StreamSubscription> group, StreamOptions options, ChannelWriter<MarketEvent> output, bool allowSplit, CancellationToken cancellationToken)
    {
        try
        {
            await RunConnectionLoopAsync(group, options, output, cancellationToken).ConfigureAwait(false);
        }
        catch (SubscriptionRefusedException refused) when (allowSplit && group.Count > 1)
        {
            // The seed's "grouped -> split" fallback: one connection per symbol, concurrently; a symbol whose own group is
            // refused again splits once more, into one connection per subscription.
            var bySymbol = group.GroupBy(s => (s.Symbol, s.MarketType)).Select(g => g.ToList()).ToList();
            var perSubscription = bySymbol.Count == 1;
            var parts = perSubscription ? group.Select(s => new List<StreamSubscription> { s }).ToList() : bySymbol;
            LogGroupRefused(_logger, _protocol.Exchange, group.Count, refused.Message, parts.Count, perSubscription ? "subscription" : "symbol");
            await Task.WhenAll(parts.Select(part => RunGroupAsync(part, options, output, allowSplit: !perSubscription, cancellationToken))).ConfigureAwait(false);
        }
        catch (SubscriptionRefusedException refused)
        {
            throw new ExchangeException(_protocol.Exchange,
                $"{_protocol.Exchange} refused the subscription to {string.Join(", ", group)}: {refused.Message}. Check the symbol, timeframe and price type against the exchange's documentation.");
        }
    }

    private async Task RunConnectionLoopAsync(List<StreamSubscription> group, StreamOptions options, ChannelWriter<MarketEvent> output, CancellationToken cancellationToken)
    {
        // Each session (connect, subscribe, receive until lost) runs in a Polly retry: failures before the connection became
        // healthy back off exponentially with jitter; a healthy connection that is later lost starts over at the first delay.
        var retry = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.ReconnectDelay,
                MaxDelay = options.MaxReconnectDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is ConnectionLostException),
                OnRetry = args =>
                {
                    LogReconnecting(_logger, _protocol.Exchange, group.Count, args.Outcome.Exception!.Message, args.RetryDelay.TotalMilliseconds, args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        var state = new ConnectionState();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await retry.ExecuteAsync(
                        static async (context, token) => await context.Streamer.RunSessionAsync(context.Group, context.Options, context.Output, context.State, token).ConfigureAwait(false),
                        new SessionContext(this, group, options, output, state),
                        cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                if (!cancellationToken.IsCancellationRequested && state.LostReason is not null)
                {
                    // Healthy connection lost: wait the first delay (with jitter) and reconnect.
                    var delay = TimeSpan.FromMilliseconds(options.ReconnectDelay.TotalMilliseconds * (0.5 + (Random.Shared.NextDouble() / 2)));
                    LogReconnecting(_logger, _protocol.Exchange, group.Count, state.LostReason, delay.TotalMilliseconds, 1);
                    try
                    {
                        await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            // Stopped while disconnected: the window up to now may be missing.
            if (state.LostReason is { } reason)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await EmitGapsAsync(group, state, reason, output, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
                {
                    LogGapDropped(_logger, _protocol.Exchange, group.Count);
                }
            }
        }
    }

    private async Task RunSessionAsync(List<StreamSubscription> group, StreamOptions options, ChannelWriter<MarketEvent> output, ConnectionState state, CancellationToken cancellationToken)
    {
        Uri url;
        try
        {
            url = await _protocol.GetEndpointAsync(group, options.Endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (ExchangeException ex) when (ex.IsTransient)
        {
            state.MarkLost($"endpoint lookup failed: {ex.Message}", Now());
            throw new ConnectionLostException(state.LostReason!, ex);
        }

        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
        using var connectTimeout = new CancellationTokenSource(ConnectTimeout, _time);
        using var connectToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connectTimeout.Token);
        try
        {
            await socket.ConnectAsync(url, connectToken.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            state.MarkLost($"cannot connect to {url.GetLeftPart(UriPartial.Path)}: {ex.Message}", Now());
            throw new ConnectionLostException(state.LostReason!, ex);
        }

        var connectedAt = Now();
        options.Capture?.OnConnected(url, connectedAt);
        LogConnected(_logger, _protocol.Exchange, url.GetLeftPart(UriPartial.Path), group.Count);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sendGate = new SemaphoreSlim(1, 1);
        var lastFrame = _time.GetTimestamp();
        Task? keepAlive = null;
        Task? watchdog = null;
        string? stalled = null;
        var healthy = false;
        try
        {
            foreach (var message in _protocol.SubscribeMessages(group, _symbols))
            {
                await SendAsync(socket, url, message, sendGate, options.Capture, session.Token).ConfigureAwait(false);
                if (_protocol.MinimumSendInterval > TimeSpan.Zero)
                {
                    await Task.Delay(_protocol.MinimumSendInterval, _time, session.Token).ConfigureAwait(false);
                }
            }

            if (state.LostReason is { } previous)
            {
                Interlocked.Increment(ref _reconnects);
                await EmitGapsAsync(group, state, previous, output, session.Token).ConfigureAwait(false);
            }

            if (_protocol.KeepAlive is { } ping)
            {
                keepAlive = KeepAliveAsync(socket, url, ping, sendGate, options.Capture, session.Token);
            }

            watchdog = WatchAsync(options.StallTimeout, () => Volatile.Read(ref lastFrame), () =>
            {
                stalled = $"no frame for {options.StallTimeout.TotalSeconds:0.#} s";
                socket.Abort();
            }, session.Token);

            var parser = _protocol.CreateParser(_symbols, group, url);
            var events = new List<MarketEvent>(64);
            var buffer = new ArrayBufferWriter<byte>(16 * 1024);
            while (true)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.GetMemory(8 * 1024), session.Token).ConfigureAwait(false);
                    buffer.Advance(result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                Volatile.Write(ref lastFrame, _time.GetTimestamp());
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    var why = $"closed by the server ({socket.CloseStatus?.ToString() ?? "no status"}{(string.IsNullOrEmpty(socket.CloseStatusDescription) ? "" : ": " + socket.CloseStatusDescription)})";
                    state.MarkLost(why, Now());
                    throw new ConnectionLostException(why, null);
                }

                var receivedAt = Now();
                var frame = buffer.WrittenSpan;
                options.Capture?.OnReceived(url, frame, receivedAt);
                var parsed = parser.Parse(frame, receivedAt, events);
                switch (parsed.Kind)
                {
                    case FrameKind.Data:
                        healthy = true;
                        state.LastFrameAt = receivedAt;
                        break;
                    case FrameKind.Control:
                        state.LastFrameAt = receivedAt;
                        break;
                    case FrameKind.Reply when parsed.Message is not null:
                        state.LastFrameAt = receivedAt;
                        await SendAsync(socket, url, parsed.Message, sendGate, options.Capture, session.Token).ConfigureAwait(false);
                        break;
                    case FrameKind.Rejected:
                        state.LostReason = null;
                        await CloseQuietlyAsync(socket).ConfigureAwait(false);
                        throw new SubscriptionRefusedException(parsed.Message ?? "subscription refused");
                    case FrameKind.Error:
                        var error = $"error event: {parsed.Message}";
                        state.MarkLost(error, receivedAt);
                        LogServerError(_logger, _protocol.Exchange, parsed.Message ?? "");
                        await CloseQuietlyAsync(socket).ConfigureAwait(false);
                        throw new ConnectionLostException(error, null);
                    case FrameKind.Malformed:
                        Interlocked.Increment(ref _malformed);
                        LogMalformed(_logger, _protocol.Exchange, parsed.Message ?? "", Preview(frame));
                        break;
                }

                if (events.Count > 0)
                {
                    foreach (var item in events)
                    {
                        await output.WriteAsync(item, session.Token).ConfigureAwait(false);
                    }

                    events.Clear();
                }
            }
        }
        catch (ConnectionLostException) when (healthy)
        {
            // Lost after data flowed: leave the retry policy (its attempts restart) and reconnect from the first delay.
            return;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var why = stalled ?? $"connection lost: {ex.Message}";
            state.MarkLost(why, Now());
            if (healthy)
            {
                return;
            }

            throw new ConnectionLostException(why, ex);
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            await IgnoreAsync(keepAlive).ConfigureAwait(false);
            await IgnoreAsync(watchdog).ConfigureAwait(false);
            sendGate.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                await CloseQuietlyAsync(socket).ConfigureAwait(false);
            }
        }
    }

    private async Task EmitGapsAsync(List<StreamSubscription> group, ConnectionState state, string reason, ChannelWriter<MarketEvent> output, CancellationToken cancellationToken)
    {
        var now = Now();
        var start = Math.Min(state.LastFrameAt ?? state.LostAt ?? now, now);
        var missed = new TimeRange(start, Math.Max(start, now));
        state.LostReason = null;
        state.LostAt = null;
        foreach (var subscription in group)
        {
            await output.WriteAsync(new StreamGapEvent(subscription, now, missed, reason), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task KeepAliveAsync(ClientWebSocket socket, Uri url, StreamKeepAlive ping, SemaphoreSlim gate, IStreamCapture? capture, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ping.Interval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            await SendAsync(socket, url, ping.Message, gate, capture, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WatchAsync(TimeSpan stallTimeout, Func<long> lastFrame, Action onStall, CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(10, stallTimeout.TotalMilliseconds / 4));
        using var timer = new PeriodicTimer(period, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_time.GetElapsedTime(lastFrame()) >= stallTimeout)
            {
                LogStalled(_logger, _protocol.Exchange, stallTimeout.TotalSeconds);
                onStall();
                return;
            }
        }
    }

    private async Task SendAsync(ClientWebSocket socket, Uri url, string message, SemaphoreSlim gate, IStreamCapture? capture, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            capture?.OnSent(url, message, Now());
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task CloseQuietlyAsync(ClientWebSocket socket)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closing", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Best effort: the socket is disposed right after.
        }
    }

    private static async Task IgnoreAsync(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // Helper tasks end with the session.
        }
    }

    private static string Preview(ReadOnlySpan<byte> frame) =>
        Encoding.UTF8.GetString(frame[..Math.Min(frame.Length, 200)]);

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(Level = LogLevel.Information, Message = "{Exchange}: connected to {Url} ({Count} subscriptions)")]
    private static partial void LogConnected(ILogger logger, string exchange, string url, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Exchange}: {Reason}; reconnecting {Count} subscriptions in {DelayMs:0} ms (attempt {Attempt})")]
    private static partial void LogReconnecting(ILogger logger, string exchange, int count, string reason, double delayMs, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Exchange}: no frame for {Seconds} s; the connection is treated as dead")]
    private static partial void LogStalled(ILogger logger, string exchange, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Exchange}: grouped subscription of {Count} refused ({Error}); falling back to {Parts} connections, one per {Unit}")]
    private static partial void LogGroupRefused(ILogger logger, string exchange, int count, string error, int parts, string unit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Exchange}: error event from the server: {Error}")]
    private static partial void LogServerError(ILogger logger, string exchange, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Exchange}: stopped while {Count} subscriptions were disconnected and the consumer took no more events; their gap marker is lost")]
    private static partial void LogGapDropped(ILogger logger, string exchange, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Exchange}: skipped a malformed frame ({Why}): {Frame}")]
    private static partial void LogMalformed(ILogger logger, string exchange, string why, string frame);

    private sealed class ConnectionState
    {
        public long? LastFrameAt { get; set; }

        public long? LostAt { get; set; }

        public string? LostReason { get; set; }

        public void MarkLost(string reason, long at)
        {
            // Keep the first reason and time of a run of failures: the gap starts at the first loss.
            LostReason ??= reason;
            LostAt ??= at;
        }
    }

    private sealed record SessionContext(WebSocketStreamer Streamer, List<StreamSubscription> Group, StreamOptions Options, ChannelWriter<MarketEvent> Output, ConnectionState State);

    private sealed class ConnectionLostException(string message, Exception? inner) : Exception(message, inner);

    private sealed class SubscriptionRefusedException(string message) : Exception(message);
}
