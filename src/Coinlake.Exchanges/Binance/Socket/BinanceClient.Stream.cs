using System.Runtime.CompilerServices;
using Coinlake.Exchanges.Binance.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;

namespace Coinlake.Exchanges.Binance;

public sealed partial class BinanceClient : IStreamProtocolClient
{
    /// <inheritdoc />
    StreamProtocol IStreamProtocolClient.Protocol => StreamingProtocol;

    /// <summary>
    /// The symbol map of every market type this client serves whose market list loads (a replay may hold only the spot
    /// list), with the venue's id parser as fallback.
    /// </summary>
    /// <exception cref="ExchangeException">No market list could be loaded.</exception>
    public async Task<StreamSymbols> GetStreamSymbolsAsync(CancellationToken cancellationToken = default)
    {
        return await StreamClients.AllSymbolsAsync(this, BinanceStreamProtocol.ParseId, cancellationToken).ConfigureAwait(false);
    }

    private BinanceStreamProtocol? _streamProtocol;

    /// <summary>The WebSocket protocol of this exchange id (endpoints, limits, parsers); see <see cref="BinanceStreamProtocol"/>.</summary>
    public BinanceStreamProtocol StreamingProtocol => _streamProtocol ??= new BinanceStreamProtocol(Exchange);

    /// <inheritdoc />
    /// <remarks>Delegates to <see cref="BinanceStreamProtocol.WhyUnsupported"/>: spot streams last-price klines of every
    /// interval, USDⓈ-M last-price klines from 1m (no mark/index kline streams), and every market streams aggregate trades and 24 h tickers.</remarks>
    public string? WhyUnsupported(StreamSubscription subscription) => StreamingProtocol.WhyUnsupported(subscription);

    /// <inheritdoc />
    /// <remarks>
    /// <para>
    /// Symbols are checked against <c>exchangeInfo</c> (the REST market cache) first; the symbol map of the stream is
    /// built from the same market lists (spot, or USDⓈ-M swaps and futures), with
    /// <see cref="BinanceStreamProtocol.ParseId"/> as the fallback. Connections are run by <see cref="WebSocketStreamer"/>
    /// with <see cref="BinanceStreamProtocol"/> (see there for endpoints, limits and the keep-alive).
    /// </para>
    /// <para>
    /// Endpoint: <see cref="StreamOptions.Endpoint"/> when set; else, when the REST base URL was overridden (a mirror or a
    /// fake server), the same host with the ws/wss scheme; else Binance's production stream hosts.
    /// </para>
    /// </remarks>
    /// <exception cref="UnknownSymbolException">A symbol is not listed (the message names the closest ones).</exception>
    /// <exception cref="NotSupportedException">A subscription is not streamed (see <see cref="WhyUnsupported"/>).</exception>
    /// <exception cref="ArgumentException">No subscriptions.</exception>
    public async IAsyncEnumerable<MarketEvent> StreamAsync(IReadOnlyList<StreamSubscription> subscriptions, StreamOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        StreamClients.Validate(Exchange, subscriptions, WhyUnsupported);
        var symbols = await StreamClients.SymbolsForAsync(this, subscriptions, BinanceStreamProtocol.ParseId, cancellationToken).ConfigureAwait(false);
        options = options with { Endpoint = options.Endpoint ?? StreamEndpointOverride() };
        var streamer = new WebSocketStreamer(StreamingProtocol, symbols, _time, _logger);
        await foreach (var item in streamer.RunAsync(subscriptions, options, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <summary>The REST base URL when it was overridden (not a Binance production host), to derive the stream host from; else null.</summary>
    internal Uri? StreamEndpointOverride() =>
        StreamClients.RestHostEndpoint(_spot is not null ? _options.SpotBaseUrl : _options.FuturesBaseUrl, "api.binance.com", "api.binance.us", "fapi.binance.com");
}
