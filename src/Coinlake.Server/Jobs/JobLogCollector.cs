using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Coinlake.Server.Jobs;

/// <summary>
/// Collects what a job logs (Information and above) for <c>coinlake_job_logs</c>, and forwards every line to the
/// host's loggers. Remembers the last exception logged at Error level, which tells a transient failure from a
/// permanent one after <see cref="Pipeline.Backfill.TaskRunner"/> has turned it into a report error.
/// </summary>
internal sealed class JobLogCollector(string jobId, ILoggerFactory host, TimeProvider time) : ILoggerProvider
{
    private readonly ConcurrentQueue<JobLogEntry> _pending = new();

    /// <summary>The last exception logged at Error or above, if any.</summary>
    public Exception? LastError { get; private set; }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName, host.CreateLogger(categoryName));

    /// <summary>Adds a line written by the job runner itself.</summary>
    public void Add(LogLevel level, string category, string message) =>
        _pending.Enqueue(new JobLogEntry(0, jobId, time.GetUtcNow().ToUnixTimeMilliseconds(), level.ToString().ToLowerInvariant(), category, message));

    /// <summary>Takes every line collected since the last call.</summary>
    public List<JobLogEntry> Drain()
    {
        var list = new List<JobLogEntry>();
        while (_pending.TryDequeue(out var entry))
        {
            list.Add(entry);
        }

        return list;
    }

    public void Dispose()
    {
    }

    private sealed class Logger(JobLogCollector owner, string category, ILogger forward) : ILogger
    {
        private readonly string _shortCategory = category[(category.LastIndexOf('.') + 1)..];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => forward.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information || forward.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            forward.Log(logLevel, eventId, state, exception, formatter);
            if (logLevel < LogLevel.Information)
            {
                return;
            }

            if (exception is not null && logLevel >= LogLevel.Error)
            {
                owner.LastError = exception;
            }

            var message = formatter(state, exception);
            if (exception is not null && !message.Contains(exception.Message, StringComparison.Ordinal))
            {
                message = $"{message} ({exception.GetType().Name}: {exception.Message})";
            }

            owner.Add(logLevel, _shortCategory, message);
        }
    }
}
