using Coinlake.Markets;
using Coinlake.Streaming;

namespace Coinlake.Exchanges.WebSockets;

/// <summary>
/// How one exchange's public WebSocket API is spoken: endpoints, subscribe messages, keep-alive and frame parsing.
/// The shared <see cref="WebSocketStreamer"/> runs connections with it (grouping, reconnects, stalls, gap markers,
/// capture); <see cref="CaptureReplay"/> feeds recorded frames through the same parsers.
/// </summary>
public abstract class StreamProtocol
{
    /// <summary>Creates the protocol of <paramref name="exchange"/> (a Coinlake exchange id such as <c>binance</c>).</summary>
    protected StreamProtocol(string exchange) => Exchange = exchange;

    /// <summary>The Coinlake exchange id.</summary>
    public string Exchange { get; }

    /// <summary>How many subscriptions one connection may carry (the exchange's documented limit, or a safe value below it).</summary>
    public abstract int MaxSubscriptionsPerConnection { get; }

    /// <summary>Application-level ping the client must send to keep a quiet connection alive (and whose answer proves it
    /// is alive); null when protocol-level WebSocket pings suffice.</summary>
    public virtual StreamKeepAlive? KeepAlive => null;

    /// <summary>Minimum time between two frames the client sends (Binance allows 5 incoming messages a second); zero for none.</summary>
    public virtual TimeSpan MinimumSendInterval => TimeSpan.Zero;

    /// <summary>Null when the exchange streams <paramref name="subscription"/>; else why not and what to use instead.</summary>
    public abstract string? WhyUnsupported(StreamSubscription subscription);

    /// <summary>Subscriptions with equal keys may share a connection (e.g. OKX candles live on <c>/business</c>, trades
    /// on <c>/public</c>; Binance spot and futures are different hosts). Default: all share.</summary>
    public virtual string EndpointKey(StreamSubscription subscription) => string.Empty;

    /// <summary>The URL to connect for <paramref name="group"/> (all with the same <see cref="EndpointKey"/>).</summary>
    /// <param name="group">The subscriptions of the connection.</param>
    /// <param name="endpointOverride">When set, replaces the scheme, host and port of the production endpoint (mirrors, fakes).</param>
    /// <param name="cancellationToken">Cancels a REST call the endpoint needs (KuCoin's <c>bullet-public</c> token).</param>
    public abstract ValueTask<Uri> GetEndpointAsync(IReadOnlyList<StreamSubscription> group, Uri? endpointOverride, CancellationToken cancellationToken);

    /// <summary>The text frames to send once connected (none when the endpoint URL itself subscribes, as Binance's combined streams).</summary>
    /// <param name="group">The subscriptions of the connection.</param>
    /// <param name="symbols">Resolves unified symbols to the exchange's ids.</param>
    public abstract IReadOnlyList<string> SubscribeMessages(IReadOnlyList<StreamSubscription> group, StreamSymbols symbols);

    /// <summary>Creates the parser of one connection (it may keep state such as channel ids).</summary>
    /// <param name="symbols">Resolves exchange ids back to unified symbols.</param>
    /// <param name="group">The connection's subscriptions; null on replay, where subscriptions are read off the frames.</param>
    /// <param name="endpoint">The connection's URL (tells e.g. Binance spot from futures on replay).</param>
    public abstract StreamFrameParser CreateParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group, Uri endpoint);

    /// <summary>Replaces scheme, host and port of <paramref name="production"/> by those of <paramref name="endpointOverride"/>
    /// (http maps to ws, https to wss), keeping path and query; returns <paramref name="production"/> when no override is set.</summary>
    protected static Uri WithOverride(Uri production, Uri? endpointOverride)
    {
        ArgumentNullException.ThrowIfNull(production);
        if (endpointOverride is null)
        {
            return production;
        }

        var scheme = endpointOverride.Scheme switch
        {
            "http" => "ws",
            "https" => "wss",
            var other => other,
        };
        var builder = new UriBuilder(production) { Scheme = scheme, Host = endpointOverride.Host, Port = endpointOverride.Port };
        return builder.Uri;
    }
}

/// <summary>An application-level ping: <paramref name="Message"/> is sent every <paramref name="Interval"/>.</summary>
/// <param name="Message">The text frame (e.g. OKX <c>ping</c>, Bybit <c>{"op":"ping"}</c>).</param>
/// <param name="Interval">How often; below the exchange's idle cut-off.</param>
public sealed record StreamKeepAlive(string Message, TimeSpan Interval);

