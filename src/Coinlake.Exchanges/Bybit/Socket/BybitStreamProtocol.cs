using System.Globalization;
using System.Text;
using Coinlake.Exchanges.Bybit.Rest;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Time;

namespace Coinlake.Exchanges.Bybit.Socket;

/// <summary>
/// Bybit's v5 public WebSocket streams (bybit-exchange.github.io/docs/v5/ws/connect): spot, linear (USDT/USDC
/// perpetuals and futures) and inverse contracts, one endpoint each.
/// </summary>
/// <remarks>
/// <para>
/// Endpoints ("Connect", "WebSocket public stream"): <c>wss://stream.bybit.com/v5/public/spot</c>, <c>…/linear</c>,
/// <c>…/inverse</c>; subscriptions of one category share a connection (<see cref="EndpointKey"/>). Topics: candles
/// <c>kline.{interval}.{symbol}</c> ("Kline": <c>confirm</c> marks the closed candle; intervals <c>1 3 5 15 30 60 120 240
/// 360 720 D W M</c>), trades <c>publicTrade.{symbol}</c> ("Trade"), tickers <c>tickers.{symbol}</c> ("Ticker":
/// snapshots, and for derivatives deltas carrying only what changed).
/// </para>
/// <para>
/// Subscribe: <c>{"op":"subscribe","args":[…],"req_id":"n"}</c> ("How to Subscribe to Topics"), at most
/// <see cref="MaxArgsPerSubscribe"/> args per request ("Public channel - Args limits": spot takes up to 10 args per
/// request; derivatives have no limit, so 10 is used everywhere), and at most <see cref="MaxTopicsPerConnection"/> topics
/// per connection (the args of one connection may not exceed 21,000 characters; 200 topics stay far below). Keep-alive:
/// <c>{"op":"ping"}</c> every 20 s ("How to Send the Heartbeat Packet": recommended every 20 s; without ping or data the
/// server cuts the connection after 10 minutes); the pong answer keeps the stall detector quiet.
/// </para>
/// <para>
/// Not streamed: mark and index price klines (REST only: "Get Mark Price Kline", "Get Index Price Kline"), and the
/// timeframes Bybit has no interval for (1s, 8h, 3d).
/// </para>
/// </remarks>
public sealed class BybitStreamProtocol : StreamProtocol
{
    /// <summary>Args per subscribe request (spot's documented maximum, used for every category).</summary>
    public const int MaxArgsPerSubscribe = 10;

    /// <summary>Topics per connection: far below the 21,000-character args limit of one public connection.</summary>
    public const int MaxTopicsPerConnection = 200;

    /// <summary>How often the <c>{"op":"ping"}</c> heartbeat is sent (the documented recommendation).</summary>
    public static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(20);

    /// <summary>Spot public endpoint.</summary>
    public static readonly Uri SpotEndpoint = new("wss://stream.bybit.com/v5/public/spot");

    /// <summary>Linear (USDT/USDC perpetuals and futures) public endpoint.</summary>
    public static readonly Uri LinearEndpoint = new("wss://stream.bybit.com/v5/public/linear");

    /// <summary>Inverse contracts public endpoint.</summary>
    public static readonly Uri InverseEndpoint = new("wss://stream.bybit.com/v5/public/inverse");

    private static readonly StreamKeepAlive _keepAlive = new("{\"op\":\"ping\"}", PingInterval);

    /// <summary>Creates the protocol of <c>bybit</c>.</summary>
    public BybitStreamProtocol()
        : base(BybitClient.BybitId)
    {
    }

    /// <inheritdoc />
    public override int MaxSubscriptionsPerConnection => MaxTopicsPerConnection;

    /// <inheritdoc />
    public override StreamKeepAlive? KeepAlive => _keepAlive;

