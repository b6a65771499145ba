using System.Text;
using System.Text.RegularExpressions;
using Rill.Kubernetes.Manifest;

namespace Rill.Kubernetes.Topology;

/// <summary>
/// Aspire resource names (letters, digits, hyphens; case-insensitive) as Kubernetes names: object names and DNS labels
/// are lowercase, container port names at most 15 characters.
/// </summary>
public static partial class KubernetesNames
{
    /// <summary>A DNS-1123 label (Services need one: the name is the host name other pods dial).</summary>
    public static string Object(string resourceName)
    {
        var name = resourceName.ToLowerInvariant();
        return DnsLabel().IsMatch(name)
            ? name
            : throw new ManifestException($"resource '{resourceName}' cannot be a Kubernetes object name: it must be at most 63 letters, digits and '-', starting with a letter and not ending with '-'.");
    }

    /// <summary>A container port name (IANA service name: at most 15 lowercase letters, digits and '-', with a letter).</summary>
    public static string Port(ManifestResource resource, ManifestBinding binding)
    {
        var name = new StringBuilder();
        foreach (var c in binding.Name.ToLowerInvariant())
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }

        var text = name.ToString().Trim('-');
        text = text.Length > 15 ? text[..15].TrimEnd('-') : text;
        return text.Length > 0 && text.Any(char.IsAsciiLetter) && !text.Contains("--", StringComparison.Ordinal)
            ? text
            : throw new ManifestException($"resource '{resource.Name}': binding '{binding.Name}' cannot be a Kubernetes port name (at most 15 letters, digits and single '-', with a letter).");
    }

    /// <summary>An environment variable name made from a parameter name, for the variables that hold secrets.</summary>
    public static string SecretVariable(string parameter) =>
        "SECRET_" + string.Concat(parameter.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));

    [GeneratedRegex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
