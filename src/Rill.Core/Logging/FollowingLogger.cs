using Microsoft.Extensions.Logging;

namespace Rill.Logging;

/// <summary>
/// A logger of one category that logs into whatever <see cref="RillLogging.LoggerFactory"/> is now, so a component may
/// take its logger at any time (in a static field too) without missing the factory the host sets later.
/// </summary>
internal sealed class FollowingLogger(string categoryName) : ILogger
{
    private Resolved? _resolved;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => Current.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => Current.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Current.Log(logLevel, eventId, state, exception, formatter);

    private ILogger Current
    {
        get
        {
            var factory = RillLogging.LoggerFactory;
            var resolved = Volatile.Read(ref _resolved);
            if (resolved is null || !ReferenceEquals(resolved.Factory, factory))
            {
                resolved = new Resolved(factory, Create(factory));
                Volatile.Write(ref _resolved, resolved);
            }

            return resolved.Logger;
        }
    }

    private ILogger Create(ILoggerFactory factory)
    {
        try
        {
            return factory.CreateLogger(categoryName);
        }
        catch (ObjectDisposedException)
        {
            // The host disposed its factory while giving the default back (its shutdown): this line goes to the console
            // rather than making a component's logging call throw.
            return RillLogging.CreateConsoleProvider().CreateLogger(categoryName);
        }
    }

    private sealed record Resolved(ILoggerFactory Factory, ILogger Logger);
}
