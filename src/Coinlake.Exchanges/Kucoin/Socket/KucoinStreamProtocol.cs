using System.Globalization;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;

namespace Coinlake.Exchanges.Kucoin.Socket;

/// <summary>
/// KuCoin spot public WebSocket (docs-new, "WebSocket" / "Spot Trading / Public Channels"): a token and server from
/// <c>POST /api/v1/bullet-public</c> (<see cref="KucoinBullet"/>), then per connection
/// <c>{"id":..,"type":"subscribe","topic":..,"privateChannel":false,"response":true}</c> for the topics
/// <c>/market/candles:{symbol}_{type}</c> ("Klines", one symbol a topic), <c>/market/match:{symbols}</c> ("Trade
/// Execution") and <c>/market/ticker:{symbols}</c> ("Ticker"), the last two with up to 100 comma-separated symbols a
/// topic. Spot last prices only (KuCoin spot has no mark or index klines; futures live on another API).
/// </summary>
/// <remarks>
/// <para>
/// Limits ("Rate Limit" / "WebSocket"): at most 100 client messages per 10 seconds a connection
/// (<see cref="MinimumSendInterval"/> paces them), 100 topics per subscribe message, 400 topics a connection, 30
/// connections a minute per user. <see cref="MaxSubscriptionsPerConnection"/> is 100: a connection of 100 candle
/// topics subscribes within about 11 seconds.
/// </para>
/// <para>
/// Keep-alive ("WebSocket / Ping"): the client sends <c>{"id":..,"type":"ping"}</c> every <c>pingInterval</c> (18 s
/// documented; the last token answer's value is used) and KuCoin answers <c>pong</c>; connections without pings are
/// closed after <c>pingTimeout</c>.
/// </para>
/// </remarks>
public sealed class KucoinStreamProtocol : StreamProtocol
{
    /// <summary>Production REST host whose <c>bullet-public</c> hands out the WebSocket servers.</summary>
    public static readonly Uri ProductionBaseUrl = new("https://api.kucoin.com");

    /// <summary>Subscriptions per connection (see the remarks).</summary>
    public const int SubscriptionsPerConnection = 100;

    /// <summary>Symbols per <c>/market/match</c> or <c>/market/ticker</c> topic: the documented 100.</summary>
    public const int SymbolsPerTopic = 100;

    /// <summary>The keep-alive frame.</summary>
    public const string PingMessage = """{"id":"coinlake","type":"ping"}""";

    private readonly Func<CancellationToken, Task<KucoinBullet>>? _bullet;
    private long _pingIntervalTicks = TimeSpan.FromSeconds(18).Ticks;

    /// <summary>Creates the protocol of <c>kucoin</c>.</summary>
    /// <param name="bullet">Requests a token and server (<see cref="KucoinBullet.RequestAsync"/> over the client's HTTP client and
    /// base URL); null for replays, which never connect.</param>
    public KucoinStreamProtocol(Func<CancellationToken, Task<KucoinBullet>>? bullet = null)
        : base(KucoinClient.KucoinId)
    {
        _bullet = bullet;
    }

    /// <inheritdoc/>
    public override int MaxSubscriptionsPerConnection => SubscriptionsPerConnection;

    /// <summary>110 ms between client frames: at most ~91 per 10 seconds, under KuCoin's 100.</summary>
    public override TimeSpan MinimumSendInterval => TimeSpan.FromMilliseconds(110);

    /// <summary><see cref="PingMessage"/> every <c>pingInterval</c> of the latest token answer (18 s by default).</summary>
    public override StreamKeepAlive? KeepAlive => new(PingMessage, TimeSpan.FromTicks(Interlocked.Read(ref _pingIntervalTicks)));

    /// <summary>Null for spot last-price candles of 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 1M, spot trades and spot tickers.</summary>
    public override string? WhyUnsupported(StreamSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (subscription.MarketType != MarketType.Spot)
        {
            return $"KuCoin {subscription.MarketType.ToName()} contracts stream on KuCoin Futures' own API, which this connector does not call; only spot markets are streamed.";
        }

        if (subscription.Price != PriceType.Last)
        {
            return $"KuCoin spot has no {subscription.Price.ToName()} prices; subscribe with price type last.";
        }

        if (subscription.Channel != StreamChannel.Candles)
        {
            return null;
        }

        if (subscription.Timeframe is not { } tf)
        {
            return "A candle subscription needs a timeframe (e.g. 1m).";
        }

        return KucoinIntervals.TypeOf(tf, out var whyNot) is null ? whyNot : null;
    }

