using Microsoft.Extensions.Logging;

namespace Rill.Logging;

/// <summary>
/// Rill's console logger: one line per message, written at once (no queue a process's exit could cut short), through
/// whatever <see cref="Console.Error"/> or <see cref="Console.Out"/> is at that moment (a cluster planning a program
/// redirects them). Information is the message alone, as a person reads it; other levels start with their short name
/// (<c>warn:</c>, <c>fail:</c>, …); errors are followed by their exception. The category is not printed: each message
/// names its component.
/// </summary>
internal sealed class ConsoleLineLoggerProvider(ConsoleLogDestination destination) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ConsoleLineLogger(destination);

    public void Dispose()
    {
        // It holds nothing: the console is the process's.
    }

    private sealed class ConsoleLineLogger(ConsoleLogDestination destination) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) =>
            destination != ConsoleLogDestination.Off && logLevel != LogLevel.None && logLevel >= RillLogging.ConsoleMinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = Prefix(logLevel) + formatter(state, exception);
            // A warning's message says what went wrong; a stack trace is for failures.
            if (exception is not null && logLevel >= LogLevel.Error)
            {
                line += Environment.NewLine + exception;
            }

            (destination == ConsoleLogDestination.StandardOutput ? Console.Out : Console.Error).WriteLine(line);
        }

        private static string Prefix(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce: ",
            LogLevel.Debug => "dbug: ",
            LogLevel.Warning => "warn: ",
            LogLevel.Error => "fail: ",
            LogLevel.Critical => "crit: ",
            _ => "",
        };
    }
}
