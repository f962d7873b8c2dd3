using Microsoft.Extensions.Logging;

namespace Heck.Client.Sdk;

/// <summary>
/// Writes log messages one line each (<c>warn: Category: message</c>) to a writer, without stack
/// traces, so that a command-line tool can keep Orleans' diagnostics on standard error.
/// </summary>
internal sealed class TextWriterLoggerProvider(TextWriter writer, LogLevel minimum) : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly LogLevel _minimum = minimum;

    /// <summary>
    /// While connecting, failed attempts are expected and the outcome is reported by the connect
    /// call itself, so only critical messages get through.
    /// </summary>
    public bool Connecting { get; set; }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

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
        var line = exception is null
            ? $"{tag}: {category}: {message}"
            : $"{tag}: {category}: {message} ({exception.GetType().Name}: {exception.Message})";
        lock (_lock)
        {
            try
            {
                writer.WriteLine(line);
                writer.Flush();
            }
            catch (ObjectDisposedException)
            {
                // The writer went away (e.g. a test's captured output): logging must never throw.
            }
        }
    }

    private sealed class Logger(TextWriterLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || (provider.Connecting && logLevel < LogLevel.Critical)) return;
            provider.Write(logLevel, category, formatter(state, exception), exception);
        }
    }
}
