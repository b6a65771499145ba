namespace Rill.Kubernetes;

/// <summary>
/// What the Aspire manifest does not say about a cluster: where images live, how far the task managers scale, what
/// storage the checkpoints get. Every default makes a base that <c>kubectl apply -k</c> accepts on a typical cluster.
/// </summary>
public sealed record KubernetesGenerationOptions
{
    /// <summary>The namespace for every object (a Namespace object is generated too); null: the one kubectl uses.</summary>
    public string? Namespace { get; init; }

    /// <summary>The registry and path prefix of project images (e.g. <c>ghcr.io/acme</c>); null: bare names (a local registry or kind load).</summary>
    public string? ImageRegistry { get; init; }

    /// <summary>The tag of project images (containers from the manifest keep the image the AppHost names).</summary>
    public string ImageTag { get; init; } = "latest";

    /// <summary><c>app.kubernetes.io/part-of</c> and the prefix of shared objects (the checkpoint volume).</summary>
    public string PartOf { get; init; } = "rill";

    /// <summary>The task managers the job starts with, and the autoscaler's minimum in reactive mode.</summary>
    public int MinReplicas { get; init; } = 2;

    /// <summary>The autoscaler's maximum number of task managers (reactive mode).</summary>
    public int MaxReplicas { get; init; } = 8;

    /// <summary>The average CPU use, in percent of the request, the autoscaler keeps the task managers at.</summary>
    public int CpuUtilizationPercent { get; init; } = 70;

    /// <summary>The storage class of the ReadWriteMany checkpoint volume; null: the cluster's default class.</summary>
    public string? StorageClass { get; init; }

    /// <summary>The size of the checkpoint volume (a Kubernetes quantity).</summary>
    public string CheckpointVolumeSize { get; init; } = "10Gi";

    /// <summary>The size of each data volume of a stateful container (Redis, Kafka).</summary>
    public string DataVolumeSize { get; init; } = "8Gi";

    /// <summary>
    /// How long a task manager may take to leave after SIGTERM: the job stops with a savepoint, rescales without it, and
    /// only then does the process exit; Kubernetes kills it when this runs out.
    /// </summary>
    public int TaskManagerTerminationGracePeriodSeconds { get; init; } = 60;

    /// <summary>Values of non-secret parameters the manifest gives no default for (secret ones never go into files).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}
