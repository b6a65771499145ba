using k8s.Models;

namespace Rill.Kubernetes.Generation;

/// <summary>
/// What a Rill process needs in a pod whatever the AppHost said locally: listen on every interface (probes and peers
/// come from other pods), advertise the pod's own IP (task managers exchange data directly, not through a Service), and
/// checkpoint to the shared volume (a path from the developer's machine means nothing in the cluster). These win over
/// the manifest: its environment variables of the same name are dropped and the matching arguments rewritten.
/// </summary>
public static class RillProcessSettings
{
    public const string BindAddressVariable = "RILL_BIND_ADDRESS";
    public const string AdvertisedAddressVariable = "RILL_ADVERTISED_ADDRESS";
    public const string CheckpointDirectoryVariable = "RILL_CHECKPOINT_DIR";

    public const string BindAddress = "0.0.0.0";

    /// <summary>Where the ReadWriteMany checkpoint volume is mounted in every job manager and task manager.</summary>
    public const string CheckpointDirectory = "/var/lib/rill/checkpoints";

    public static readonly IReadOnlySet<string> Variables = new HashSet<string>(StringComparer.Ordinal)
    {
        BindAddressVariable, AdvertisedAddressVariable, CheckpointDirectoryVariable,
    };

    public static IEnumerable<V1EnvVar> Environment() =>
    [
        new V1EnvVar { Name = BindAddressVariable, Value = BindAddress },
        new V1EnvVar { Name = AdvertisedAddressVariable, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } },
        new V1EnvVar { Name = CheckpointDirectoryVariable, Value = CheckpointDirectory },
    ];

    /// <summary>The process's arguments with <c>--bind-address</c>, <c>--advertised-address</c> and <c>--checkpoint-dir</c> pointed at the pod's.</summary>
    public static List<string> Arguments(IReadOnlyList<string> args)
    {
        var replacements = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--bind-address"] = BindAddress,
            // Kubernetes expands $(NAME) in arguments from the container's environment.
            ["--advertised-address"] = $"$({AdvertisedAddressVariable})",
            ["--checkpoint-dir"] = CheckpointDirectory,
        };
        var result = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (replacements.TryGetValue(arg, out var value) && i + 1 < args.Count)
            {
                result.Add(arg);
                result.Add(value);
                i++;
            }
            else if (arg.Split('=', 2) is [var option, _] && replacements.TryGetValue(option, out var inline))
            {
                result.Add($"{option}={inline}");
            }
            else
            {
                result.Add(arg);
            }
        }

        return result;
    }
}
