using Rill.Kubernetes.Manifest;
using Rill.Kubernetes.Tests.TestSupport;

namespace Rill.Kubernetes.Tests;

/// <summary>Regenerating replaces a base completely, and never touches a directory the generator did not write.</summary>
public sealed class WriterTests
{
    private static KustomizeBase FixtureBase() =>
        KustomizeBaseGenerator.Generate(AspireManifestReader.Read(RepositoryPaths.FixtureManifest), new KubernetesGenerationOptions());

    [Fact]
    public void Regenerating_removes_files_of_objects_that_are_gone()
    {
        using var directory = new TempDirectory();
        var output = directory.Combine("base");
        KustomizeBaseWriter.Write(FixtureBase(), output);
        File.WriteAllText(Path.Combine(output, "oldresource-deployment.yaml"), "stale");

        var written = KustomizeBaseWriter.Write(FixtureBase(), output);

        Assert.Equal(written.Select(Path.GetFileName).Order(), Directory.GetFiles(output).Select(Path.GetFileName).Order());
        Assert.DoesNotContain("oldresource-deployment.yaml", Directory.GetFiles(output).Select(Path.GetFileName));
    }

    [Fact]
    public void A_directory_with_other_files_is_refused_and_left_as_it_is()
    {
        using var directory = new TempDirectory();
        File.WriteAllText(directory.Combine("notes.txt"), "mine");

        var error = Assert.Throws<KubernetesOutputException>(() => KustomizeBaseWriter.Write(FixtureBase(), directory.Path));

        Assert.Contains("is not empty", error.Message);
        Assert.Equal(["notes.txt"], Directory.GetFiles(directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void The_kustomization_lists_exactly_the_written_objects()
    {
        using var directory = new TempDirectory();

        var written = KustomizeBaseWriter.Write(FixtureBase(), directory.Path);

        var listed = File.ReadAllLines(directory.Combine(KustomizeBase.KustomizationFileName)).Where(line => line.StartsWith("- ", StringComparison.Ordinal)).Select(line => line[2..]);
        Assert.Equal(written.Select(Path.GetFileName).Where(name => name != KustomizeBase.KustomizationFileName).Order(), listed.Order());
    }
}
