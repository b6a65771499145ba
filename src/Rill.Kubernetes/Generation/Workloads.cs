using k8s.Models;
using Rill.Kubernetes.Expressions;
using Rill.Kubernetes.Manifest;
using Rill.Kubernetes.Topology;

namespace Rill.Kubernetes.Generation;

/// <summary>
/// The workload of one deployable resource: a StatefulSet with a volume claim per manifest volume for containers that
/// keep data (Redis, Kafka), else a Deployment. Job managers run alone and are replaced, never overlapped (two would
/// both think they lead); task managers start at the minimum replica count and get time to leave cleanly on SIGTERM.
/// </summary>
public static class Workloads
{
    public const string CheckpointVolumeName = "checkpoints";

    /// <summary>The group id the .NET container images run as (<c>APP_UID</c>), so mounted volumes are writable.</summary>
    private const long DotnetAppGroup = 1654;

    /// <summary>Most broker and store images (Kafka's among them) run as uid/gid 1000; a fresh volume is root's.</summary>
    private const long CommonImageGroup = 1000;

    public static IReadOnlyList<object> For(ManifestResource resource, RillRole role, ContainerEnvironment environment, string? serviceAccount,
        string checkpointClaim, KubernetesGenerationOptions options)
    {
        var name = ExpressionResolver.ObjectName(resource);
        var component = Components.Of(resource, role);
        var container = new V1Container
        {
            Name = name,
            Image = ContainerImages.For(resource, options),
            Command = environment.Command,
            Args = environment.Args,
            EnvFrom = environment.ConfigMapData.Count == 0 ? null : [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = ConfigMaps.NameOf(resource) } }],
            Env = environment.Env.Count == 0 ? null : environment.Env,
            Ports = Ports(resource),
            Resources = ResourceProfile.For(resource, role),
        };
        Probes.Apply(container, resource, role);

        var pod = new V1PodSpec
        {
            Containers = [container],
            ServiceAccountName = serviceAccount,
            // Only the job manager talks to the Kubernetes API; no other pod needs a token mounted.
            AutomountServiceAccountToken = serviceAccount is not null ? null : false,
        };
        if (role != RillRole.None)
        {
            container.VolumeMounts = [new V1VolumeMount { Name = CheckpointVolumeName, MountPath = RillProcessSettings.CheckpointDirectory }];
            pod.Volumes = [new V1Volume { Name = CheckpointVolumeName, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = checkpointClaim } }];
            pod.SecurityContext = new V1PodSecurityContext { FsGroup = DotnetAppGroup };
        }

        if (role == RillRole.TaskManager)
        {
            pod.TerminationGracePeriodSeconds = options.TaskManagerTerminationGracePeriodSeconds;
        }

        var template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = Labels.For(name, component, options) }, Spec = pod };
        var selector = new V1LabelSelector { MatchLabels = Labels.Selector(name, options) };
        var metadata = KubernetesObjects.Metadata(name, Labels.For(name, component, options));

        if (resource.Type == ManifestResourceType.Container && resource.Volumes.Count > 0)
        {
            var claims = resource.Volumes.Select((volume, i) => (Volume: volume, Name: resource.Volumes.Count == 1 ? "data" : $"data-{i}")).ToList();
            container.VolumeMounts = claims.Select(claim => new V1VolumeMount { Name = claim.Name, MountPath = claim.Volume.Target, ReadOnlyProperty = claim.Volume.ReadOnly ? true : null }).ToList();
            pod.SecurityContext = new V1PodSecurityContext { FsGroup = CommonImageGroup, FsGroupChangePolicy = "OnRootMismatch" };
            return
            [
                KubernetesObjects.Typed(new V1StatefulSet
                {
                    Spec = new V1StatefulSetSpec
                    {
                        ServiceName = name,
                        Replicas = 1,
                        Selector = selector,
                        Template = template,
                        VolumeClaimTemplates = claims.Select(claim => new V1PersistentVolumeClaim
                        {
                            Metadata = new V1ObjectMeta { Name = claim.Name, Labels = Labels.For(name, component, options) },
                            Spec = new V1PersistentVolumeClaimSpec
                            {
                                AccessModes = ["ReadWriteOnce"],
                                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(options.DataVolumeSize) } },
                            },
                        }).ToList(),
                    },
                }, metadata),
            ];
        }

        return
        [
            KubernetesObjects.Typed(new V1Deployment
            {
                Spec = new V1DeploymentSpec
                {
                    Replicas = role == RillRole.TaskManager ? options.MinReplicas : 1,
                    Selector = selector,
                    Template = template,
                    Strategy = role == RillRole.JobManager ? new V1DeploymentStrategy { Type = "Recreate" } : null,
                },
            }, metadata),
        ];
    }

    private static List<V1ContainerPort>? Ports(ManifestResource resource)
    {
        var ports = resource.Bindings.Select(binding => new V1ContainerPort
        {
            Name = KubernetesNames.Port(resource, binding),
            ContainerPort = BindingPorts.Of(resource, binding).ContainerPort,
            Protocol = Services.Protocol(resource, binding),
        }).ToList();
        if (ports.Select(port => port.Name).Distinct(StringComparer.Ordinal).Count() != ports.Count
            || ports.Select(port => (port.ContainerPort, port.Protocol)).Distinct().Count() != ports.Count)
        {
            throw new ManifestException($"resource '{resource.Name}': two bindings share a port name or a port ({string.Join(", ", ports.Select(port => $"{port.Name}={port.ContainerPort}"))}).");
        }

        return ports.Count == 0 ? null : ports;
    }
}
