namespace Rill.Kubernetes.Tests.TestSupport;

/// <summary>The manifests every cross-reference test runs on: the fixture, and the AppHost's own once it exists.</summary>
public static class ManifestSources
{
    public static TheoryData<string> All()
    {
        var data = new TheoryData<string> { "fixture" };
        if (File.Exists(RepositoryPaths.RootManifest))
        {
            data.Add("aspire-manifest.json");
        }

        return data;
    }

    internal static string PathOf(string source) => source switch
    {
        "fixture" => RepositoryPaths.FixtureManifest,
        "aspire-manifest.json" => RepositoryPaths.RootManifest,
        _ => throw new ArgumentException($"Unknown manifest source '{source}'.", nameof(source)),
    };
}
