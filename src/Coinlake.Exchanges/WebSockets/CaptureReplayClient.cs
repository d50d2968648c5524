using System.Runtime.CompilerServices;
using Coinlake.Streaming;

namespace Coinlake.Exchanges.WebSockets;

/// <summary>
/// An <see cref="IMarketStreamClient"/> that plays capture files instead of opening connections: the events of every
/// received frame, through the exchange's own parsers, at full speed, then the stream ends. The pipeline stores them with
/// the same writer as a live stream (<c>coinlake replay</c>). Subscriptions are read off the frames, so
/// <see cref="StreamAsync"/> yields everything the capture holds whatever it is asked for.
/// </summary>
public sealed class CaptureReplayClient : IMarketStreamClient
{
    private readonly IReadOnlyList<string> _paths;
    private readonly StreamProtocol _protocol;
    private readonly StreamSymbols _symbols;

    /// <summary>Creates the client.</summary>
    /// <param name="paths">Capture files, played in order.</param>
    /// <param name="protocol">The exchange's protocol (its parsers read the frames).</param>
    /// <param name="symbols">Resolves the exchange's ids (see <see cref="CaptureHttpHandler"/> for a recorded market list).</param>
    public CaptureReplayClient(IReadOnlyList<string> paths, StreamProtocol protocol, StreamSymbols symbols)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(symbols);
        _paths = paths;
        _protocol = protocol;
        _symbols = symbols;
    }

    /// <inheritdoc />
    public string Exchange => _protocol.Exchange;

    /// <inheritdoc />
    public RequestStats Stats { get; } = new();

    /// <summary>Frames, data frames, malformed frames, connections and events played so far.</summary>
    public ReplayStats Replay { get; } = new();

    /// <inheritdoc />
    public string? WhyUnsupported(StreamSubscription subscription) => null;

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">A capture file does not exist.</exception>
    /// <exception cref="FormatException">A line is not in the capture format.</exception>
    public async IAsyncEnumerable<MarketEvent> StreamAsync(IReadOnlyList<StreamSubscription> subscriptions, StreamOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var path in _paths)
        {
            await foreach (var item in CaptureReplay.ReplayAsync(path, _protocol, _symbols, Replay, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
    }
}
