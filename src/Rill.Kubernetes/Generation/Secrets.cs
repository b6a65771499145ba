using k8s.Models;
using Rill.Kubernetes.Expressions;
using Rill.Kubernetes.Manifest;

namespace Rill.Kubernetes.Generation;

/// <summary>
/// One Secret per secret parameter, without its value: secret values never go into generated (and committed) files. An
/// overlay adds the key <see cref="ContainerEnvironment.SecretKey"/> before <c>kubectl apply -k</c> (a
/// <c>secretGenerator</c> with <c>behavior: replace</c>, see the README). Until it does, pods that read the Secret do not
/// start (the key is missing) rather than run with an empty password or token.
/// </summary>
public static class Secrets
{
    public static V1Secret For(ManifestResource parameter, KubernetesGenerationOptions options)
    {
        var name = ExpressionResolver.ObjectName(parameter);
        return KubernetesObjects.Typed(new V1Secret { Type = "Opaque" }, KubernetesObjects.Metadata(name, Labels.For(name, Components.Parameter, options)));
    }
}
