using System.Text;
using System.Text.Json;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Time;

namespace Coinlake.Exchanges.Kraken.Socket;

/// <summary>
/// Kraken's public spot WebSocket API v2 (docs.kraken.com, "Spot WebSocket API v2": <c>wss://ws.kraken.com/v2</c>):
/// channels <c>ohlc</c> (candles), <c>trade</c> and <c>ticker</c>, subscribed with
/// <c>{"method":"subscribe","params":{"channel":...,"symbol":["BTC/USD",...]}}</c>, kept alive with
/// <c>{"method":"ping"}</c> ("Ping") on top of the server's one-per-second <c>heartbeat</c> ("Heartbeat").
/// </summary>
/// <remarks>
/// <para>
/// Symbols: v2 names pairs with unified codes (<c>BTC/USD</c>, <c>DOGE/USD</c>; the v1 names were <c>XBT/USD</c>,
/// <c>XDG/USD</c>), which is Coinlake's unified spot symbol, so <see cref="SymbolOf"/> also parses names the market list
/// does not hold (and the v1 names through <see cref="KrakenSymbols.Alias"/>).
/// </para>
/// <para>
/// The parser also reads WebSocket API v1 frames (array frames <c>[channelID, data, channelName, pair]</c> and the
/// <c>heartbeat</c>/<c>systemStatus</c>/<c>subscriptionStatus</c> events), so captures recorded against v1 (such as
/// cryptofeed's 2021 samples) replay; live connections speak v2 only.
/// </para>
/// <para>
/// Spot only, last-price candles of 1m 5m 15m 30m 1h 4h 1d (v2 <c>interval</c> 1 … 1440 minutes): Kraken's
/// derivatives are on Kraken Futures, a separate API; the weekly (10080) and 15-day (21600) intervals are not
/// Coinlake timeframes aligned as Kraken aligns them.
/// </para>
/// </remarks>
public sealed class KrakenStreamProtocol : StreamProtocol
{
    /// <summary>The production endpoint ("Spot WebSocket API v2": public market data).</summary>
    public static readonly Uri ProductionEndpoint = new("wss://ws.kraken.com/v2");

    /// <summary>
    /// Subscriptions per connection. Kraken documents no per-connection cap for public channels; its WebSocket message
    /// rate limit is dynamic ("Spot Rate Limits": an <c>Exceeded msg rate</c> error when hit), so connections carry at most
    /// 50 subscriptions, keeping each subscribe burst small.
    /// </summary>
    public const int SubscriptionsPerConnection = 50;

    private static readonly Dictionary<Timeframe, int> IntervalMinutes = new()
    {
        [Timeframe.Parse("1m")] = 1,
        [Timeframe.Parse("5m")] = 5,
        [Timeframe.Parse("15m")] = 15,
        [Timeframe.Parse("30m")] = 30,
        [Timeframe.Parse("1h")] = 60,
        [Timeframe.Parse("4h")] = 240,
        [Timeframe.Parse("1d")] = 1440,
    };

    /// <summary>Creates the protocol of <c>kraken</c>.</summary>
    public KrakenStreamProtocol()
        : base(KrakenClient.KrakenId)
    {
    }

    /// <summary>The candle timeframes Kraken streams (<c>ohlc</c> intervals 1, 5, 15, 30, 60, 240, 1440 minutes).</summary>
    public static IReadOnlyList<Timeframe> Timeframes { get; } = [.. IntervalMinutes.Keys];

    /// <inheritdoc />
    public override int MaxSubscriptionsPerConnection => SubscriptionsPerConnection;

    /// <summary><c>{"method":"ping"}</c> every 20 s ("Ping": answered by <c>{"method":"pong",...}</c>); quiet
    /// connections also receive a <c>heartbeat</c> about every second.</summary>
    public override StreamKeepAlive? KeepAlive { get; } = new("{\"method\":\"ping\"}", TimeSpan.FromSeconds(20));

    /// <summary>Kraken's <c>ohlc</c> interval in minutes of <paramref name="timeframe"/>, or null when not streamed.</summary>
    public static int? IntervalOf(Timeframe timeframe) => IntervalMinutes.TryGetValue(timeframe, out var minutes) ? minutes : null;

    /// <inheritdoc />
    public override string? WhyUnsupported(StreamSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (subscription.MarketType != MarketType.Spot)
        {
            return $"Kraken's spot WebSocket API streams spot pairs only; {subscription.MarketType.ToName()} markets are on Kraken Futures (futures.kraken.com), a separate API Coinlake does not connect to.";
        }

        if (subscription.Channel != StreamChannel.Candles)
        {
            return null;
        }

        if (subscription.Price != PriceType.Last)
        {
            return $"Kraken streams last-price candles only (spot has no {subscription.Price.ToName()} price); use price: last.";
        }

        if (subscription.Timeframe is not { } tf)
        {
            return "a candle subscription needs a timeframe (Kraken ohlc: 1m 5m 15m 30m 1h 4h 1d).";
        }

        return IntervalMinutes.ContainsKey(tf) ? null
            : $"Kraken's ohlc channel has no {tf} candles (intervals 1m 5m 15m 30m 1h 4h 1d; \"Spot WebSocket API v2 / Candles (OHLC)\"); stream 1m or 1d and aggregate, or stream trades with a timeframe.";
    }

