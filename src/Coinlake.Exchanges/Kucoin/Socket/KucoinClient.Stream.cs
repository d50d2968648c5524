using System.Runtime.CompilerServices;
using Coinlake.Exchanges.Kucoin.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;

namespace Coinlake.Exchanges.Kucoin;

/// <summary>The live part of the KuCoin connector: spot public WebSocket topics (see <see cref="KucoinStreamProtocol"/>).</summary>
public sealed partial class KucoinClient : IStreamProtocolClient
{
    private KucoinStreamProtocol? _streamProtocol;

    /// <inheritdoc />
    StreamProtocol IStreamProtocolClient.Protocol => StreamProtocol;

    /// <summary>The symbol map of KuCoin's spot markets ("Get All Symbols"), ids the list lacks parsed by shape.</summary>
    /// <exception cref="ExchangeException">The market list could not be loaded.</exception>
    public async Task<StreamSymbols> GetStreamSymbolsAsync(CancellationToken cancellationToken = default) =>
        new(await GetMarketsAsync(MarketType.Spot, cancellationToken).ConfigureAwait(false), KucoinStreamProtocol.ParseId);

    /// <summary>The client's stream protocol: tokens come from <c>POST {BaseUrl}/api/v1/bullet-public</c> over the client's HTTP client.</summary>
    internal KucoinStreamProtocol StreamProtocol =>
        _streamProtocol ??= new KucoinStreamProtocol(ct => KucoinBullet.RequestAsync(_http, _options.BaseUrl, _options.RequestTimeout, Exchange, ct));

    /// <inheritdoc/>
    /// <remarks>Delegates to <see cref="KucoinStreamProtocol.WhyUnsupported"/>: spot last-price candles (not 1s, 3d, 1w), trades and tickers.</remarks>
    public string? WhyUnsupported(StreamSubscription subscription) => StreamProtocol.WhyUnsupported(subscription);

    /// <inheritdoc/>
    /// <remarks>
    /// Symbols are validated against "Get All Symbols" first (the client's market cache). Each connection asks
    /// <c>POST /api/v1/bullet-public</c> on <see cref="KucoinOptions.BaseUrl"/> for a token and server, then subscribes.
    /// Endpoint: the server KuCoin names, its scheme, host and port replaced by <see cref="StreamOptions.Endpoint"/> when
    /// set, else by the REST base-URL override's host when <see cref="KucoinOptions.BaseUrl"/> is not the production one.
    /// KuCoin marks no candle closed: candle events have <see cref="CandleEvent.IsClosed"/> false.
    /// </remarks>
    /// <exception cref="UnknownSymbolException">A symbol is not listed; the message names the closest listed symbols.</exception>
    /// <exception cref="NotSupportedException">KuCoin does not stream a subscription (see <see cref="WhyUnsupported"/>).</exception>
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

        foreach (var subscription in subscriptions)
        {
            _ = await GetMarketAsync(subscription.Symbol, subscription.MarketType, cancellationToken).ConfigureAwait(false);
        }

        var symbols = new StreamSymbols(await GetMarketsAsync(MarketType.Spot, cancellationToken).ConfigureAwait(false), KucoinStreamProtocol.ParseId);
        var streamer = new WebSocketStreamer(StreamProtocol, symbols, _time, _logger);
        await foreach (var item in streamer.RunAsync(subscriptions, StreamClients.WithRestHost(options, _options.BaseUrl, KucoinStreamProtocol.ProductionBaseUrl.Host), cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

}
