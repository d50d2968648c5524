using Microsoft.Extensions.Logging;

namespace Coinlake.Exchanges.Http;

/// <summary>Source-generated log messages of the shared HTTP machinery.</summary>
internal static partial class HttpLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Request weight budget of {Limiter} used ({Used}/{Limit} this minute); waiting {Wait} for the next window")]
    public static partial void BudgetWait(ILogger logger, string limiter, int used, int limit, TimeSpan wait);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Requests to {Limiter} are paused after a rate-limit answer; waiting {Wait}")]
    public static partial void PausedWait(ILogger logger, string limiter, TimeSpan wait);
}