    /// <inheritdoc />
    public override string? WhyUnsupported(StreamSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (subscription.Channel != StreamChannel.Candles)
        {
            return null;
        }

        if (subscription.Timeframe is not { } timeframe)
        {
            return "a candle subscription needs a timeframe (e.g. 1m).";
        }

        if (subscription.Price != PriceType.Last)
        {
            return $"Bybit's public streams carry last-price klines only (kline.{{interval}}.{{symbol}}); {subscription.Price.ToName()}-price klines are REST-only "
                + "(\"Get Mark Price Kline\" / \"Get Index Price Kline\"): collect them with a backfill task.";
        }

        return BybitClient.IntervalOf(timeframe) is null
            ? $"Bybit has no {timeframe} kline interval; use one of 1m 3m 5m 15m 30m 1h 2h 4h 6h 12h 1d 1w 1M."
            : null;
    }

    /// <summary>The category the subscription's topic lives in: <c>spot</c>, <c>linear</c> or <c>inverse</c> (one endpoint each).</summary>
    public override string EndpointKey(StreamSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return BybitInstruments.CategoryOf(subscription.Symbol, subscription.MarketType).Name();
    }

    /// <inheritdoc />
    public override ValueTask<Uri> GetEndpointAsync(IReadOnlyList<StreamSubscription> group, Uri? endpointOverride, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.Count == 0)
        {
            throw new ArgumentException("A connection needs at least one subscription.", nameof(group));
        }

