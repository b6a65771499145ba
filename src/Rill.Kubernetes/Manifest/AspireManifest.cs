namespace Rill.Kubernetes.Manifest;

/// <summary>An Aspire manifest (<c>aspire-manifest.json</c>): its resources in the file's order.</summary>
public sealed record AspireManifest(IReadOnlyList<ManifestResource> Resources)
{
    public ManifestResource? Find(string name) =>
        Resources.FirstOrDefault(resource => string.Equals(resource.Name, name, StringComparison.OrdinalIgnoreCase));
}
