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

    [Theory]
    [MemberData(nameof(ManifestSources.All), MemberType = typeof(ManifestSources))]
    public void The_readme_overlay_gives_every_secret_reference_its_key_without_an_api_server(string source)
    {
        using var generated = GeneratedFiles.From(source);
        using var overlay = new TempDirectory();
        var secrets = generated.OfType<k8s.Models.V1Secret>().Select(secret => secret.Metadata.Name).ToList();
        File.WriteAllText(overlay.Combine("kustomization.yaml"),
            $"resources: [{Path.GetRelativePath(overlay.Path, generated.Directory)}]\nsecretGenerator:\n"
            + string.Concat(secrets.Select(name => $"- {{name: {name}, behavior: replace, literals: [value=CHANGE-ME]}}\n"))
            + "generatorOptions: {disableNameSuffixHash: true}\n");

        var (exitCode, output, error) = Kubectl.Run("kustomize", overlay.Path);

        Assert.True(exitCode == 0, $"kubectl kustomize exited {exitCode}: {error}");
        var rendered = KubernetesYaml.LoadAllFromString(output, strict: true);
        var keys = rendered.OfType<k8s.Models.V1Secret>().SelectMany(secret => (secret.Data?.Keys ?? []).Select(key => (secret.Metadata.Name, key))).ToHashSet();
        var references = rendered.OfType<k8s.Models.V1Deployment>().Select(deployment => deployment.Spec.Template)
            .Concat(rendered.OfType<k8s.Models.V1StatefulSet>().Select(set => set.Spec.Template))
            .SelectMany(template => template.Spec.Containers).SelectMany(container => container.Env ?? [])
            .Select(variable => variable.ValueFrom?.SecretKeyRef).OfType<k8s.Models.V1SecretKeySelector>().ToList();
        Assert.NotEmpty(references);
        Assert.All(references, reference => Assert.Contains((reference.Name, reference.Key), keys));
        Assert.DoesNotContain(rendered.OfType<k8s.Models.V1Secret>(), secret => secret.StringData is not null);
    }
}
