using System.CommandLine;

namespace Rill.Cli.Commands;

/// <summary><c>rill k8s</c>: Kubernetes publishing (its one subcommand, <c>generate</c>).</summary>
internal static class KubernetesCommand
{
    public static Command Create() => new("k8s", "Kubernetes publishing: generate a kustomize base from an Aspire manifest.")
    {
        KubernetesGenerateCommand.Create(),
    };
}
