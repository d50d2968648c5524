using Microsoft.Extensions.Logging;

namespace Coinlake.Exchanges.Bybit;

/// <summary>Source-generated log messages of the Bybit connector.</summary>
internal static partial class BybitLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "{Exchange} request {Url} failed ({Reason}); retry {Attempt} of {MaxRetries} in {Delay}")]
    public static partial void Retrying(ILogger logger, string exchange, Uri url, string reason, int attempt, int maxRetries, TimeSpan delay);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "{Exchange} rate-limited {Url} (HTTP {Status}, retCode {RetCode}); waiting {RetryAfter}")]
    public static partial void RateLimited(ILogger logger, string exchange, Uri url, int status, string? retCode, TimeSpan? retryAfter);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error,
        Message = "{Exchange} answered HTTP 403 at {Url} (IP request limit broken, or a blocked region); pausing every request for {Wait}")]
    public static partial void IpBlocked(ILogger logger, string exchange, Uri url, TimeSpan wait);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information,
        Message = "{Exchange} lists {Count} {Category} instruments ({Pages} pages)")]
    public static partial void MarketsLoaded(ILogger logger, string exchange, int count, string category, int pages);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug,
        Message = "{Exchange} {Url} -> {Count} candles")]
    public static partial void KlinePage(ILogger logger, string exchange, Uri url, int count);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug,
        Message = "{Exchange} window {Window}: {Count} candles in {Requests} requests, covered {Covered}")]
    public static partial void Window(ILogger logger, string exchange, string window, int count, int requests, string covered);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information,
        Message = "Request limit of {Limiter} reached ({Permits} per {Window}); waiting for a permit")]
    public static partial void PermitWait(ILogger logger, string limiter, int permits, TimeSpan window);
}
