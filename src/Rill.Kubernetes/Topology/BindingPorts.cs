using Rill.Kubernetes.Manifest;

namespace Rill.Kubernetes.Topology;

/// <summary>
/// The ports of one binding in the cluster: <see cref="ContainerPort"/> where the process listens, and
/// <see cref="ServicePort"/> where clients reach it through the resource's Service.
/// </summary>
public sealed record BindingPorts(int ContainerPort, int ServicePort)
{
    /// <summary>What .NET container images listen on by default (ASPNETCORE_HTTP_PORTS), used when Aspire leaves the choice to the deployment tool.</summary>
    public const int DefaultHttpPort = 8080;

    public const int DefaultHttpsPort = 8443;

    /// <summary>
    /// Aspire omits <c>targetPort</c> only for a project's default http and https endpoints ("the deployment tool picks
    /// one"): those get the .NET container defaults. Any other binding without one cannot be placed.
    /// </summary>
    public static BindingPorts Of(ManifestResource resource, ManifestBinding binding)
    {
        var container = binding.TargetPort ?? (resource.Type, binding.Scheme) switch
        {
            (ManifestResourceType.Project, "http") => DefaultHttpPort,
            (ManifestResourceType.Project, "https") => DefaultHttpsPort,
            _ => binding.Port ?? throw new ManifestException(
                $"resource '{resource.Name}': binding '{binding.Name}' has neither a targetPort nor a port, so the port its container listens on is unknown."),
        };
        return new BindingPorts(container, binding.Port ?? container);
    }
}
