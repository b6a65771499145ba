using k8s;
using k8s.Models;

namespace Rill.Kubernetes;

/// <summary>One Kubernetes object of the base and the file it is written to (<c>NAME-KIND.yaml</c>).</summary>
public sealed record GeneratedDocument(IKubernetesObject<V1ObjectMeta> Object)
{
    public string Name => Object.Metadata.Name;

    public string Kind => Object.Kind;

    public string FileName => $"{Name}-{Kind.ToLowerInvariant()}.yaml";

    /// <summary>The file's text: KubernetesClient's own serialization of the typed model, ending with a newline.</summary>
    public string ToYaml() => KubernetesYaml.Serialize(Object) + "\n";
}
