using k8s.Models;
using Rill.Kubernetes.Expressions;
using Rill.Kubernetes.Manifest;
using Rill.Kubernetes.Topology;

namespace Rill.Kubernetes.Generation;

/// <summary>The ConfigMap of a resource's plain (non-secret) environment variables, loaded by its container with envFrom.</summary>
public static class ConfigMaps
{
    public static string NameOf(ManifestResource resource) => ExpressionResolver.ObjectName(resource) + "-env";

    public static V1ConfigMap? For(ManifestResource resource, RillRole role, ContainerEnvironment environment, KubernetesGenerationOptions options) =>
        environment.ConfigMapData.Count == 0
            ? null
            : KubernetesObjects.Typed(new V1ConfigMap { Data = environment.ConfigMapData },
                KubernetesObjects.Metadata(NameOf(resource), Labels.For(ExpressionResolver.ObjectName(resource), Components.Of(resource, role), options)));
}
