using Microsoft.Extensions.Logging;

namespace Coinlake.Exchanges.Kucoin;

/// <summary>Source-generated log messages of the KuCoin connector.</summary>
internal static partial class KucoinLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning,
        Message = "{Exchange} request {Url} failed ({Reason}); retry {Attempt} of {MaxRetries} in {Delay}")]
    public static partial void Retrying(ILogger logger, string exchange, Uri url, string reason, int attempt, int maxRetries, TimeSpan delay);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning,
        Message = "{Exchange} rate-limited {Url} (HTTP {Status}, code 429000); waiting {Reset} for the resource pool to reset (remaining {Remaining})")]
    public static partial void RateLimited(ILogger logger, string exchange, Uri url, int status, TimeSpan? reset, int? remaining);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information,
        Message = "{Exchange} lists {Count} spot markets")]
    public static partial void MarketsLoaded(ILogger logger, string exchange, int count);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Debug,
        Message = "{Exchange} {Url} -> {Count} candles")]
    public static partial void Answer(ILogger logger, string exchange, Uri url, int count);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Debug,
        Message = "{Exchange} {Symbol} {Timeframe}: page of {Count} candles, covered {Covered}")]
    public static partial void Page(ILogger logger, string exchange, string symbol, string timeframe, int count, string covered);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Debug,
        Message = "{Exchange} {Url}: a full answer of {Count} rows may be cut; fetching the older rest of the window up to {EndAt}")]
    public static partial void PagingBack(ILogger logger, string exchange, Uri url, int count, string endAt);
}
