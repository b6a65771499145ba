using k8s;
using k8s.Models;

namespace Rill.Kubernetes.Generation;

/// <summary>Sets <c>apiVersion</c> and <c>kind</c> from the model's own constants, so they never disagree with its type.</summary>
internal static class KubernetesObjects
{
    public static T Typed<T>(T value, V1ObjectMeta metadata)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var type = typeof(T);
        var group = (string)type.GetField("KubeGroup")!.GetValue(null)!;
        var version = (string)type.GetField("KubeApiVersion")!.GetValue(null)!;
        value.ApiVersion = group.Length == 0 ? version : $"{group}/{version}";
        value.Kind = (string)type.GetField("KubeKind")!.GetValue(null)!;
        value.Metadata = metadata;
        return value;
    }

    public static V1ObjectMeta Metadata(string name, Dictionary<string, string> labels) => new() { Name = name, Labels = labels };
}
