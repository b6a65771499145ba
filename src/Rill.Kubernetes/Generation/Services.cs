using k8s.Models;
using Rill.Kubernetes.Expressions;
using Rill.Kubernetes.Manifest;
using Rill.Kubernetes.Topology;

namespace Rill.Kubernetes.Generation;

/// <summary>
/// The Service of a resource with bindings: named after the resource (the host name its expressions resolve to), one
/// port per binding (the binding's port, else its target port), forwarded to the container port of the same name.
/// External bindings stay cluster-internal here; exposing them (Ingress, LoadBalancer) is a cluster's own choice.
/// </summary>
public static class Services
{
    public static V1Service? For(ManifestResource resource, RillRole role, KubernetesGenerationOptions options)
    {
        if (resource.Bindings.Count == 0)
        {
            return null;
        }

        var name = ExpressionResolver.ObjectName(resource);
        return KubernetesObjects.Typed(new V1Service
        {
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = Labels.Selector(name, options),
                Ports = resource.Bindings.Select(binding => new V1ServicePort
                {
                    Name = KubernetesNames.Port(resource, binding),
                    Port = BindingPorts.Of(resource, binding).ServicePort,
                    TargetPort = KubernetesNames.Port(resource, binding),
                    Protocol = Protocol(resource, binding),
                }).ToList(),
            },
        }, KubernetesObjects.Metadata(name, Labels.For(name, Components.Of(resource, role), options)));
    }

    public static string Protocol(ManifestResource resource, ManifestBinding binding) => binding.Protocol.ToLowerInvariant() switch
    {
        "tcp" => "TCP",
        "udp" => "UDP",
        _ => throw new ManifestException($"resource '{resource.Name}': binding '{binding.Name}' has protocol '{binding.Protocol}' (Kubernetes Services carry tcp and udp)."),
    };
}
