using k8s.Models;

namespace Rill.Kubernetes.Generation;

/// <summary>The namespace the base deploys into, created by the same <c>kubectl apply -k</c>.</summary>
public static class Namespaces
{
    public static V1Namespace For(string name, KubernetesGenerationOptions options) =>
        KubernetesObjects.Typed(new V1Namespace(), KubernetesObjects.Metadata(name, new Dictionary<string, string>
        {
            [Labels.Name] = name,
            [Labels.PartOf] = options.PartOf,
            [Labels.ManagedBy] = Labels.ManagedByValue,
        }));
}
