namespace Rill.AppHost;

/// <summary>
/// What the AppHost polls to call the job manager healthy (task managers wait for it). <c>GET /overview</c> answers 200 once
/// the REST API serves, which is after the JobManager's components started; when every Rill process maps ServiceDefaults'
/// <c>/health</c>, this is the one place to switch.
/// </summary>
internal static class JobManagerHealth
{
    public const string Path = "/overview";
}
