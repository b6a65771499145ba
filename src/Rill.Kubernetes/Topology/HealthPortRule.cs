using Rill.Kubernetes.Manifest;

namespace Rill.Kubernetes.Topology;

/// <summary>
/// The one rule for where a process answers <c>/health</c> and <c>/alive</c>: its binding named <c>health</c> (task
/// managers' <c>--health-port</c>), else its <c>rest</c> or <c>http</c> binding (a job manager's REST endpoint serves them).
/// A Rill process with neither cannot be probed, which is an error; another project simply gets no HTTP probes.
/// </summary>
public static class HealthPortRule
{
    public static readonly string[] BindingNames = ["health", "rest", "http"];

    public static ManifestBinding? Find(ManifestResource resource) =>
        BindingNames.Select(resource.FindBinding).FirstOrDefault(binding => binding is not null);

    public static ManifestBinding Require(ManifestResource resource) =>
        Find(resource) ?? throw new ManifestException(
            $"resource '{resource.Name}' is a Rill process but has no binding named 'health', 'rest' or 'http', so Kubernetes cannot probe /health and /alive.");
}