    /// <inheritdoc />
    public override ValueTask<Uri> GetEndpointAsync(IReadOnlyList<StreamSubscription> group, Uri? endpointOverride, CancellationToken cancellationToken) =>
        ValueTask.FromResult(WithOverride(ProductionEndpoint, endpointOverride));

    /// <summary>
    /// One <c>subscribe</c> request per channel (and per interval for <c>ohlc</c>) carrying every symbol of the group:
    /// <c>{"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USD"],"interval":1,"snapshot":true}}</c>
    /// ("Candles (OHLC)", "Trade", "Ticker"). Snapshots are asked for: the current candle, the last trades and the
    /// current ticker arrive at once (and after a reconnect).
    /// </summary>
    /// <exception cref="ArgumentException">A subscription is not streamed (see <see cref="WhyUnsupported"/>).</exception>
    public override IReadOnlyList<string> SubscribeMessages(IReadOnlyList<StreamSubscription> group, StreamSymbols symbols)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(symbols);
        var requests = new Dictionary<(string Channel, int Interval), List<string>>();
        var order = new List<(string Channel, int Interval)>();
        foreach (var subscription in group)
        {
            if (WhyUnsupported(subscription) is { } why)
            {
                throw new ArgumentException($"Cannot subscribe {subscription} on Kraken: {why}", nameof(group));
            }

            var key = subscription.Channel switch
            {
                StreamChannel.Candles => ("ohlc", IntervalMinutes[subscription.Timeframe!.Value]),
                StreamChannel.Trades => ("trade", 0),
                _ => ("ticker", 0),
            };
            if (!requests.TryGetValue(key, out var names))
            {
                requests[key] = names = [];
                order.Add(key);
            }

            var name = symbols.IdOf(subscription.Symbol, MarketType.Spot) ?? NameOf(subscription.Symbol);
            if (!names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }
        }

        var messages = new List<string>(order.Count);
        foreach (var key in order)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("method", "subscribe");
                json.WriteStartObject("params");
                json.WriteString("channel", key.Channel);
                json.WriteStartArray("symbol");
                foreach (var name in requests[key])
                {
                    json.WriteStringValue(name);
                }

                json.WriteEndArray();
                if (key.Channel == "ohlc")
                {
                    json.WriteNumber("interval", key.Interval);
                }

                json.WriteBoolean("snapshot", true);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            messages.Add(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }

        return messages;
    }

    /// <inheritdoc />
    public override StreamFrameParser CreateParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        return new KrakenStreamParser(symbols, group);
    }

    /// <summary>
    /// The symbol map of a stream: every market under its v2 name (<c>BTC/USD</c>, the unified symbol's text) and, when
    /// given, its v1 <c>wsname</c> (<c>XBT/USD</c>), with <see cref="SymbolOf"/> as the fallback for names neither holds.
    /// </summary>
    /// <param name="markets">Spot markets (<see cref="KrakenClient.GetMarketsAsync"/>).</param>
    /// <param name="wsnames">The v1 WebSocket name of a market's pair key, or null; null for none.</param>
    public static StreamSymbols CreateSymbols(IEnumerable<MarketInfo> markets, Func<MarketInfo, string?>? wsnames = null)
    {
        ArgumentNullException.ThrowIfNull(markets);
        var entries = new List<MarketInfo>();
        var v1 = new List<MarketInfo>();
        foreach (var market in markets)
        {
            entries.Add(market with { Id = NameOf(market.Symbol) });
            if (wsnames?.Invoke(market) is { } ws && !string.Equals(ws, NameOf(market.Symbol), StringComparison.OrdinalIgnoreCase))
            {
                v1.Add(market with { Id = ws });
            }
        }

        // v2 names first: IdOf (the name subscribed) answers the first entry of a symbol.
        entries.AddRange(v1);
        return new StreamSymbols(entries, static (id, type) => type == MarketType.Spot ? SymbolOf(id) : null);
    }

    /// <summary>The v2 name of a spot symbol: <c>BASE/QUOTE</c> in unified codes (<c>BTC/USD</c>).</summary>
    public static string NameOf(Symbol symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return symbol.Base + "/" + symbol.Quote;
    }

    /// <summary>
    /// Parses a WebSocket pair name, v2 (<c>BTC/USD</c>) or v1 (<c>XBT/USD</c>, <c>XDG/EUR</c>), into a unified spot
    /// symbol (<see cref="KrakenSymbols.Alias"/> on each side); null when it is not <c>BASE/QUOTE</c>.
    /// </summary>
    public static Symbol? SymbolOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == name.Length - 1 || name.IndexOf('/', slash + 1) >= 0)
        {
            return null;
        }

        return Symbol.TryParse(KrakenSymbols.Alias(name[..slash]) + "/" + KrakenSymbols.Alias(name[(slash + 1)..]), out var symbol) ? symbol : null;
    }

    /// <summary>The timeframe of an <c>ohlc</c> interval in minutes, or null when Coinlake does not stream it.</summary>
    internal static Timeframe? TimeframeOf(long minutes)
    {
        foreach (var (tf, m) in IntervalMinutes)
        {
            if (m == minutes)
            {
                return tf;
            }
        }

        return null;
    }
}
