using Microsoft.Extensions.DependencyInjection;

namespace Rill.Runtime.Observability;

/// <summary>
/// How a process's setup reaches the Kestrel servers Rill starts for itself (REST, RPC, health), which are not built by
/// the application's host: what is registered here is applied to the services of every such server started afterwards.
/// Rill.ServiceDefaults uses it to send those servers' logs to OpenTelemetry and to add health checks to
/// <c>/health</c> and <c>/alive</c> (tag a check <see cref="HealthEndpoints.LiveTag"/> for <c>/alive</c>).
/// </summary>
public static class RillServerHooks
{
    private static readonly Metrics.LiveSources<Action<IServiceCollection>> Registered = new();

    /// <summary>Applies <paramref name="configure"/> to each Rill server started until the returned handle is disposed.</summary>
    public static IDisposable ConfigureServices(Action<IServiceCollection> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Registered.Add(configure);
    }

    internal static void Apply(IServiceCollection services)
    {
        foreach (var configure in Registered.Snapshot)
        {
            configure(services);
        }
    }
}
