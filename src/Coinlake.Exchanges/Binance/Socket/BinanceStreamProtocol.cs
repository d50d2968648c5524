using System.Globalization;
using System.Text;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Time;

namespace Coinlake.Exchanges.Binance.Socket;

/// <summary>
/// Binance's public market streams, for <c>binance</c> (spot and USDⓈ-M futures), <c>binanceus</c> (spot) and
/// <c>binanceusdm</c> (USDⓈ-M futures).
/// </summary>
/// <remarks>
/// <para>
/// Endpoints: spot <c>wss://stream.binance.com:9443/stream</c> (spot "WebSocket Streams for Binance", "General WSS
/// information"), Binance.US <c>wss://stream.binance.us:9443/stream</c>, USDⓈ-M futures
/// <c>wss://fstream.binance.com/market/stream</c> (USDⓈ-M "Websocket Market Streams" and its "Important WebSocket Change
/// Notice": klines, aggregate trades and tickers are "regular market data" served under <c>/market</c>; the old
/// <c>/stream</c> root was retired in 2026). <c>/stream</c> is the combined mode: every payload arrives wrapped as
/// <c>{"stream":"&lt;name&gt;","data":&lt;payload&gt;}</c>.
/// </para>
/// <para>
/// Subscriptions are sent as one <c>{"method":"SUBSCRIBE","params":[...],"id":1}</c> per connection ("Live
/// Subscribing/Unsubscribing to streams"; answer <c>{"result":null,"id":1}</c>), not in the URL, so that a refused
/// stream name comes back as an error frame (<see cref="FrameKind.Rejected"/>) rather than a failed handshake. Streams:
/// candles <c>&lt;id&gt;@kline_&lt;interval&gt;</c> ("Kline/Candlestick Streams for UTC", <c>k.x</c> marks the closed
/// kline), trades <c>&lt;id&gt;@aggTrade</c> ("Aggregate Trade Streams": the trade id is the aggregate id <c>a</c>, as
/// the REST <c>aggTrades</c> the gap healing uses), tickers <c>&lt;id&gt;@ticker</c> ("Individual Symbol Ticker
/// Streams": 24 h rolling statistics; spot adds best bid and ask).
/// </para>
/// <para>
/// Limits ("WebSocket Limits"): at most 1024 streams per connection (spot and USDⓈ-M), at most 5 incoming messages per
/// second on spot (10 on USDⓈ-M), which the one subscribe message and a keep-alive every
/// <see cref="KeepAliveInterval"/> stay far below. The server pings (spot every 20 s, USDⓈ-M every 3 min); .NET's
/// <c>ClientWebSocket</c> answers protocol pings itself. Since a quiet aggTrade stream may carry nothing for minutes,
/// <see cref="KeepAlive"/> sends <c>LIST_SUBSCRIPTIONS</c> ("Listing Subscriptions"), whose answer proves the connection
/// alive to the stall detector.
/// </para>
/// </remarks>
public sealed class BinanceStreamProtocol : StreamProtocol
{
    /// <summary>Streams one connection may carry ("WebSocket Limits": "A single connection can listen to a maximum of 1024 streams").</summary>
    public const int MaxStreamsPerConnection = 1024;

    /// <summary>The <c>id</c> of the keep-alive <c>LIST_SUBSCRIPTIONS</c> request (subscribe requests use 1, 2, ...).</summary>
    public const int KeepAliveId = 0;

    /// <summary>How often the keep-alive request is sent: well inside the default 30 s stall timeout, far below the message-rate limit.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(10);

    /// <summary>Binance spot combined-stream endpoint.</summary>
    public static readonly Uri SpotEndpoint = new("wss://stream.binance.com:9443/stream");

    /// <summary>Binance.US combined-stream endpoint (Binance.US "WebSocket Streams": <c>wss://stream.binance.us:9443</c>).</summary>
    public static readonly Uri BinanceUsEndpoint = new("wss://stream.binance.us:9443/stream");

    /// <summary>Binance USDⓈ-M futures combined-stream endpoint for regular market data (<c>/market</c> route).</summary>
    public static readonly Uri FuturesEndpoint = new("wss://fstream.binance.com/market/stream");

    private static readonly StreamKeepAlive _keepAlive = new(
        string.Create(CultureInfo.InvariantCulture, $"{{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":{KeepAliveId}}}"), KeepAliveInterval);

