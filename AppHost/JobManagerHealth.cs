namespace Rill.AppHost;

/// <summary>
/// What the AppHost (and Kubernetes, through the manifest's bindings) polls to call a Rill process healthy: the readiness
/// endpoint every Rill process serves (the job manager on its REST port, task managers on their health port).
/// </summary>
internal static class JobManagerHealth
{
    public const string Path = "/health";

    /// <summary>The task managers' HTTP/1.1 probe port (their RPC endpoint is HTTP/2-only), named as the Kubernetes generator expects.</summary>
    public const string TaskManagerEndpointName = "health";

    /// <summary>The health port inside a published task manager's container.</summary>
    public const int PublishedTaskManagerPort = 8082;
}
