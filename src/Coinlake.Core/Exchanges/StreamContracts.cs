using Coinlake.Streaming;

namespace Coinlake.Exchanges;

/// <summary>
/// Options of a live stream. Defaults suit the public APIs of the supported exchanges.
/// </summary>
public sealed record StreamOptions
{
    /// <summary>A connection that receives no frame at all (data, pong, heartbeat) for this long is treated as dead and
    /// reconnected. Connectors send application pings often enough that a live connection always receives something. Default 30 s.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First reconnect delay; doubles on each consecutive failure, with jitter, up to <see cref="MaxReconnectDelay"/>. Default 1 s.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of the reconnect delay. Default 30 s.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Put as many subscriptions on one connection as the exchange allows (true, default) or one connection per
    /// subscription's symbol. A refused grouped subscription falls back to one connection per symbol by itself.</summary>
    public bool Group { get; init; } = true;

    /// <summary>Receives every raw frame sent and received (the <c>capture:</c> task key); null for none.</summary>
    public IStreamCapture? Capture { get; init; }

    /// <summary>Overrides the WebSocket endpoint's scheme, host and port (mirrors, testnets, fake servers); the exchange's
    /// path is kept. Null: derived from the REST base-URL override when one is set (same host, ws/wss), else the exchange's
    /// production endpoint.</summary>
    public Uri? Endpoint { get; init; }
}

/// <summary>Receives the raw traffic of live connections, e.g. to write a capture file.</summary>
/// <remarks>Implementations must be thread-safe: each connection of a stream calls from its own task.</remarks>
public interface IStreamCapture
{
    /// <summary>A connection to <paramref name="url"/> opened at <paramref name="timestamp"/> (ms since epoch UTC).</summary>
    void OnConnected(Uri url, long timestamp);

    /// <summary>The client sent a text frame on the connection to <paramref name="url"/>.</summary>
    void OnSent(Uri url, string payload, long timestamp);

    /// <summary>The client received a text frame (UTF-8 bytes) on the connection to <paramref name="url"/>.</summary>
    void OnReceived(Uri url, ReadOnlySpan<byte> payload, long timestamp);
}

/// <summary>
/// Live public market data over an exchange's WebSocket API: candles, trades and tickers, reconnecting by itself.
/// </summary>
public interface IMarketStreamClient : IExchangeClient
{
    /// <summary>Null when the exchange streams <paramref name="subscription"/>; otherwise a sentence saying why not and what to use instead.</summary>
    string? WhyUnsupported(StreamSubscription subscription);

    /// <summary>
    /// Subscribes and yields events until <paramref name="cancellationToken"/> fires. Lost or stalled connections are
    /// reconnected with exponential backoff and jitter and resubscribed; each such interruption yields a
    /// <see cref="StreamGapEvent"/> per affected subscription once it is live again. Subscriptions are grouped per
    /// connection up to the exchange's limit; a refused group falls back to one connection per symbol.
    /// </summary>
    /// <param name="subscriptions">What to subscribe; symbols are validated against the exchange's markets first.</param>
    /// <param name="options">Timeouts, reconnect policy, capture.</param>
    /// <param name="cancellationToken">Stops the stream; the enumeration then ends without throwing.</param>
    /// <exception cref="UnknownSymbolException">A symbol is not listed by the exchange.</exception>
    /// <exception cref="NotSupportedException">A subscription is not streamed by the exchange (see <see cref="WhyUnsupported"/>).</exception>
    IAsyncEnumerable<MarketEvent> StreamAsync(IReadOnlyList<StreamSubscription> subscriptions, StreamOptions options, CancellationToken cancellationToken = default);
}
