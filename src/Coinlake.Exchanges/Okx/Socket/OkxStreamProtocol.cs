using System.Buffers;
using System.Text;
using System.Text.Json;
using Coinlake.Exchanges.Okx.Rest;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Time;

namespace Coinlake.Exchanges.Okx.Socket;

/// <summary>
/// OKX API v5 public WebSocket (www.okx.com/docs-v5/en, "WebSocket"): candles on
/// <c>wss://ws.okx.com:8443/ws/v5/business</c> ("Candlesticks channel" <c>candle{bar}</c>, "Mark price candlesticks
/// channel" <c>mark-price-candle{bar}</c>, "Index candlesticks channel" <c>index-candle{bar}</c>: business URL since
/// the 2023-06-20 change "Changes to V5 API WebSocket subscription parameter and URL"), trades there too ("All trades
/// channel", <c>trades-all</c>: one trade an update, so ids and sizes match "GET / Trades history"; the public
/// <c>trades</c> channel may aggregate several fills of a taker order into one update with a <c>count</c>), and
/// tickers ("Tickers channel", <c>tickers</c>) on <c>wss://ws.okx.com:8443/ws/v5/public</c>.
/// Subscriptions are <c>{"op":"subscribe","args":[{"channel":..,"instId":..},..]}</c> ("Subscribe"); data frames are
/// <c>{"arg":{..},"data":[..]}</c>.
/// </summary>
/// <remarks>
/// <para>
/// Limits ("Overview / WebSocket / Connect", "Connection count limit"): 3 connection requests per second per IP, 480
/// subscribe/unsubscribe/login requests per connection per hour, 30 connections per channel per sub-account, and a
/// subscribe request's total length at most 64 KB. OKX sets no count of subscriptions per connection;
/// <see cref="MaxSubscriptionsPerConnection"/> keeps one subscribe request (one per connection) far below 64 KB.
/// </para>
/// <para>
/// Keep-alive ("Overview / WebSocket / Connect"): the connection breaks "if the subscription is not established or data
/// has not been pushed for more than 30 seconds"; clients send the text <c>ping</c> (answered <c>pong</c>) when
/// nothing arrived for N &lt; 30 seconds. <see cref="KeepAlive"/> sends it every 20 seconds.
/// </para>
/// </remarks>
public sealed class OkxStreamProtocol : StreamProtocol
{
    /// <summary>Production endpoint of public market data (tickers, order books): <c>wss://ws.okx.com:8443/ws/v5/public</c>.</summary>
    public static readonly Uri PublicEndpoint = new("wss://ws.okx.com:8443/ws/v5/public");

    /// <summary>Production endpoint of candle channels (last, mark, index) and of <c>trades-all</c>: <c>wss://ws.okx.com:8443/ws/v5/business</c>.</summary>
    public static readonly Uri BusinessEndpoint = new("wss://ws.okx.com:8443/ws/v5/business");

    /// <summary>Endpoint key of candle and trade subscriptions (<see cref="BusinessEndpoint"/>).</summary>
    public const string BusinessKey = "business";

    /// <summary>Endpoint key of ticker subscriptions (<see cref="PublicEndpoint"/>).</summary>
    public const string PublicKey = "public";

    /// <summary>Subscriptions per connection: OKX documents no count, only 64 KB per subscribe request; 100 arguments
    /// of at most ~70 bytes stay far below it.</summary>
    public const int SubscriptionsPerConnection = 100;

    /// <summary>Creates the protocol of <c>okx</c>.</summary>
    public OkxStreamProtocol()
        : base(OkxClient.OkxId)
    {
    }

    /// <inheritdoc/>
    public override int MaxSubscriptionsPerConnection => SubscriptionsPerConnection;

    /// <summary>The text <c>ping</c> every 20 s (OKX cuts connections idle for 30 s; answered by <c>pong</c>).</summary>
    public override StreamKeepAlive? KeepAlive { get; } = new("ping", TimeSpan.FromSeconds(20));

    /// <summary>
    /// Null for: last-price candles of spot, swap and future markets in every OKX bar (<c>1s 1m 3m 5m 15m 30m 1h 2h 4h
    /// 6h 12h 1d 1w 1M</c>; 6h and longer use the UTC-aligned <c>…utc</c> bars); mark and index candles of swaps and
    /// futures (no <c>1s</c>); trades and tickers of every market.
    /// </summary>
    public override string? WhyUnsupported(StreamSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (!Enum.IsDefined(subscription.MarketType))
        {
            return $"OKX streams spot, swap and future markets, not '{subscription.MarketType}'.";
        }

        if (subscription.Channel != StreamChannel.Candles)
        {
            return subscription.Price == PriceType.Last
                ? null
                : $"OKX {(subscription.Channel == StreamChannel.Trades ? "trades" : "tickers")} carry last prices only; subscribe with price type last (mark and index prices come as candles).";
        }

        if (subscription.Timeframe is not { } tf)
        {
            return "A candle subscription needs a timeframe (e.g. 1m).";
        }

        if (subscription.MarketType == MarketType.Spot && subscription.Price != PriceType.Last)
        {
            return $"OKX streams {subscription.Price.ToName()} candles for swaps and futures only; use last-price candles for spot {subscription.Symbol}, or the swap's {subscription.Price.ToName()} candles.";
        }

        if (OkxBars.Of(tf) is null)
        {
            return $"OKX has no {tf} candle channel; use one of 1m 3m 5m 15m 30m 1h 2h 4h 6h 12h 1d 1w 1M (1s for last prices), or build {tf} from 1m candles.";
        }

        return tf.Unit == TimeframeUnit.Second && subscription.Price != PriceType.Last
            ? $"OKX has no 1s {subscription.Price.ToName()} candles; use 1m or longer."
            : null;
    }

