using k8s.Models;
using Rill.Kubernetes.Manifest;
using Rill.Kubernetes.Topology;

namespace Rill.Kubernetes.Generation;

/// <summary>
/// Health probes. .NET processes (Rill's and other projects) answer <c>/health</c> (ready: its dependencies answer) and
/// <c>/alive</c> (the process works) over HTTP/1.1 on the port <see cref="HealthPortRule"/> picks; a startup probe gives
/// them time to start before liveness counts. Containers such as Redis and Kafka get TCP probes on their first port.
/// </summary>
public static class Probes
{
    public const string ReadinessPath = "/health";
    public const string LivenessPath = "/alive";

    public static void Apply(V1Container container, ManifestResource resource, RillRole role)
    {
        if (resource.Type == ManifestResourceType.Project || role != RillRole.None)
        {
            var binding = role == RillRole.None ? HealthPortRule.Find(resource) : HealthPortRule.Require(resource);
            if (binding is null)
            {
                return;
            }

            var port = KubernetesNames.Port(resource, binding);
            var scheme = binding.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase) ? "HTTPS" : "HTTP";
            container.StartupProbe = Http(LivenessPath, port, scheme, periodSeconds: 2, failureThreshold: 60);
            container.ReadinessProbe = Http(ReadinessPath, port, scheme, periodSeconds: 5, failureThreshold: 3);
            container.LivenessProbe = Http(LivenessPath, port, scheme, periodSeconds: 10, failureThreshold: 3);
            return;
        }

        if (resource.Bindings.FirstOrDefault(binding => binding.Protocol.Equals("tcp", StringComparison.OrdinalIgnoreCase)) is { } tcp)
        {
            var port = KubernetesNames.Port(resource, tcp);
            container.ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = port }, InitialDelaySeconds = 5, PeriodSeconds = 5 };
            container.LivenessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = port }, InitialDelaySeconds = 30, PeriodSeconds = 10 };
        }
    }

    private static V1Probe Http(string path, string port, string scheme, int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = port, Scheme = scheme },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
        TimeoutSeconds = 2,
    };
}
