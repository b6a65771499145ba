namespace Rill.Kubernetes.Manifest;

/// <summary>A named (or anonymous) volume of a container resource, mounted at <see cref="Target"/>.</summary>
public sealed record ManifestVolume(string? Name, string Target, bool ReadOnly);
