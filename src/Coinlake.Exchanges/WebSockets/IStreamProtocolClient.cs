namespace Coinlake.Exchanges.WebSockets;

/// <summary>
/// A connector that streams through a <see cref="StreamProtocol"/>; exposes the protocol and the symbol map so a capture
/// of its traffic replays through the very same parsers (<see cref="CaptureReplayClient"/>, <c>coinlake replay</c>).
/// </summary>
public interface IStreamProtocolClient : IMarketStreamClient
{
    /// <summary>The exchange's WebSocket protocol.</summary>
    StreamProtocol Protocol { get; }

    /// <summary>The exchange's markets as a <see cref="StreamSymbols"/> map (loaded once per client through its REST API).</summary>
    /// <exception cref="ExchangeException">The market list could not be loaded.</exception>
    Task<StreamSymbols> GetStreamSymbolsAsync(CancellationToken cancellationToken = default);
}
