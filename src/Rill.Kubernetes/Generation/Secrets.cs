using k8s.Models;
using Rill.Kubernetes.Expressions;
using Rill.Kubernetes.Manifest;

namespace Rill.Kubernetes.Generation;

/// <summary>
/// One Secret per secret parameter, with its value left empty: secret values never go into generated (and committed)
/// files. An overlay fills them in before <c>kubectl apply -k</c> (a <c>secretGenerator</c> with
/// <c>behavior: replace</c>, see the README); the containers read them through <c>secretKeyRef</c>.
/// </summary>
public static class Secrets
{
    public static V1Secret For(ManifestResource parameter, KubernetesGenerationOptions options)
    {
        var name = ExpressionResolver.ObjectName(parameter);
        return KubernetesObjects.Typed(new V1Secret
        {
            Type = "Opaque",
            StringData = new Dictionary<string, string> { [ContainerEnvironment.SecretKey] = "" },
        }, KubernetesObjects.Metadata(name, Labels.For(name, Components.Parameter, options)));
    }
}
