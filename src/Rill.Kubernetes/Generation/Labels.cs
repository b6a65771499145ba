namespace Rill.Kubernetes.Generation;

/// <summary>
/// Kubernetes' recommended <c>app.kubernetes.io/*</c> labels. Selectors use only <c>name</c> and <c>instance</c>: they
/// are immutable on a Deployment, so they must not change when a component's description does.
/// </summary>
public static class Labels
{
    public const string Name = "app.kubernetes.io/name";
    public const string Instance = "app.kubernetes.io/instance";
    public const string Component = "app.kubernetes.io/component";
    public const string PartOf = "app.kubernetes.io/part-of";
    public const string ManagedBy = "app.kubernetes.io/managed-by";

    /// <summary>The tool that wrote the objects (<c>rill k8s generate</c>).</summary>
    public const string ManagedByValue = "rill";

    public static Dictionary<string, string> Selector(string name, KubernetesGenerationOptions options) => new()
    {
        [Name] = name,
        [Instance] = $"{options.PartOf}-{name}",
    };

    public static Dictionary<string, string> For(string name, string component, KubernetesGenerationOptions options) => new(Selector(name, options))
    {
        [Component] = component,
        [PartOf] = options.PartOf,
        [ManagedBy] = ManagedByValue,
    };
}
