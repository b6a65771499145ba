using Rill.Kubernetes.Manifest;

namespace Rill.Kubernetes.Topology;

/// <summary>
/// Recognizes Rill processes in the manifest the way the processes themselves read their role (Rill's
/// <c>DeploymentOptions</c>): <c>--role jobmanager|taskmanager</c> on the command line, else the <c>RILL_ROLE</c>
/// environment variable; reactive mode likewise from <c>--scheduler-mode reactive</c> or <c>RILL_SCHEDULER_MODE</c>.
/// </summary>
public static class RillProcess
{
    public static RillRole Role(ManifestResource resource) =>
        Setting(resource, "role", "RILL_ROLE") switch
        {
            "jobmanager" => RillRole.JobManager,
            "taskmanager" => RillRole.TaskManager,
            null => RillRole.None,
            var other => throw new ManifestException($"resource '{resource.Name}': the Rill role '{other}' is neither jobmanager nor taskmanager."),
        };

    public static bool IsReactive(ManifestResource resource) => Setting(resource, "scheduler-mode", "RILL_SCHEDULER_MODE") == "reactive";

    /// <summary>The value of <c>--name value</c> or <c>--name=value</c> in the arguments (the last wins), else of the environment variable.</summary>
    public static string? Setting(ManifestResource resource, string option, string environmentVariable)
    {
        string? value = null;
        for (var i = 0; i < resource.Args.Count; i++)
        {
            var arg = resource.Args[i];
            if (arg == "--" + option && i + 1 < resource.Args.Count)
            {
                value = resource.Args[++i];
            }
            else if (arg.StartsWith("--" + option + "=", StringComparison.Ordinal))
            {
                value = arg[(option.Length + 3)..];
            }
        }

        return value ?? resource.Env.Where(entry => entry.Key == environmentVariable).Select(entry => entry.Value).LastOrDefault();
    }
}
