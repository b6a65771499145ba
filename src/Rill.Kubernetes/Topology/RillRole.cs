namespace Rill.Kubernetes.Topology;

/// <summary>What a resource is in the Rill topology; decides probes, RBAC, scaling and the checkpoint volume.</summary>
public enum RillRole
{
    /// <summary>Not a Rill process (Redis, Kafka, a click generator).</summary>
    None,

    JobManager,

    TaskManager,
}
