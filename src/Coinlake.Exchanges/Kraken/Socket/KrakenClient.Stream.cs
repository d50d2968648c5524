using System.Runtime.CompilerServices;
using Coinlake.Exchanges.Kraken.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Text;

namespace Coinlake.Exchanges.Kraken;

/// <summary>Live market data over Kraken's spot WebSocket API v2 (see <see cref="KrakenStreamProtocol"/>).</summary>
public sealed partial class KrakenClient : IStreamProtocolClient
{
    /// <inheritdoc />
    StreamProtocol IStreamProtocolClient.Protocol => StreamProtocol;

    private static readonly Uri DefaultBaseUrl = new KrakenOptions().BaseUrl;

    /// <summary>The WebSocket protocol this client streams with.</summary>
    public static KrakenStreamProtocol StreamProtocol { get; } = new();

    /// <inheritdoc />
    /// <remarks>Spot trades and tickers; spot last-price candles of 1m 5m 15m 30m 1h 4h 1d (see <see cref="KrakenStreamProtocol.WhyUnsupported"/>).</remarks>
    public string? WhyUnsupported(StreamSubscription subscription) => StreamProtocol.WhyUnsupported(subscription);

    /// <summary>
    /// The symbol map of a stream: the spot pairs of <c>/0/public/AssetPairs</c> (loaded once per client) under their v2
    /// names (<c>BTC/USD</c>) and v1 <c>wsname</c>s (<c>XBT/USD</c>), see <see cref="KrakenStreamProtocol.CreateSymbols"/>.
    /// </summary>
    /// <exception cref="ExchangeException">The market list could not be loaded.</exception>
    public async Task<StreamSymbols> GetStreamSymbolsAsync(CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(cancellationToken).ConfigureAwait(false);
        return KrakenStreamProtocol.CreateSymbols(table.Markets, m => table.TryGetByName(m.Id, out var pair) ? pair.Wsname : null);
    }


    /// <inheritdoc />
    /// <remarks>
    /// Validates every subscription first (<see cref="WhyUnsupported"/>, then the symbol against the AssetPairs list),
    /// then runs the connections of <see cref="StreamProtocol"/>: up to
    /// <see cref="KrakenStreamProtocol.SubscriptionsPerConnection"/> subscriptions each, one <c>subscribe</c> per channel.
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
    /// <exception cref="UnknownSymbolException">A symbol is not a Kraken spot pair; the closest are named.</exception>
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
                    Fuzzy.Closest(subscription.Symbol.ToString(), table.Markets.Select(m => m.Symbol.ToString())));
            }
        }

        return KrakenStreamProtocol.CreateSymbols(table.Markets, m => table.TryGetByName(m.Id, out var pair) ? pair.Wsname : null);
    }

    /// <summary>
    /// The WebSocket endpoint to use: <paramref name="endpointOverride"/> when set, else — when the REST base URL was
    /// overridden (mirrors, fake servers) — that host with the ws/wss scheme, else null (the production endpoint).
    /// </summary>
    internal Uri? StreamEndpointOverride(Uri? endpointOverride) => endpointOverride ?? StreamClients.RestHostEndpoint(_options.BaseUrl, DefaultBaseUrl.Host);
}
