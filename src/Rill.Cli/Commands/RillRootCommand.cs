using System.CommandLine;

namespace Rill.Cli.Commands;

/// <summary>The <c>rill</c> command and its subcommands: cluster processes first, then the client commands.</summary>
internal static class RillRootCommand
{
    public static RootCommand Create() => new("Rill: run a session cluster (jobmanager, taskmanager), submit, inspect, savepoint, stop and cancel jobs on it, and generate Kubernetes manifests (k8s generate).")
    {
        JobManagerCommand.Create(),
        TaskManagerCommand.Create(),
        RunCommand.Create(),
        ListCommand.Create(),
        InfoCommand.Create(),
        CancelCommand.Create(),
        SavepointCommand.Create(),
        StopCommand.Create(),
        TaskManagersCommand.Create(),
        KubernetesCommand.Create(),
    };
}
