using Microsoft.Extensions.Logging;

namespace Coinlake.Exchanges.Binance;

/// <summary>Source-generated log messages of the Binance connector.</summary>
internal static partial class BinanceLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning,
        Message = "{Exchange} request {Url} failed ({Reason}); retry {Attempt} of {MaxRetries} in {Delay}")]
    public static partial void Retrying(ILogger logger, string exchange, Uri url, string reason, int attempt, int maxRetries, TimeSpan delay);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "{Exchange} rate-limited {Url} (HTTP 429); waiting {RetryAfter} as asked (used weight {UsedWeight})")]
    public static partial void RateLimited(ILogger logger, string exchange, Uri url, TimeSpan? retryAfter, int? usedWeight);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error,
        Message = "{Exchange} banned this IP (HTTP 418) at {Url}; pausing every request to the host for {RetryAfter}")]
    public static partial void Banned(ILogger logger, string exchange, Uri url, TimeSpan? retryAfter);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information,
        Message = "{Exchange} lists {Count} {Api} markets (request weight limit {WeightLimit} per minute)")]
    public static partial void MarketsLoaded(ILogger logger, string exchange, int count, string api, int? weightLimit);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug,
        Message = "{Exchange} {Url} -> {Count} candles, covered {Covered}")]
    public static partial void Page(ILogger logger, string exchange, Uri url, int count, string covered);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Debug,
        Message = "{Exchange} {Url} -> {Count} trades, covered {Covered}")]
    public static partial void TradePage(ILogger logger, string exchange, Uri url, int count, string covered);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug,
        Message = "{Exchange} {Url} -> {Count} tickers")]
    public static partial void Tickers(ILogger logger, string exchange, Uri url, int count);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Debug,
        Message = "{Exchange} skipped {Skipped} {MarketType} tickers of ids exchangeInfo does not list for that type")]
    public static partial void TickersSkipped(ILogger logger, string exchange, int skipped, string marketType);
}
