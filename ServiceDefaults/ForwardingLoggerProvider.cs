using Microsoft.Extensions.Logging;

namespace Rill.ServiceDefaults;

/// <summary>
/// Lets each of Rill's own servers, and <see cref="Rill.Logging.RillLogging"/>, log into the process's one
/// OpenTelemetry-enabled logger factory. It does not own that factory: a server that stops must not close the process's
/// log export.
/// </summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

    public void Dispose()
    {
        // The factory belongs to the process's telemetry, which disposes it at the process's end.
    }
}