/// <summary>Parses the frames of one connection into market events.</summary>
public abstract class StreamFrameParser
{
    /// <summary>Parses one received text frame (UTF-8 JSON) and appends the events it carries to <paramref name="events"/>.</summary>
    /// <param name="frame">The frame's bytes.</param>
    /// <param name="receivedAt">Receive time, ms since epoch UTC (stamped on the events).</param>
    /// <param name="events">Where events go.</param>
    /// <returns>What the frame was; a malformed frame returns <see cref="FrameKind.Malformed"/> rather than throwing.</returns>
    public abstract FrameResult Parse(ReadOnlySpan<byte> frame, long receivedAt, ICollection<MarketEvent> events);
}

/// <summary>What kind of frame was received.</summary>
public enum FrameKind
{
    /// <summary>Market data (possibly for channels Coinlake ignores, such as order books).</summary>
    Data,

    /// <summary>Subscription acknowledgement, pong, heartbeat, welcome or info message.</summary>
    Control,

    /// <summary>The exchange asks for an answer: send <see cref="FrameResult.Message"/> back (e.g. a pong to a server ping).</summary>
    Reply,

    /// <summary>A subscription was refused; <see cref="FrameResult.Message"/> holds the exchange's error.</summary>
    Rejected,

    /// <summary>An error that ends the connection (the exchange's error event); it is reconnected.</summary>
    Error,

    /// <summary>Not parseable; logged and skipped.</summary>
    Malformed,
}

/// <summary>The outcome of parsing one frame.</summary>
/// <param name="Kind">What the frame was.</param>
/// <param name="Message">Reply to send (<see cref="FrameKind.Reply"/>) or the error text (Rejected, Error, Malformed).</param>
public readonly record struct FrameResult(FrameKind Kind, string? Message = null)
{
    /// <summary>A market-data frame.</summary>
    public static FrameResult Data => new(FrameKind.Data);

    /// <summary>A control frame.</summary>
    public static FrameResult Control => new(FrameKind.Control);

    /// <summary>A frame to answer with <paramref name="reply"/>.</summary>
    public static FrameResult Reply(string reply) => new(FrameKind.Reply, reply);

    /// <summary>A refused subscription.</summary>
    public static FrameResult Rejected(string error) => new(FrameKind.Rejected, error);

    /// <summary>A connection-ending error.</summary>
    public static FrameResult Error(string error) => new(FrameKind.Error, error);

    /// <summary>A frame that could not be parsed.</summary>
    public static FrameResult Malformed(string why) => new(FrameKind.Malformed, why);
}

/// <summary>
/// Maps exchange market ids to unified symbols and back, from the exchange's market list, with a venue-specific
/// fallback for ids the list does not hold (or when replaying without one).
/// </summary>
public sealed class StreamSymbols
{
    private readonly Dictionary<(string Id, MarketType Type), Symbol> _byId = [];
    private readonly Dictionary<(Symbol Symbol, MarketType Type), string> _bySymbol = [];
    private readonly Func<string, MarketType, Symbol?>? _fallback;

    /// <summary>Creates the map.</summary>
    /// <param name="markets">The exchange's markets (ids are matched case-insensitively).</param>
    /// <param name="fallback">Parses an id the list does not hold (e.g. OKX <c>BTC-USDT-SWAP</c>); null for none.</param>
    public StreamSymbols(IEnumerable<MarketInfo> markets, Func<string, MarketType, Symbol?>? fallback = null)
    {
        ArgumentNullException.ThrowIfNull(markets);
        foreach (var market in markets)
        {
            _byId.TryAdd((market.Id.ToUpperInvariant(), market.Type), market.Symbol);
            _bySymbol.TryAdd((market.Symbol, market.Type), market.Id);
        }

        _fallback = fallback;
    }

    /// <summary>How many markets the map holds.</summary>
    public int Count => _byId.Count;

    /// <summary>The unified symbol of exchange id <paramref name="id"/> in <paramref name="type"/> markets, or null when unknown.</summary>
    public Symbol? Resolve(string id, MarketType type)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _byId.TryGetValue((id.ToUpperInvariant(), type), out var symbol) ? symbol : _fallback?.Invoke(id, type);
    }

    /// <summary>The exchange id of <paramref name="symbol"/> in <paramref name="type"/> markets, or null when the list does not hold it.</summary>
    public string? IdOf(Symbol symbol, MarketType type) => _bySymbol.TryGetValue((symbol, type), out var id) ? id : null;
}
