using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Coinlake.Cli.Hosting;

/// <summary>
/// Writes log lines (<c>HH:mm:ss level category: message</c>) to a <see cref="TextWriter"/>, so the CLI's logs follow
/// its <see cref="CliContext.Error"/> stream (the console logger can only write to the process console).
/// </summary>
internal sealed class TextWriterLoggerProvider(TextWriter writer, LogLevel minimum, TimeProvider time) : ILoggerProvider
{
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var tag = level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
        var line = string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow():HH:mm:ss} {tag} {category}: {message}");
        lock (_gate)
        {
            writer.WriteLine(line);
            if (exception is not null && level >= LogLevel.Error && exception is not Coinlake.Exchanges.ExchangeException)
            {
                writer.WriteLine(exception.ToString());
            }

            writer.Flush();
        }
    }

    private sealed class Logger(TextWriterLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider.Minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }

    private LogLevel Minimum => minimum;
}
