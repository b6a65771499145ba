using System.Text.RegularExpressions;
using Rill.Kubernetes.Manifest;

namespace Rill.Kubernetes.Tests.TestSupport;

/// <summary>
/// What a manifest string refers to, read independently of the generator: the resources and properties in its
/// <c>{resource.property...}</c> expressions, following connection strings to the resources they name in turn.
/// </summary>
internal static partial class ManifestReferences
{
    public sealed record Reference(ManifestResource Resource, string Property);

    public static IEnumerable<Reference> Of(AspireManifest manifest, string value, int depth = 0)
    {
        Assert.True(depth < 10, $"connection strings refer to each other in a loop near '{value}'");
        foreach (Match match in Expression().Matches(value))
        {
            var resource = manifest.Find(match.Groups[1].Value);
            Assert.NotNull(resource);
            var property = match.Groups[2].Value;
            yield return new Reference(resource, property);
            if (property == "connectionString" && resource.ConnectionString is { } connectionString)
            {
                foreach (var nested in Of(manifest, connectionString, depth + 1))
                {
                    yield return nested;
                }
            }
        }
    }

    public static bool UsesSecret(AspireManifest manifest, string value) =>
        Of(manifest, value).Any(reference => reference.Resource.IsSecretParameter);

    /// <summary>Deployable resources (they get Services) that a value reaches for an address.</summary>
    public static IEnumerable<Reference> Endpoints(AspireManifest manifest, string value) =>
        Of(manifest, value).Where(reference => reference.Resource.Type is ManifestResourceType.Project or ManifestResourceType.Container
            && (reference.Property.StartsWith("bindings.", StringComparison.Ordinal) || reference.Property == "connectionString"));

    [GeneratedRegex(@"\{([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z0-9_.-]+)\}")]
    private static partial Regex Expression();
}
