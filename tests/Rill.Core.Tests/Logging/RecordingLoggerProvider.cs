using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Rill.Tests.Logging;

/// <summary>
/// A logger provider as a host supplies one (OpenTelemetry's, a file logger): keeps every record with its category, level,
/// exception and structured state. Tests run in parallel and the factory is process-wide, so tests look only at the
/// records of their own job.
/// </summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => _entries.ToList();

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _entries);

    public void Dispose()
    {
        // Nothing to release.
    }

    private sealed class Recorder(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), exception, properties));
        }
    }
}

internal sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> Properties)
{
    public object? this[string property] => Properties.GetValueOrDefault(property);
}