    /// <summary>
    /// Requests a token (<c>POST /api/v1/bullet-public</c>, through the REST base URL) and returns the server's URL with
    /// <c>token</c> and <c>connectId</c>, its scheme, host and port replaced by <paramref name="endpointOverride"/> when set.
    /// </summary>
    /// <exception cref="InvalidOperationException">The protocol was created without a token source (replay only).</exception>
    /// <exception cref="ExchangeException">The token request failed.</exception>
    public override async ValueTask<Uri> GetEndpointAsync(IReadOnlyList<StreamSubscription> group, Uri? endpointOverride, CancellationToken cancellationToken)
    {
        if (_bullet is null)
        {
            throw new InvalidOperationException("This KuCoin protocol has no token source (it was created for replays); create it with one to connect.");
        }

        var bullet = await _bullet(cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _pingIntervalTicks, (bullet.PingInterval > TimeSpan.Zero ? bullet.PingInterval : TimeSpan.FromSeconds(18)).Ticks);
        var connectId = "coinlake-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)[..12];
        return WithOverride(bullet.ConnectUrl(connectId), endpointOverride);
    }

    /// <summary>
    /// The subscribe frames: one <c>/market/match:</c> and one <c>/market/ticker:</c> topic per 100 symbols, one
    /// <c>/market/candles:</c> topic per symbol and timeframe; ids count up from 1 within the connection.
    /// </summary>
    public override IReadOnlyList<string> SubscribeMessages(IReadOnlyList<StreamSubscription> group, StreamSymbols symbols)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(symbols);
        var topics = new List<string>();
        foreach (var (prefix, channel) in new[] { ("/market/match:", StreamChannel.Trades), ("/market/ticker:", StreamChannel.Tickers) })
        {
            var ids = group.Where(s => s.Channel == channel).Select(s => IdOf(s, symbols)).Distinct(StringComparer.Ordinal);
            topics.AddRange(ids.Chunk(SymbolsPerTopic).Select(chunk => prefix + string.Join(',', chunk)));
        }

        topics.AddRange(group.Where(s => s.Channel == StreamChannel.Candles).Select(s => CandleTopic(s, symbols)).Distinct(StringComparer.Ordinal));
        return [.. topics.Select((topic, i) => string.Create(CultureInfo.InvariantCulture,
            $$"""{"id":"{{i + 1}}","type":"subscribe","topic":"{{topic}}","privateChannel":false,"response":true}"""))];
    }

    /// <inheritdoc/>
    public override StreamFrameParser CreateParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        return new KucoinStreamParser(symbols, group);
    }

    /// <summary>The <c>fallback</c> of <see cref="StreamSymbols"/> for KuCoin: <c>BTC-USDT</c> → <c>BTC/USDT</c> (spot only). Currencies KuCoin renamed (<c>BCHSV</c> = BSV) need the market list.</summary>
    public static Symbol? ParseId(string id, MarketType type)
    {
        ArgumentNullException.ThrowIfNull(id);
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return type == MarketType.Spot && dash > 0 && id.IndexOf('-', dash + 1) < 0 && Symbol.TryParse($"{id[..dash]}/{id[(dash + 1)..]}", out var symbol)
            ? symbol
            : null;
    }

    /// <summary>The per-symbol topic KuCoin pushes a subscription's data on, e.g. <c>/market/candles:BTC-USDT_1min</c>, <c>/market/match:BTC-USDT</c>.</summary>
    internal static string PushTopic(StreamSubscription subscription, StreamSymbols symbols) => subscription.Channel switch
    {
        StreamChannel.Trades => "/market/match:" + IdOf(subscription, symbols),
        StreamChannel.Tickers => "/market/ticker:" + IdOf(subscription, symbols),
        _ => CandleTopic(subscription, symbols),
    };

    private static string CandleTopic(StreamSubscription subscription, StreamSymbols symbols)
    {
        var type = subscription.Timeframe is { } tf ? KucoinIntervals.TypeOf(tf, out _) : null;
        return type is null
            ? throw new NotSupportedException($"KuCoin streams no candles for {subscription}.")
            : $"/market/candles:{IdOf(subscription, symbols)}_{type}";
    }

    private static string IdOf(StreamSubscription subscription, StreamSymbols symbols) =>
        symbols.IdOf(subscription.Symbol, subscription.MarketType) ?? $"{subscription.Symbol.Base}-{subscription.Symbol.Quote}";
}
