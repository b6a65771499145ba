using Microsoft.Extensions.Configuration;

namespace Rill.ServiceDefaults;

/// <summary>
/// Service defaults for a Rill program (a job run with <c>--role jobmanager|taskmanager</c> or <c>--cluster</c>), which
/// starts its own servers instead of using the generic host: call <see cref="Use"/> first thing in <c>Main</c>.
/// </summary>
public static class RillServiceDefaults
{
    private static readonly object Lock = new();
    private static RillProcessTelemetry? _current;

    /// <summary>
    /// Once per process (later calls return the same instance): OpenTelemetry logs, metrics (the <c>Rill</c> meter,
    /// ASP.NET Core, HttpClient, runtime) and traces (the <c>Rill</c> activity source, REST requests) over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, configured from environment variables; the "self" check on
    /// <c>/alive</c> of Rill's servers. Flushed when the process exits (or when the instance is disposed). Does nothing
    /// in a program that a session cluster plans (<c>rill run</c>): the cluster process has its own.
    /// </summary>
    public static RillProcessTelemetry Use()
    {
        lock (Lock)
        {
            if (_current is null && System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(typeof(RillServiceDefaults).Assembly) is { IsCollectible: true })
            {
                _current = RillProcessTelemetry.Inert();
            }

            if (_current is null)
            {
                var telemetry = RillProcessTelemetry.Start(new ConfigurationBuilder().AddEnvironmentVariables().Build());
                AppDomain.CurrentDomain.ProcessExit += (_, _) => telemetry.Dispose();
                _current = telemetry;
            }

            return _current;
        }
    }
}
