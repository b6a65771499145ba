using k8s.Models;

namespace Rill.Kubernetes.Generation;

/// <summary>
/// The checkpoint volume every job manager and task manager mounts at the same path: Rill writes a checkpoint's state
/// files from the task managers and its metadata from the job manager, and restores from any of them, so all need one
/// shared directory (ReadWriteMany, e.g. NFS, CephFS or a cloud file share).
/// </summary>
public static class CheckpointStorage
{
    public static string ClaimName(KubernetesGenerationOptions options) => $"{options.PartOf}-checkpoints";

    public static V1PersistentVolumeClaim Claim(KubernetesGenerationOptions options)
    {
        var name = ClaimName(options);
        return KubernetesObjects.Typed(new V1PersistentVolumeClaim
        {
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteMany"],
                StorageClassName = options.StorageClass,
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(options.CheckpointVolumeSize) } },
            },
        }, KubernetesObjects.Metadata(name, Labels.For(name, Components.Checkpoints, options)));
    }
}
