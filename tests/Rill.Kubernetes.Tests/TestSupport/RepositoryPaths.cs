using System.Reflection;

namespace Rill.Kubernetes.Tests.TestSupport;

/// <summary>Files of this repository the tests read (recorded at build time, whatever the test runner's directory).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = typeof(RepositoryPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "RepositoryRoot").Value!;

    /// <summary>The AppHost's manifest, once the AppHost publishes one to the repository root.</summary>
    public static string RootManifest => Path.Combine(Root, "aspire-manifest.json");

    /// <summary>A hand-made manifest of the same topology (what the AppHost's manifest looks like), used until it exists.</summary>
    public static string FixtureManifest => Path.Combine(Root, "tests", "Rill.Kubernetes.Tests", "Fixtures", "aspire-manifest.json");

    public static string CommittedBase => Path.Combine(Root, "deploy", "kubernetes");

    /// <summary>What deploy/kubernetes is generated from: the AppHost's manifest when present, else the fixture.</summary>
    public static string CommittedBaseSource => File.Exists(RootManifest) ? RootManifest : FixtureManifest;

    public static string Relative(string path) => Path.GetRelativePath(Root, path);
}
