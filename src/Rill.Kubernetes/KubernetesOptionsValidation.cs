using System.Text.RegularExpressions;
using k8s.Models;

namespace Rill.Kubernetes;

/// <summary>Checks the options before anything is generated; each problem is one sentence naming the option.</summary>
public static partial class KubernetesOptionsValidation
{
    public static IReadOnlyList<string> Problems(KubernetesGenerationOptions options)
    {
        var problems = new List<string>();
        if (options.Namespace is { } ns && !DnsLabel().IsMatch(ns))
        {
            problems.Add($"namespace '{ns}' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63).");
        }

        if (!DnsLabel().IsMatch(options.PartOf))
        {
            problems.Add($"part-of '{options.PartOf}' must be lowercase letters, digits and '-' (it prefixes object names).");
        }

        if (!ImageTag().IsMatch(options.ImageTag))
        {
            problems.Add($"image tag '{options.ImageTag}' is not a container image tag (letters, digits, '_', '.', '-', at most 128).");
        }

        if (options.ImageRegistry is { } registry && (registry.Length == 0 || registry.Any(char.IsWhiteSpace) || registry.Contains(':') && !registry.Split('/')[0].Contains(':')))
        {
            problems.Add($"image registry '{registry}' is not a registry and path (e.g. ghcr.io/acme or localhost:5000).");
        }

        if (options.MinReplicas < 1)
        {
            problems.Add($"the minimum number of task managers must be at least 1, got {options.MinReplicas}.");
        }

        if (options.MaxReplicas < options.MinReplicas)
        {
            problems.Add($"the maximum number of task managers ({options.MaxReplicas}) is below the minimum ({options.MinReplicas}).");
        }

        if (options.CpuUtilizationPercent is < 1 or > 1000)
        {
            problems.Add($"the CPU target must be a percentage of the request between 1 and 1000, got {options.CpuUtilizationPercent}.");
        }

        if (options.TaskManagerTerminationGracePeriodSeconds < 0)
        {
            problems.Add($"the task manager termination grace period cannot be negative, got {options.TaskManagerTerminationGracePeriodSeconds} s.");
        }

        foreach (var (name, value) in new[] { ("checkpoint volume size", options.CheckpointVolumeSize), ("data volume size", options.DataVolumeSize) })
        {
            if (!IsStorageQuantity(value))
            {
                problems.Add($"the {name} '{value}' is not a Kubernetes quantity of bytes (e.g. 10Gi, 500Mi).");
            }
        }

        if (options.StorageClass is { } storageClass && !DnsSubdomain().IsMatch(storageClass))
        {
            problems.Add($"storage class '{storageClass}' is not a Kubernetes object name.");
        }

        return problems;
    }

    private static bool IsStorageQuantity(string value)
    {
        if (!Quantity().IsMatch(value))
        {
            return false;
        }

        try
        {
            return new ResourceQuantity(value).ToDecimal() > 0;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex ImageTag();

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")]
    private static partial Regex Quantity();
}
