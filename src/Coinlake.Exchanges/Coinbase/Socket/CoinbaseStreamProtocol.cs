using System.Text;
using System.Text.Json;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;

namespace Coinlake.Exchanges.Coinbase.Socket;

/// <summary>
/// The Coinbase Exchange WebSocket feed (docs.cdp.coinbase.com/exchange, "WebSocket Feed": <c>wss://ws-feed.exchange.coinbase.com</c>;
/// it was <c>ws-feed.pro.coinbase.com</c> until 2022): channels <c>matches</c> (trades) and <c>ticker</c>, plus
/// <c>heartbeat</c> for every product of a connection, which keeps quiet connections alive ("Exchange WebSocket Channels /
/// Heartbeat Channel": one message per product per second). Subscribed with one
/// <c>{"type":"subscribe","channels":[{"name":...,"product_ids":[...]}]}</c> ("Subscribe").
/// </summary>
/// <remarks>
/// The Exchange feed has no candle channel: <see cref="WhyUnsupported"/> says to stream trades with a timeframe (candles
/// built from trades) or to backfill candles over REST. Spot only; products are Coinbase ids (<c>BTC-USD</c>), mapped
/// through the product list with <see cref="SymbolOf"/> as the fallback.
/// </remarks>
public sealed class CoinbaseStreamProtocol : StreamProtocol
{
    /// <summary>The production endpoint ("WebSocket Feed / Overview").</summary>
    public static readonly Uri ProductionEndpoint = new("wss://ws-feed.exchange.coinbase.com");

    /// <summary>
    /// Subscriptions per connection. Coinbase documents no per-connection product cap; it limits connection requests
    /// (8 per second per IP, bursts of 20), client messages (100 per second per IP) and duplicate subscriptions (10 per
    /// product and channel) ("WebSocket Rate Limits"). 50 keeps one subscribe message and its burst of snapshots small.
    /// </summary>
    public const int SubscriptionsPerConnection = 50;

    /// <summary>Creates the protocol of <c>coinbase</c>.</summary>
    public CoinbaseStreamProtocol()
        : base(CoinbaseClient.CoinbaseId)
    {
    }

    /// <inheritdoc />
    public override int MaxSubscriptionsPerConnection => SubscriptionsPerConnection;

    /// <summary>None: the feed has no application ping; the <c>heartbeat</c> channel subscribed with every connection makes
    /// a live connection receive a frame every second.</summary>
    public override StreamKeepAlive? KeepAlive => null;

    /// <inheritdoc />
    public override string? WhyUnsupported(StreamSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (subscription.MarketType != MarketType.Spot)
        {
            return $"Coinbase Exchange lists spot products only; it has no {subscription.MarketType.ToName()} markets.";
        }

        return subscription.Channel == StreamChannel.Candles
            ? "the Coinbase Exchange WebSocket feed has no candle channel (\"Exchange WebSocket Channels\": heartbeat, status, ticker, level2, matches, full); stream trades with a timeframe (stream: trades, candles built from the trades) or backfill the candles over REST."
            : null;
    }

    /// <inheritdoc />
    public override ValueTask<Uri> GetEndpointAsync(IReadOnlyList<StreamSubscription> group, Uri? endpointOverride, CancellationToken cancellationToken) =>
        ValueTask.FromResult(WithOverride(ProductionEndpoint, endpointOverride));

    /// <summary>
    /// One subscribe message for the group: <c>{"type":"subscribe","channels":[{"name":"matches","product_ids":[...]},
    /// {"name":"ticker","product_ids":[...]},{"name":"heartbeat","product_ids":[every product]}]}</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A subscription is not streamed (see <see cref="WhyUnsupported"/>).</exception>
    public override IReadOnlyList<string> SubscribeMessages(IReadOnlyList<StreamSubscription> group, StreamSymbols symbols)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(symbols);
        var matches = new List<string>();
        var tickers = new List<string>();
        var all = new List<string>();
        foreach (var subscription in group)
        {
            if (WhyUnsupported(subscription) is { } why)
            {
                throw new ArgumentException($"Cannot subscribe {subscription} on Coinbase: {why}", nameof(group));
            }

            var id = symbols.IdOf(subscription.Symbol, MarketType.Spot) ?? IdOf(subscription.Symbol);
            AddOnce(subscription.Channel == StreamChannel.Trades ? matches : tickers, id);
            AddOnce(all, id);
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "subscribe");
            json.WriteStartArray("channels");
            WriteChannel(json, "matches", matches);
            WriteChannel(json, "ticker", tickers);
            WriteChannel(json, "heartbeat", all);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return [Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)];
    }

    /// <inheritdoc />
    public override StreamFrameParser CreateParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        return new CoinbaseStreamParser(symbols, group);
    }

    /// <summary>The symbol map of a stream: products by id (<c>BTC-USD</c>), <see cref="SymbolOf"/> for ids the list does not hold.</summary>
    /// <param name="markets">Spot products (<see cref="CoinbaseClient.GetMarketsAsync"/>).</param>
    public static StreamSymbols CreateSymbols(IEnumerable<MarketInfo> markets)
    {
        ArgumentNullException.ThrowIfNull(markets);
        return new StreamSymbols(markets, static (id, type) => type == MarketType.Spot ? SymbolOf(id) : null);
    }

    /// <summary>The product id of a spot symbol when the product list does not say: <c>BASE-QUOTE</c>.</summary>
    public static string IdOf(Symbol symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return symbol.Base + "-" + symbol.Quote;
    }

    /// <summary>Parses a product id <c>BASE-QUOTE</c> (<c>BTC-USD</c>) into a unified spot symbol; null when it is not one.</summary>
    public static Symbol? SymbolOf(string productId)
    {
        ArgumentNullException.ThrowIfNull(productId);
        var dash = productId.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || dash == productId.Length - 1 || productId.IndexOf('-', dash + 1) >= 0)
        {
            return null;
        }

        return Symbol.TryParse(productId[..dash].ToUpperInvariant() + "/" + productId[(dash + 1)..].ToUpperInvariant(), out var symbol) ? symbol : null;
    }

    private static void AddOnce(List<string> list, string id)
    {
        if (!list.Contains(id, StringComparer.Ordinal))
        {
            list.Add(id);
        }
    }

    private static void WriteChannel(Utf8JsonWriter json, string name, List<string> productIds)
    {
        if (productIds.Count == 0)
        {
            return;
        }

        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteStartArray("product_ids");
        foreach (var id in productIds)
        {
            json.WriteStringValue(id);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
