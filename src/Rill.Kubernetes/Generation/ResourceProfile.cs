using k8s.Models;
using Rill.Kubernetes.Manifest;
using Rill.Kubernetes.Topology;

namespace Rill.Kubernetes.Generation;

/// <summary>
/// CPU and memory requests and limits per kind of process. Requests matter beyond scheduling: the autoscaler's CPU
/// target is a percentage of the task manager's request. Adjust them per cluster with a kustomize patch.
/// </summary>
public static class ResourceProfile
{
    public static V1ResourceRequirements For(ManifestResource resource, RillRole role) => (role, resource.Type) switch
    {
        (RillRole.JobManager, _) => Requirements("250m", "512Mi", "1", "1Gi"),
        (RillRole.TaskManager, _) => Requirements("500m", "1Gi", "2", "2Gi"),
        (_, ManifestResourceType.Project) => Requirements("100m", "256Mi", "500m", "512Mi"),
        // Brokers and stores: Kafka's image starts a 1 GiB heap by default.
        _ => Requirements("250m", "512Mi", "2", "2Gi"),
    };

    private static V1ResourceRequirements Requirements(string cpuRequest, string memoryRequest, string cpuLimit, string memoryLimit) => new()
    {
        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpuRequest), ["memory"] = new(memoryRequest) },
        Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpuLimit), ["memory"] = new(memoryLimit) },
    };
}
