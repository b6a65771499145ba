using k8s;
using k8s.Models;
using Rill.Kubernetes.Manifest;

namespace Rill.Kubernetes.Tests.TestSupport;

/// <summary>
/// A base generated into a temporary directory and read back from its files — what kubectl would read — through
/// KubernetesClient's strict deserializer (an unknown field is an error), so every assertion is about the files.
/// </summary>
internal sealed class GeneratedFiles : IDisposable
{
    private readonly TempDirectory _directory = new();

    public GeneratedFiles(string manifestPath, KubernetesGenerationOptions? options = null)
    {
        try
        {
            Manifest = AspireManifestReader.Read(manifestPath);
            Options = options ?? new KubernetesGenerationOptions();
            KustomizeBaseWriter.Write(KustomizeBaseGenerator.Generate(Manifest, Options), Directory);
            Files = System.IO.Directory.GetFiles(Directory, "*.yaml").Where(file => Path.GetFileName(file) != KustomizeBase.KustomizationFileName).Order(StringComparer.Ordinal).ToList();
            Objects = Files.Select(file => (IKubernetesObject<V1ObjectMeta>)Assert.Single(KubernetesYaml.LoadAllFromString(File.ReadAllText(file), strict: true))).ToList();
        }
        catch
        {
            // A failing generation fails the test; its directory must not outlive it.
            _directory.Dispose();
            throw;
        }
    }

    public static GeneratedFiles From(string source, KubernetesGenerationOptions? options = null) => new(ManifestSources.PathOf(source), options);

    public AspireManifest Manifest { get; }

    public KubernetesGenerationOptions Options { get; }

    public string Directory => _directory.Path;

    public IReadOnlyList<string> Files { get; }

    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects { get; }

    public IEnumerable<T> OfType<T>() => Objects.OfType<T>();

    public V1Deployment Deployment(string name) => Assert.Single(OfType<V1Deployment>(), deployment => deployment.Metadata.Name == name);

    /// <summary>Every pod template of the base (Deployments and StatefulSets) with the workload's name.</summary>
    public IEnumerable<(string Workload, V1PodTemplateSpec Template)> PodTemplates() =>
        OfType<V1Deployment>().Select(deployment => (deployment.Metadata.Name, deployment.Spec.Template))
            .Concat(OfType<V1StatefulSet>().Select(set => (set.Metadata.Name, set.Spec.Template)));

    public V1Container Container(string workload) =>
        Assert.Single(Assert.Single(PodTemplates(), template => template.Workload == workload).Template.Spec.Containers);

    /// <summary>A container's environment as the process sees it: its ConfigMaps' data, then its own env entries.</summary>
    public Dictionary<string, V1EnvVar> Environment(V1Container container)
    {
        var environment = new Dictionary<string, V1EnvVar>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
        {
            var configMap = Assert.Single(OfType<V1ConfigMap>(), map => map.Metadata.Name == source.ConfigMapRef.Name);
            foreach (var (key, value) in configMap.Data)
            {
                environment[key] = new V1EnvVar { Name = key, Value = value };
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            environment[variable.Name] = variable;
        }

        return environment;
    }

    public void Dispose() => _directory.Dispose();
}
