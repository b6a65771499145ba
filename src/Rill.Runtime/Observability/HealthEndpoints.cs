using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Rill.Runtime.Observability;

/// <summary>
/// The probe endpoints every Rill server with HTTP/1.1 serves, in every environment (the Aspire template maps them only
/// in Development; Kubernetes probes need them in Production): <c>/alive</c> answers 200 while the process runs (checks
/// tagged <see cref="LiveTag"/> only), <c>/health</c> 200 once it is ready (every check), else 503.
/// </summary>
public static class HealthEndpoints
{
    public const string HealthPath = "/health";

    public const string AlivePath = "/alive";

    /// <summary>Checks with this tag decide <c>/alive</c> too; all others only <c>/health</c>.</summary>
    public const string LiveTag = "live";

    /// <summary>The log category of ASP.NET Core's health check service, which logs every unhealthy probe as an error.</summary>
    public const string HealthCheckServiceCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    /// <summary>True for the two probe paths (filters keep them out of traces and past auth).</summary>
    public static bool IsProbe(PathString path) => path.Equals(HealthPath, StringComparison.OrdinalIgnoreCase) || path.Equals(AlivePath, StringComparison.OrdinalIgnoreCase);

    /// <summary>Rill's own readiness check, then whatever the process registered through <see cref="RillServerHooks"/>.</summary>
    internal static void AddChecks(IServiceCollection services, string name, Func<HealthCheckResult> readiness)
    {
        services.AddHealthChecks().AddCheck(name, readiness);
        RillServerHooks.Apply(services);
    }

    internal static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(HealthPath);
        endpoints.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
    }
}
