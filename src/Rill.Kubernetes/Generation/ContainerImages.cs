using Rill.Kubernetes.Manifest;

namespace Rill.Kubernetes.Generation;

/// <summary>
/// The image of each deployable resource. A project's image is what <c>dotnet publish -t:PublishContainer</c> names it:
/// the project file's name in lowercase (the .NET SDK's default <c>ContainerRepository</c>, which Rill's project files
/// also set explicitly), under the given registry, with the given tag. A container keeps the image the AppHost named.
/// </summary>
public static class ContainerImages
{
    public static string For(ManifestResource resource, KubernetesGenerationOptions options)
    {
        switch (resource.Type)
        {
            case ManifestResourceType.Project:
                var project = resource.Path ?? throw new ManifestException($"resource '{resource.Name}' is a project without a \"path\".");
                return Qualified(Repository(project), options);
            case ManifestResourceType.Container when resource.Image is { Length: > 0 } image:
                return image;
            case ManifestResourceType.Container:
                // container.v1 built from a Dockerfile: the image is whatever the user builds and pushes under this name.
                return Qualified(resource.Name.ToLowerInvariant(), options);
            default:
                throw new ManifestException($"resource '{resource.Name}' ({resource.TypeName}) has no container image.");
        }
    }

    /// <summary>The repository name <c>dotnet publish -t:PublishContainer</c> gives a project by default.</summary>
    public static string Repository(string projectPath) =>
        Path.GetFileNameWithoutExtension(projectPath.Replace('\\', '/').Split('/')[^1]).ToLowerInvariant();

    private static string Qualified(string repository, KubernetesGenerationOptions options) =>
        $"{(options.ImageRegistry is { Length: > 0 } registry ? registry.TrimEnd('/') + "/" : "")}{repository}:{options.ImageTag}";
}
