using k8s;
using Rill.Kubernetes.Tests.TestSupport;

namespace Rill.Kubernetes.Tests;

/// <summary>
/// <c>kubectl kustomize</c> renders the base offline: the kustomization lists every file, and each is an object kustomize
/// accepts. No Kubernetes API server runs here, so nothing is applied; what a cluster's admission would add is not tested.
/// </summary>
public sealed class KustomizeTests
{
    [Theory]
    [MemberData(nameof(ManifestSources.All), MemberType = typeof(ManifestSources))]
    public void Kubectl_kustomize_renders_every_object_of_the_base_without_an_api_server(string source)
    {
        using var generated = GeneratedFiles.From(source);

        var (exitCode, output, error) = Kubectl.Run("kustomize", generated.Directory);

        Assert.True(exitCode == 0, $"kubectl kustomize exited {exitCode}: {error}");
        var rendered = KubernetesYaml.LoadAllFromString(output, strict: true);
        Assert.Equal(generated.Objects.Count, rendered.Count);
    }

    [Fact]
    public void A_namespace_option_puts_every_rendered_object_in_it_without_an_api_server()
    {
        using var generated = GeneratedFiles.From("fixture", new KubernetesGenerationOptions { Namespace = "streaming" });

        var (exitCode, output, error) = Kubectl.Run("kustomize", generated.Directory);

        Assert.True(exitCode == 0, $"kubectl kustomize exited {exitCode}: {error}");
        var rendered = KubernetesYaml.LoadAllFromString(output, strict: true).Cast<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>>().ToList();
        Assert.Contains(rendered, item => item is k8s.Models.V1Namespace { Metadata.Name: "streaming" });
        Assert.All(rendered.Where(item => item is not k8s.Models.V1Namespace), item => Assert.Equal("streaming", item.Metadata.NamespaceProperty));
    }
}
