using Microsoft.Extensions.Logging;

namespace Coinlake.Exchanges.Coinbase;

/// <summary>Source-generated log messages of the Coinbase connector.</summary>
internal static partial class CoinbaseLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning,
        Message = "{Exchange} request {Url} failed ({Reason}); retry {Attempt} of {MaxRetries} in {Delay}")]
    public static partial void Retrying(ILogger logger, string exchange, Uri url, string reason, int attempt, int maxRetries, TimeSpan delay);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning,
        Message = "{Exchange} rate-limited {Url} (HTTP 429: {Message}); pausing requests for {Wait}")]
    public static partial void RateLimited(ILogger logger, string exchange, Uri url, string? message, TimeSpan wait);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information,
        Message = "{Exchange} lists {Count} products ({Active} online)")]
    public static partial void MarketsLoaded(ILogger logger, string exchange, int count, int active);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Debug,
        Message = "{Exchange} {Url} -> {Count} candles, covered {Covered}")]
    public static partial void CandlePage(ILogger logger, string exchange, Uri url, int count, string covered);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Debug,
        Message = "{Exchange} {Url} -> {Count} trades, covered {Covered}")]
    public static partial void TradePage(ILogger logger, string exchange, Uri url, int count, string covered);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Debug,
        Message = "{Exchange} {Product}: the first trade at or after {Start} has id {TradeId} or more ({Probes} probes)")]
    public static partial void TradeCursorFound(ILogger logger, string exchange, string product, string start, long tradeId, int probes);
}
