using Microsoft.Extensions.Logging;

namespace Coinlake.Exchanges.Kraken;

/// <summary>Source-generated log messages of the Kraken connector.</summary>
internal static partial class KrakenLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
        Message = "{Exchange} request {Url} failed ({Reason}); retry {Attempt} of {MaxRetries} in {Delay}")]
    public static partial void Retrying(ILogger logger, string exchange, Uri url, string reason, int attempt, int maxRetries, TimeSpan delay);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning,
        Message = "{Exchange} rate-limited {Url} ({Answer}); pausing every request for {Wait}")]
    public static partial void RateLimited(ILogger logger, string exchange, Uri url, string answer, TimeSpan wait);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information,
        Message = "Requests to {Limiter} are paused after a rate-limit answer; waiting {Wait}")]
    public static partial void PausedWait(ILogger logger, string limiter, TimeSpan wait);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information,
        Message = "{Exchange} lists {Count} spot pairs")]
    public static partial void MarketsLoaded(ILogger logger, string exchange, int count);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Debug,
        Message = "{Exchange} {Url} -> {Count} candles, covered {Covered}")]
    public static partial void CandlePage(ILogger logger, string exchange, Uri url, int count, string covered);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Information,
        Message = "{Exchange} {Symbol} {Timeframe}: {Range} is older than the {Window} candles /0/public/OHLC serves; rebuilding it from trades")]
    public static partial void RebuildingFromTrades(ILogger logger, string exchange, string symbol, string timeframe, string range, int window);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Debug,
        Message = "{Exchange} {Url} -> {Count} trades, covered {Covered}")]
    public static partial void TradePage(ILogger logger, string exchange, Uri url, int count, string covered);
}
