using Rill.Kubernetes.Manifest;

namespace Rill.Kubernetes.Topology;

/// <summary>
/// The one rule for where a process answers <c>/health</c> and <c>/alive</c>: its binding named <c>health</c> (the
/// service defaults give task managers one), else its <c>http</c> binding (a job manager's REST endpoint serves them).
/// A Rill process with neither cannot be probed, which is an error; another project simply gets no HTTP probes.
/// </summary>
public static class HealthPortRule
{
    public static readonly string[] BindingNames = ["health", "http"];

    public static ManifestBinding? Find(ManifestResource resource) =>
        BindingNames.Select(resource.FindBinding).FirstOrDefault(binding => binding is not null);

    public static ManifestBinding Require(ManifestResource resource) =>
        Find(resource) ?? throw new ManifestException(
            $"resource '{resource.Name}' is a Rill process but has no binding named 'health' or 'http', so Kubernetes cannot probe /health and /alive.");
}
