using System.Runtime.CompilerServices;
using Coinlake.Exchanges.Okx.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;

namespace Coinlake.Exchanges.Okx;

/// <summary>The live part of the OKX connector: API v5 public WebSocket channels (see <see cref="OkxStreamProtocol"/>).</summary>
public sealed partial class OkxClient : IStreamProtocolClient
{
    private static readonly Uri _productionBaseUrl = new OkxOptions().BaseUrl;
    private readonly OkxStreamProtocol _streamProtocol = new();

    /// <inheritdoc />
    StreamProtocol IStreamProtocolClient.Protocol => _streamProtocol;

    /// <summary>The symbol map of every OKX market type whose instrument list loads (a replay may hold only some), ids the
    /// lists lack parsed by shape (<see cref="OkxStreamProtocol.ParseId"/>).</summary>
    /// <exception cref="ExchangeException">No instrument list could be loaded.</exception>
    public async Task<StreamSymbols> GetStreamSymbolsAsync(CancellationToken cancellationToken = default)
    {
        return await StreamClients.AllSymbolsAsync(this, OkxStreamProtocol.ParseId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Delegates to <see cref="OkxStreamProtocol.WhyUnsupported"/>.</remarks>
    public string? WhyUnsupported(StreamSubscription subscription) => _streamProtocol.WhyUnsupported(subscription);

    /// <inheritdoc/>
    /// <remarks>
    /// Symbols are validated against "Get instruments" first (the client's market cache). Candles and trades
    /// (<c>trades-all</c>) run on <c>/ws/v5/business</c> connections, tickers on <c>/ws/v5/public</c> ones, up to
    /// <see cref="OkxStreamProtocol.SubscriptionsPerConnection"/> subscriptions each. Endpoint:
    /// <see cref="StreamOptions.Endpoint"/> when set, else the REST base-URL override's host when
    /// <see cref="OkxOptions.BaseUrl"/> is not the production one (same host, ws/wss), else
    /// <c>wss://ws.okx.com:8443</c>.
    /// </remarks>
    /// <exception cref="UnknownSymbolException">A symbol is not listed for its market type; the message names the closest listed symbols.</exception>
    /// <exception cref="NotSupportedException">OKX does not stream a subscription (see <see cref="WhyUnsupported"/>).</exception>
    public async IAsyncEnumerable<MarketEvent> StreamAsync(IReadOnlyList<StreamSubscription> subscriptions, StreamOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var subscription in subscriptions)
        {
            if (WhyUnsupported(subscription) is { } why)
            {
                throw new NotSupportedException($"{Exchange}: cannot stream {subscription}: {why}");
            }
        }

        var symbols = await StreamSymbolsAsync(subscriptions, cancellationToken).ConfigureAwait(false);
        var streamer = new WebSocketStreamer(_streamProtocol, symbols, _time, _logger);
        await foreach (var item in streamer.RunAsync(subscriptions, StreamClients.WithRestHost(options, _options.BaseUrl, _productionBaseUrl.Host), cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }


    /// <summary>Validates the subscriptions' symbols and maps every listed market of their types (ids the list lacks are parsed by shape).</summary>
    /// <exception cref="UnknownSymbolException">A symbol is not listed.</exception>
    internal async Task<StreamSymbols> StreamSymbolsAsync(IReadOnlyList<StreamSubscription> subscriptions, CancellationToken cancellationToken)
    {
        var markets = new List<MarketInfo>();
        foreach (var type in subscriptions.Select(s => s.MarketType).Distinct())
        {
            markets.AddRange(await GetMarketsAsync(type, cancellationToken).ConfigureAwait(false));
        }

        foreach (var subscription in subscriptions)
        {
            _ = await GetOkxMarketAsync(subscription.Symbol, subscription.MarketType, cancellationToken).ConfigureAwait(false);
        }

        return new StreamSymbols(markets, OkxStreamProtocol.ParseId);
    }
}
