using Microsoft.Extensions.Logging;

namespace Coinlake.Exchanges.Okx;

/// <summary>Source-generated log messages of the OKX connector.</summary>
internal static partial class OkxLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "{Exchange} request {Url} failed ({Reason}); retry {Attempt} of {MaxRetries} in {Delay}")]
    public static partial void Retrying(ILogger logger, string exchange, Uri url, string reason, int attempt, int maxRetries, TimeSpan delay);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "{Exchange} rate-limited {Url} (HTTP {Status}, code {Code}); waiting {RetryAfter}")]
    public static partial void RateLimited(ILogger logger, string exchange, Uri url, int status, string? code, TimeSpan retryAfter);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information,
        Message = "{Exchange} lists {Count} {InstType} instruments")]
    public static partial void MarketsLoaded(ILogger logger, string exchange, int count, string instType);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug,
        Message = "{Exchange} {Url} -> {Count} candles, covered {Covered}")]
    public static partial void CandlePage(ILogger logger, string exchange, Uri url, int count, string covered);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug,
        Message = "{Exchange} {Url} -> {Count} trades, covered {Covered}")]
    public static partial void TradePage(ILogger logger, string exchange, Uri url, int count, string covered);
}