    /// <summary><see cref="BusinessKey"/> for candles and trades, <see cref="PublicKey"/> for tickers.</summary>
    public override string EndpointKey(StreamSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return subscription.Channel == StreamChannel.Tickers ? PublicKey : BusinessKey;
    }

    /// <summary><see cref="BusinessEndpoint"/> or <see cref="PublicEndpoint"/> (by the group's first subscription), with the override's scheme, host and port.</summary>
    public override ValueTask<Uri> GetEndpointAsync(IReadOnlyList<StreamSubscription> group, Uri? endpointOverride, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.Count == 0)
        {
            throw new ArgumentException("A connection needs at least one subscription.", nameof(group));
        }

        var production = EndpointKey(group[0]) == BusinessKey ? BusinessEndpoint : PublicEndpoint;
        return ValueTask.FromResult(WithOverride(production, endpointOverride));
    }

    /// <summary>
    /// One <c>{"op":"subscribe","args":[{"channel":"candle1m","instId":"BTC-USDT"},..]}</c> frame with one argument per
    /// distinct channel and instrument (index candles of a swap and its futures share the family's argument).
    /// </summary>
    public override IReadOnlyList<string> SubscribeMessages(IReadOnlyList<StreamSubscription> group, StreamSymbols symbols)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(symbols);
        var seen = new HashSet<(string, string)>();
        var buffer = new ArrayBufferWriter<byte>(64 + (group.Count * 64));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("op"u8, "subscribe"u8);
            json.WriteStartArray("args"u8);
            foreach (var subscription in group)
            {
                var (channel, instId) = Argument(subscription, symbols);
                if (seen.Add((channel, instId)))
                {
                    json.WriteStartObject();
                    json.WriteString("channel"u8, channel);
                    json.WriteString("instId"u8, instId);
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return [Encoding.UTF8.GetString(buffer.WrittenSpan)];
    }

    /// <inheritdoc/>
    public override StreamFrameParser CreateParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        return new OkxStreamParser(symbols, group);
    }

    /// <summary>The <c>fallback</c> of <see cref="StreamSymbols"/> for OKX: parses ids by their shape (<c>BTC-USDT</c>, <c>BTC-USDT-SWAP</c>, <c>BTC-USD-220527</c>).</summary>
    public static Symbol? ParseId(string instId, MarketType type) => OkxStreamIds.Parse(instId, type);

    /// <summary>The OKX channel name of <paramref name="subscription"/>: <c>trades-all</c>, <c>tickers</c>, <c>candle1m</c>, <c>mark-price-candle1H</c>, <c>index-candle1Dutc</c>.</summary>
    /// <exception cref="NotSupportedException">The subscription is not streamed (see <see cref="WhyUnsupported"/>).</exception>
    public static string ChannelName(StreamSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        switch (subscription.Channel)
        {
            case StreamChannel.Trades:
                return "trades-all";
            case StreamChannel.Tickers:
                return "tickers";
        }

        var bar = subscription.Timeframe is { } tf ? OkxBars.Of(tf) : null;
        if (bar is null)
        {
            throw new NotSupportedException($"OKX streams no candles for {subscription}; use one of 1m 3m 5m 15m 30m 1h 2h 4h 6h 12h 1d 1w 1M.");
        }

        return subscription.Price switch
        {
            PriceType.Mark => "mark-price-candle" + bar,
            PriceType.Index => "index-candle" + bar,
            _ => "candle" + bar,
        };
    }

    /// <summary>The subscribe argument of <paramref name="subscription"/>: channel name and instId (the index id for index candles).</summary>
    internal static (string Channel, string InstId) Argument(StreamSubscription subscription, StreamSymbols symbols)
    {
        var instId = subscription.Channel == StreamChannel.Candles && subscription.Price == PriceType.Index
            ? OkxStreamIds.IndexOf(subscription.Symbol)
            : symbols.IdOf(subscription.Symbol, subscription.MarketType) ?? OkxStreamIds.Format(subscription.Symbol, subscription.MarketType);
        return (ChannelName(subscription), instId);
    }
}