    private readonly bool _spot;
    private readonly bool _futures;

    /// <summary>Creates the protocol of a Binance exchange id.</summary>
    /// <param name="exchange"><c>binance</c>, <c>binanceus</c> or <c>binanceusdm</c> (case-insensitive).</param>
    /// <exception cref="ArgumentException">Another id; the message lists the valid ones.</exception>
    public BinanceStreamProtocol(string exchange)
        : base(Normalize(exchange))
    {
        _spot = Exchange != BinanceClient.BinanceUsdmId;
        _futures = Exchange != BinanceClient.BinanceUsId;
    }

    /// <inheritdoc />
    public override int MaxSubscriptionsPerConnection => MaxStreamsPerConnection;

    /// <inheritdoc />
    public override StreamKeepAlive? KeepAlive => _keepAlive;

    /// <summary>250 ms between sent frames: spot allows 5 incoming messages a second per connection ("WebSocket Limits";
    /// USDⓈ-M allows 10), and going beyond disconnects.</summary>
    public override TimeSpan MinimumSendInterval => TimeSpan.FromMilliseconds(250);

    /// <inheritdoc />
    public override string? WhyUnsupported(StreamSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var spot = subscription.MarketType == MarketType.Spot;
        if (spot && !_spot)
        {
            return $"{Exchange} streams USDⓈ-M futures only; use '{BinanceClient.BinanceId}' for spot markets.";
        }

        if (!spot && !_futures)
        {
            return $"{Exchange} has no {subscription.MarketType.ToName()} markets; use '{BinanceClient.BinanceId}' or '{BinanceClient.BinanceUsdmId}' for USDⓈ-M swaps and futures.";
        }

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
            return spot
                ? $"Binance spot has last-price klines only; {subscription.Price.ToName()} candles exist for USDⓈ-M futures."
                : $"Binance USDⓈ-M futures stream no {subscription.Price.ToName()}-price klines (only COIN-M has markPriceKline/indexPriceKline streams; "
                  + "the USDⓈ-M markPrice stream carries single prices): collect them with a backfill task (REST markPriceKlines/indexPriceKlines).";
        }

        if (!spot && timeframe.Unit == TimeframeUnit.Second)
        {
            return $"Binance USDⓈ-M futures have no {timeframe} klines; the shortest interval is 1m (spot streams 1s).";
        }

