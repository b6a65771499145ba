namespace Rill.Kubernetes.Manifest;

/// <summary>
/// One entry of the manifest's <c>resources</c>, with the fields the Kubernetes generator reads. Strings may hold
/// expressions such as <c>{redis.bindings.tcp.host}</c>, resolved later by <c>ExpressionResolver</c>. Env keeps the
/// manifest's order, so the generated files are the same on every run.
/// </summary>
public sealed record ManifestResource
{
    public required string Name { get; init; }

    /// <summary>The manifest's <c>type</c> string as written (e.g. <c>project.v0</c>), for messages.</summary>
    public required string TypeName { get; init; }

    public required ManifestResourceType Type { get; init; }

    /// <summary>Project file path, relative to the manifest (projects only).</summary>
    public string? Path { get; init; }

    /// <summary>Container image reference (containers only; a <c>container.v1</c> built from a Dockerfile has none).</summary>
    public string? Image { get; init; }

    public string? Entrypoint { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];

    public IReadOnlyList<ManifestBinding> Bindings { get; init; } = [];

    public IReadOnlyList<ManifestVolume> Volumes { get; init; } = [];

    /// <summary>Bind mounts (host paths): there is no developer machine in a cluster, so the generator refuses them.</summary>
    public int BindMountCount { get; init; }

    public string? ConnectionString { get; init; }

    /// <summary>A parameter's or value's <c>value</c> field.</summary>
    public string? Value { get; init; }

    /// <summary>The filter of an <c>annotated.string</c> (e.g. <c>uri</c>).</summary>
    public string? Filter { get; init; }

    /// <summary>A parameter's input (secret or not, default); null for other resources.</summary>
    public ManifestParameterInput? Input { get; init; }

    public bool IsSecretParameter => Type == ManifestResourceType.Parameter && Input is { Secret: true };

    public ManifestBinding? FindBinding(string name) =>
        Bindings.FirstOrDefault(binding => string.Equals(binding.Name, name, StringComparison.OrdinalIgnoreCase));
}
