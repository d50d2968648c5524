using System.Runtime.CompilerServices;
using Coinlake.Exchanges.Coinbase.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Streaming;
using Coinlake.Text;

namespace Coinlake.Exchanges.Coinbase;

/// <summary>Live trades and tickers over the Coinbase Exchange WebSocket feed (see <see cref="CoinbaseStreamProtocol"/>).</summary>
public sealed partial class CoinbaseClient : IStreamProtocolClient
{
    /// <inheritdoc />
    StreamProtocol IStreamProtocolClient.Protocol => StreamProtocol;

    /// <summary>The WebSocket protocol this client streams with.</summary>
    public static CoinbaseStreamProtocol StreamProtocol { get; } = new();

    /// <inheritdoc />
    /// <remarks>Spot trades and tickers; no candles (the Exchange feed has no candle channel), see <see cref="CoinbaseStreamProtocol.WhyUnsupported"/>.</remarks>
    public string? WhyUnsupported(StreamSubscription subscription) => StreamProtocol.WhyUnsupported(subscription);

    /// <summary>The symbol map of a stream: the products of <c>GET /products</c> (loaded once per client), see <see cref="CoinbaseStreamProtocol.CreateSymbols"/>.</summary>
    /// <exception cref="ExchangeException">The product list could not be loaded.</exception>
    public async Task<StreamSymbols> GetStreamSymbolsAsync(CancellationToken cancellationToken = default) =>
        CoinbaseStreamProtocol.CreateSymbols((await GetTableAsync(cancellationToken).ConfigureAwait(false)).All);


    /// <inheritdoc />
    /// <remarks>
    /// Validates every subscription first (<see cref="WhyUnsupported"/>, then the symbol against the product list), then
    /// runs the connections of <see cref="StreamProtocol"/>: up to <see cref="CoinbaseStreamProtocol.SubscriptionsPerConnection"/>
    /// subscriptions each, one subscribe message (matches, ticker, heartbeat) per connection.
    /// </remarks>
    /// <exception cref="ArgumentException">No subscriptions.</exception>
    public async IAsyncEnumerable<MarketEvent> StreamAsync(IReadOnlyList<StreamSubscription> subscriptions, StreamOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        ArgumentNullException.ThrowIfNull(options);
        var symbols = await PrepareStreamAsync(subscriptions, cancellationToken).ConfigureAwait(false);
        var streamer = new WebSocketStreamer(StreamProtocol, symbols, _time, _logger);
        await foreach (var item in streamer.RunAsync(subscriptions, options with { Endpoint = StreamEndpointOverride(options.Endpoint) }, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <summary>Checks the subscriptions and builds their symbol map.</summary>
    /// <exception cref="ArgumentException">No subscriptions.</exception>
    /// <exception cref="NotSupportedException">A subscription is not streamed; the message says why and what to use.</exception>
    /// <exception cref="UnknownSymbolException">A symbol is not a Coinbase product; the closest are named.</exception>
    internal async Task<StreamSymbols> PrepareStreamAsync(IReadOnlyList<StreamSubscription> subscriptions, CancellationToken cancellationToken)
    {
        if (subscriptions.Count == 0)
        {
            throw new ArgumentException("Nothing to stream: give at least one subscription (symbol, market type, channel).", nameof(subscriptions));
        }

        foreach (var subscription in subscriptions)
        {
            ArgumentNullException.ThrowIfNull(subscription, nameof(subscriptions));
            if (WhyUnsupported(subscription) is { } why)
            {
                throw new NotSupportedException($"{Exchange} cannot stream {subscription}: {why}");
            }
        }

        var table = await GetTableAsync(cancellationToken).ConfigureAwait(false);
        foreach (var subscription in subscriptions)
        {
            if (!table.TryGet(subscription.Symbol, out _))
            {
                throw new UnknownSymbolException(Exchange, subscription.Symbol.ToString(),
                    Fuzzy.Closest(subscription.Symbol.ToString(), table.All.Select(m => m.Symbol.ToString())));
            }
        }

        return CoinbaseStreamProtocol.CreateSymbols(table.All);
    }

    /// <summary>
    /// The WebSocket endpoint to use: <paramref name="endpointOverride"/> when set, else — when the REST base URL was
    /// overridden (mirrors, fake servers) — that host with the ws/wss scheme, else null (the production endpoint).
    /// </summary>
    internal Uri? StreamEndpointOverride(Uri? endpointOverride) => endpointOverride ?? StreamClients.RestHostEndpoint(_options.BaseUrl, CoinbaseOptions.DefaultBaseUrl.Host);
}