        var production = BybitInstruments.CategoryOf(group[0].Symbol, group[0].MarketType) switch
        {
            BybitCategory.Spot => SpotEndpoint,
            BybitCategory.Inverse => InverseEndpoint,
            _ => LinearEndpoint,
        };
        return ValueTask.FromResult(WithOverride(production, endpointOverride));
    }

    /// <summary><c>{"op":"subscribe","args":[…],"req_id":"1"}</c> requests of at most <see cref="MaxArgsPerSubscribe"/> topics each.</summary>
    /// <exception cref="InvalidOperationException">A symbol is not in <paramref name="symbols"/>.</exception>
    public override IReadOnlyList<string> SubscribeMessages(IReadOnlyList<StreamSubscription> group, StreamSymbols symbols)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(symbols);
        var messages = new List<string>();
        var request = 0;
        foreach (var chunk in group.Chunk(MaxArgsPerSubscribe))
        {
            var message = new StringBuilder(48 + chunk.Length * 24);
            message.Append("{\"op\":\"subscribe\",\"args\":[");
            for (var i = 0; i < chunk.Length; i++)
            {
                if (i > 0)
                {
                    message.Append(',');
                }

                message.Append('"').Append(Topic(chunk[i], symbols)).Append('"');
            }

            message.Append(CultureInfo.InvariantCulture, $"],\"req_id\":\"{++request}\"}}");
            messages.Add(message.ToString());
        }

        return messages;
    }

    /// <inheritdoc />
    public override StreamFrameParser CreateParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(endpoint);
        var category = group is { Count: > 0 }
            ? BybitInstruments.CategoryOf(group[0].Symbol, group[0].MarketType)
            : endpoint.AbsolutePath.EndsWith("/inverse", StringComparison.Ordinal) ? BybitCategory.Inverse
            : endpoint.AbsolutePath.EndsWith("/linear", StringComparison.Ordinal) ? BybitCategory.Linear
            : BybitCategory.Spot;
        return new BybitFrameParser(symbols, group, category);
    }

    /// <summary>The topic of <paramref name="subscription"/>: <c>kline.1.BTCUSDT</c>, <c>publicTrade.BTCUSDT</c>, <c>tickers.BTCUSDT</c>.</summary>
    /// <exception cref="InvalidOperationException">The symbol is not in <paramref name="symbols"/>, or the candle timeframe has no Bybit interval.</exception>
    public static string Topic(StreamSubscription subscription, StreamSymbols symbols)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(symbols);
        var id = symbols.IdOf(subscription.Symbol, subscription.MarketType)
            ?? throw new InvalidOperationException(
                $"{subscription.Symbol} is not a Bybit {subscription.MarketType.ToName()} market of the loaded market list; validate subscriptions against the markets first.");
        return subscription.Channel switch
        {
            StreamChannel.Candles => string.Concat("kline.", subscription.Timeframe is { } tf && BybitClient.IntervalOf(tf) is { } interval
                ? interval
                : throw new InvalidOperationException($"The candle subscription {subscription} has no Bybit interval."), ".", id),
            StreamChannel.Trades => "publicTrade." + id,
            _ => "tickers." + id,
        };
    }

    /// <summary>The timeframe of a Bybit kline interval (<c>1</c> → 1m, <c>60</c> → 1h, <c>D</c> → 1d), or null.</summary>
    public static Timeframe? TimeframeOf(string interval) => interval switch
    {
        "1" => Timeframe.Parse("1m"),
        "3" => Timeframe.Parse("3m"),
        "5" => Timeframe.Parse("5m"),
        "15" => Timeframe.Parse("15m"),
        "30" => Timeframe.Parse("30m"),
        "60" => Timeframe.Parse("1h"),
        "120" => Timeframe.Parse("2h"),
        "240" => Timeframe.Parse("4h"),
        "360" => Timeframe.Parse("6h"),
        "720" => Timeframe.Parse("12h"),
        "D" => Timeframe.Parse("1d"),
        "W" => Timeframe.Parse("1w"),
        "M" => Timeframe.Parse("1M"),
        _ => null,
    };

    /// <summary>
    /// Unified symbol of a Bybit id the market list does not hold: spot <c>BTCUSDT</c> → <c>BTC/USDT</c> (by a known
    /// quote suffix); swaps: linear <c>BTCUSDT</c> → <c>BTC/USDT:USDT</c>, <c>BTCPERP</c> → <c>BTC/USDC:USDC</c>, inverse
    /// <c>BTCUSD</c> → <c>BTC/USD:BTC</c>; futures: linear <c>BTC-29MAR24</c> → <c>BTC/USDC:USDC-240329</c>, <c>BTCUSDT-26DEC25</c> → <c>BTC/USDT:USDT-251226</c>. Null otherwise
    /// (inverse futures such as <c>BTCUSDH24</c> need the instrument list's delivery time).
    /// </summary>
    public static Symbol? ParseId(string id, MarketType type)
    {
        ArgumentNullException.ThrowIfNull(id);
        var upper = id.ToUpperInvariant();
        switch (type)
        {
            case MarketType.Spot:
                foreach (var quote in SpotQuotes)
                {
                    if (upper.Length > quote.Length && upper.EndsWith(quote, StringComparison.Ordinal))
                    {
                        return new Symbol(upper[..^quote.Length], quote);
                    }
                }

                return null;
            case MarketType.Swap:
                if (upper.EndsWith("PERP", StringComparison.Ordinal) && upper.Length > 4)
                {
                    return new Symbol(upper[..^4], "USDC", "USDC");
                }

                if (upper.EndsWith("USDT", StringComparison.Ordinal) && upper.Length > 4)
                {
                    return new Symbol(upper[..^4], "USDT", "USDT");
                }

                if (upper.EndsWith("USD", StringComparison.Ordinal) && upper.Length > 3)
                {
                    var coin = upper[..^3];
                    return new Symbol(coin, "USD", coin);
                }

                return null;
            default:
                var dash = upper.IndexOf('-', StringComparison.Ordinal);
                if (dash <= 0 || BybitInstruments.ExpiryFromId(upper) is not { } expiry)
                {
                    return null;
                }

                var pair = upper[..dash];
                return pair.EndsWith("USDT", StringComparison.Ordinal) && pair.Length > 4
                    ? new Symbol(pair[..^4], "USDT", "USDT", expiry)
                    : new Symbol(pair, "USDC", "USDC", expiry);
        }
    }

    private static readonly string[] SpotQuotes = ["USDT", "USDC", "USDE", "EUR", "BRL", "TRY", "DAI", "BTC", "ETH", "MNT", "BRZ", "PLN"];
}
