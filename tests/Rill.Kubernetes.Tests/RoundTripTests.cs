using k8s;
using k8s.Models;
using Rill.Kubernetes.Tests.TestSupport;

namespace Rill.Kubernetes.Tests;

/// <summary>
/// Every generated file is a valid object of KubernetesClient's typed models (the OpenAPI schema's types): read back with
/// unknown fields refused, it serializes to exactly the file's text. A field Kubernetes does not have, or a value of the
/// wrong type, would fail here instead of at <c>kubectl apply</c>.
/// </summary>
public sealed class RoundTripTests
{
    [Theory]
    [MemberData(nameof(ManifestSources.All), MemberType = typeof(ManifestSources))]
    public void Every_document_round_trips_through_the_typed_models_with_unknown_fields_refused(string source)
    {
        using var generated = GeneratedFiles.From(source);

        Assert.NotEmpty(generated.Files);
        foreach (var file in generated.Files)
        {
            var text = File.ReadAllText(file);
            var read = Assert.Single(KubernetesYaml.LoadAllFromString(text, strict: true));
            Assert.Equal(text, KubernetesYaml.Serialize(read) + "\n");
            Assert.Equal(Path.GetFileName(file), $"{((IKubernetesObject<V1ObjectMeta>)read).Metadata.Name}-{((IKubernetesObject<V1ObjectMeta>)read).Kind.ToLowerInvariant()}.yaml");
        }
    }

    [Fact]
    public void The_strict_reader_refuses_a_field_the_model_does_not_have()
    {
        using var generated = GeneratedFiles.From("fixture");
        var text = File.ReadAllText(Path.Combine(generated.Directory, "taskmanager-deployment.yaml"));

        var withUnknownField = text.Replace("spec:\n  replicas:", "spec:\n  replica: 3\n  replicas:", StringComparison.Ordinal);

        Assert.NotEqual(text, withUnknownField);
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(withUnknownField, strict: true));
    }
}