        return null;
    }

    /// <summary>Spot and futures live on different hosts: <c>spot</c> or <c>futures</c>.</summary>
    public override string EndpointKey(StreamSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return subscription.MarketType == MarketType.Spot ? "spot" : "futures";
    }

    /// <inheritdoc />
    public override ValueTask<Uri> GetEndpointAsync(IReadOnlyList<StreamSubscription> group, Uri? endpointOverride, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.Count == 0)
        {
            throw new ArgumentException("A connection needs at least one subscription.", nameof(group));
        }

        var production = group[0].MarketType != MarketType.Spot ? FuturesEndpoint
            : Exchange == BinanceClient.BinanceUsId ? BinanceUsEndpoint
            : SpotEndpoint;
        return ValueTask.FromResult(WithOverride(production, endpointOverride));
    }

    /// <summary>One <c>SUBSCRIBE</c> request naming every stream of the group, with <c>id</c> 1.</summary>
    /// <exception cref="InvalidOperationException">A symbol is not in <paramref name="symbols"/> (subscriptions are validated against the markets first).</exception>
    public override IReadOnlyList<string> SubscribeMessages(IReadOnlyList<StreamSubscription> group, StreamSymbols symbols)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(symbols);
        var message = new StringBuilder(32 + group.Count * 24);
        message.Append("{\"method\":\"SUBSCRIBE\",\"params\":[");
        for (var i = 0; i < group.Count; i++)
        {
            if (i > 0)
            {
                message.Append(',');
            }

            message.Append('"').Append(StreamName(group[i], symbols)).Append('"');
        }

        message.Append("],\"id\":1}");
        return [message.ToString()];
    }

    /// <inheritdoc />
    public override StreamFrameParser CreateParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(endpoint);
        var futures = group is { Count: > 0 } ? group[0].MarketType != MarketType.Spot : IsFuturesEndpoint(endpoint);
        return new BinanceFrameParser(symbols, group, futures);
    }

    /// <summary>
    /// The stream name of <paramref name="subscription"/>: <c>btcusdt@kline_1m</c>, <c>btcusdt@aggTrade</c>,
    /// <c>btcusdt@ticker</c> (symbol ids lower case, as "All symbols for streams are lowercase" asks).
    /// </summary>
    /// <exception cref="InvalidOperationException">The symbol is not in <paramref name="symbols"/>, or a candle subscription lacks a timeframe.</exception>
    public static string StreamName(StreamSubscription subscription, StreamSymbols symbols)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(symbols);
        var id = symbols.IdOf(subscription.Symbol, subscription.MarketType)
            ?? throw new InvalidOperationException(
                $"{subscription.Symbol} is not a Binance {subscription.MarketType.ToName()} market of the loaded market list; validate subscriptions against the markets first.");
        var lower = id.ToLowerInvariant();
        return subscription.Channel switch
        {
            StreamChannel.Candles => string.Concat(lower, "@kline_", (subscription.Timeframe
                ?? throw new InvalidOperationException($"The candle subscription {subscription} has no timeframe.")).ToString()),
            StreamChannel.Trades => lower + "@aggTrade",
            _ => lower + "@ticker",
        };
    }

    /// <summary>
    /// Unified symbol of a Binance id the market list does not hold (replays without <c>exchangeInfo</c>): spot
    /// <c>NKNUSDT</c> → <c>NKN/USDT</c> by a known quote-currency suffix; USDⓈ-M <c>BTCUSDT</c> → <c>BTC/USDT:USDT</c>,
    /// <c>BTCUSDT_240628</c> → <c>BTC/USDT:USDT-240628</c>. Null when no known quote currency ends the id, or when a
    /// dated id is asked for as a swap (or the reverse).
    /// </summary>
    public static Symbol? ParseId(string id, MarketType type)
    {
        ArgumentNullException.ThrowIfNull(id);
        var upper = id.ToUpperInvariant();
        string? expiry = null;
        var underscore = upper.IndexOf('_', StringComparison.Ordinal);
        if (underscore >= 0)
        {
            expiry = upper[(underscore + 1)..];
            upper = upper[..underscore];
            if (type != MarketType.Future || expiry.Length != 6 || !expiry.All(char.IsAsciiDigit))
            {
                return null;
            }
        }
        else if (type == MarketType.Future)
        {
            return null;
        }

        var quotes = type == MarketType.Spot ? SpotQuotes : FuturesQuotes;
        foreach (var quote in quotes)
        {
            if (upper.Length > quote.Length && upper.EndsWith(quote, StringComparison.Ordinal))
            {
                var baseCode = upper[..^quote.Length];
                return type == MarketType.Spot ? new Symbol(baseCode, quote) : new Symbol(baseCode, quote, quote, expiry);
            }
        }

        return null;
    }

    /// <summary>True for a USDⓈ-M futures stream URL (host <c>fstream.*</c>, or a <c>/market</c> or <c>/public</c> route).</summary>
    internal static bool IsFuturesEndpoint(Uri endpoint) =>
        endpoint.Host.StartsWith("fstream", StringComparison.OrdinalIgnoreCase)
        || endpoint.AbsolutePath.StartsWith("/market/", StringComparison.Ordinal)
        || endpoint.AbsolutePath.StartsWith("/public/", StringComparison.Ordinal);

    // Longest first, so FDUSD wins over USD and USDT over USD.
    private static readonly string[] SpotQuotes =
    [
        "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "BIDR", "IDRT", "BVND", "AEUR", "EURI", "DAI", "BTC", "ETH", "BNB", "EUR", "TRY",
        "BRL", "GBP", "AUD", "RUB", "UAH", "ZAR", "NGN", "PLN", "RON", "ARS", "JPY", "MXN", "COP", "CZK", "XRP", "TRX", "DOT", "USD",
    ];

    private static readonly string[] FuturesQuotes = ["USDT", "USDC", "BUSD"];

    private static string Normalize(string exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        var id = exchange.Trim().ToLowerInvariant();
        return BinanceClient.ExchangeIds.Contains(id, StringComparer.Ordinal)
            ? id
            : throw new ArgumentException($"'{exchange}' is not a Binance exchange id; use one of {string.Join(", ", BinanceClient.ExchangeIds)}.", nameof(exchange));
    }
}
