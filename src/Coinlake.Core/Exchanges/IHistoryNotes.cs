using Coinlake.Markets;

namespace Coinlake.Exchanges;

/// <summary>
/// Implemented by connectors whose candle history has a limitation users must know about (e.g. Kraken serves only
/// the last 720 candles, so deeper history is rebuilt from trades); the run report prints the note.
/// </summary>
public interface IHistoryNotes
{
    /// <summary>The note for <paramref name="type"/> markets, or null when nothing applies.</summary>
    string? HistoryNote(MarketType type);
}
