using Rill.Kubernetes.Manifest;
using Rill.Kubernetes.Tests.TestSupport;

namespace Rill.Kubernetes.Tests;

/// <summary>
/// <c>deploy/kubernetes</c> is what <c>rill k8s generate</c> makes of the repository's manifest (the AppHost's
/// <c>aspire-manifest.json</c> once it is committed, the fixture until then), with the default options; a change to
/// the manifest or the generator that is not regenerated fails here.
/// </summary>
public sealed class CommittedBaseTests
{
    [Fact]
    public void Deploy_kubernetes_is_the_current_generation_of_the_repository_manifest()
    {
        using var fresh = new TempDirectory();
        KustomizeBaseWriter.Write(KustomizeBaseGenerator.Generate(AspireManifestReader.Read(RepositoryPaths.CommittedBaseSource), new KubernetesGenerationOptions()), fresh.Path);
        var regenerate = $"regenerate it: dotnet run --project src/Rill.Cli -- k8s generate --manifest {RepositoryPaths.Relative(RepositoryPaths.CommittedBaseSource)} --output deploy/kubernetes";

        Assert.True(Directory.Exists(RepositoryPaths.CommittedBase), $"deploy/kubernetes is missing; {regenerate}");
        var expected = Directory.GetFiles(fresh.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var committed = Directory.GetFiles(RepositoryPaths.CommittedBase).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.SequenceEqual(committed), $"deploy/kubernetes has other files than a fresh generation (expected {string.Join(", ", expected)}); {regenerate}");
        foreach (var file in expected)
        {
            var stale = File.ReadAllText(Path.Combine(RepositoryPaths.CommittedBase, file!)) != File.ReadAllText(Path.Combine(fresh.Path, file!));
            Assert.False(stale, $"deploy/kubernetes/{file} is stale; {regenerate}");
        }
    }
}
