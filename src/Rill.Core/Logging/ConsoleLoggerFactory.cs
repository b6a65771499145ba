using Microsoft.Extensions.Logging;

namespace Rill.Logging;

/// <summary>
/// The factory Rill logs through until a host sets its own: the console provider alone. Rill.Core depends only on the
/// logging abstractions, so it does not use Microsoft.Extensions.Logging's factory.
/// </summary>
internal sealed class ConsoleLoggerFactory(ILoggerProvider console) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => console.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("Rill's default console factory takes no providers: give Rill a factory of your own with RillLogging.Use.");

    public void Dispose()
    {
        // Process-wide and never replaced: nothing to release.
    }
}
