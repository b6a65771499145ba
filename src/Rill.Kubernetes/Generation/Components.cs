using Rill.Kubernetes.Manifest;
using Rill.Kubernetes.Topology;

namespace Rill.Kubernetes.Generation;

/// <summary>The <c>app.kubernetes.io/component</c> of each object: the Rill role, or what kind of thing it is.</summary>
public static class Components
{
    public const string JobManager = "jobmanager";
    public const string TaskManager = "taskmanager";
    public const string Application = "application";
    public const string BackingService = "backing-service";
    public const string Checkpoints = "checkpoints";
    public const string Parameter = "parameter";

    public static string Of(ManifestResource resource, RillRole role) => role switch
    {
        RillRole.JobManager => JobManager,
        RillRole.TaskManager => TaskManager,
        _ => resource.Type == ManifestResourceType.Project ? Application : BackingService,
    };
}
