using System.Runtime.CompilerServices;
using Coinlake.Exchanges.Bybit.Socket;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;

namespace Coinlake.Exchanges.Bybit;

public sealed partial class BybitClient : IStreamProtocolClient
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
        return await StreamClients.AllSymbolsAsync(this, BybitStreamProtocol.ParseId, cancellationToken).ConfigureAwait(false);
    }

    private static readonly BybitStreamProtocol SharedStreamProtocol = new();

    /// <summary>The WebSocket protocol of Bybit (endpoints, limits, parsers); see <see cref="BybitStreamProtocol"/>.</summary>
    public BybitStreamProtocol StreamingProtocol => SharedStreamProtocol;

    /// <inheritdoc />
    /// <remarks>Delegates to <see cref="BybitStreamProtocol.WhyUnsupported"/>: last-price klines of Bybit's intervals,
    /// public trades and tickers of every spot, linear and inverse market; no mark/index kline streams.</remarks>
    public string? WhyUnsupported(StreamSubscription subscription) => SharedStreamProtocol.WhyUnsupported(subscription);

    /// <inheritdoc />
    /// <remarks>
    /// <para>
    /// Symbols are checked against "Get Instruments Info" (the REST market cache) first; the stream's symbol map is built
    /// from the same lists (spot, or linear and inverse swaps and futures) with <see cref="BybitStreamProtocol.ParseId"/>
    /// as the fallback. Connections run on <see cref="WebSocketStreamer"/> with <see cref="BybitStreamProtocol"/>: one
    /// endpoint per category, 10 topics per subscribe request, <c>{"op":"ping"}</c> every 20 s.
    /// </para>
    /// <para>
    /// Endpoint: <see cref="StreamOptions.Endpoint"/> when set; else, when the REST base URL was overridden (testnet,
    /// mirror, fake server), that host with the ws/wss scheme; else <c>wss://stream.bybit.com</c>.
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
        var symbols = await StreamClients.SymbolsForAsync(this, subscriptions, BybitStreamProtocol.ParseId, cancellationToken).ConfigureAwait(false);
        options = options with { Endpoint = options.Endpoint ?? StreamEndpointOverride() };
        var streamer = new WebSocketStreamer(SharedStreamProtocol, symbols, _time, _logger);
        await foreach (var item in streamer.RunAsync(subscriptions, options, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <summary>The REST base URL when it is not Bybit's production host (testnet, mirror, fake), to derive the stream host from; else null.</summary>
    internal Uri? StreamEndpointOverride() => StreamClients.RestHostEndpoint(_options.BaseUrl, "api.bybit.com");
}
