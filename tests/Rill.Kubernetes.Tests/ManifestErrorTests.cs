using Rill.Kubernetes.Manifest;
using Rill.Kubernetes.Tests.TestSupport;

namespace Rill.Kubernetes.Tests;

/// <summary>A manifest that cannot be deployed is refused with one sentence naming the resource, never half-generated.</summary>
public sealed class ManifestErrorTests
{
    [Fact]
    public void A_missing_manifest_says_how_to_produce_one()
    {
        var error = Assert.Throws<ManifestException>(() => AspireManifestReader.Read("/nonexistent/aspire-manifest.json"));

        Assert.Contains("'/nonexistent/aspire-manifest.json' does not exist", error.Message);
        Assert.Contains("--publisher manifest", error.Message);
    }

    [Theory]
    [InlineData("not json", "is not valid JSON")]
    [InlineData("""{"resources": []}""", "has no \"resources\" object")]
    [InlineData("""{"resources": {"db": {"type": "azure.bicep.v0", "path": "db.bicep"}}}""", "resource 'db' has type 'azure.bicep.v0'")]
    [InlineData("""{"resources": {"db": {"error": "This resource does not support generation in the manifest."}}}""", "resource 'db' has no \"type\"")]
    [InlineData("""{"resources": {"api": {"type": "container.v0", "image": "api", "bindings": {"http": {"scheme": "http", "targetPort": 70000}}}}}""", "targetPort must be a port number")]
    public void A_malformed_manifest_is_refused_when_read(string json, string expected)
    {
        var error = Assert.Throws<ManifestException>(() => AspireManifestReader.Parse(json, "test.json"));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("""{"api": {"type": "container.v0", "image": "api", "env": {"DB": "{db.connectionString}"}}}""", "resource 'api', env DB: cannot resolve the expression {db.connectionString}: there is no resource 'db'")]
    [InlineData("""{"db": {"type": "container.v0", "image": "db", "bindings": {"tcp": {"scheme": "tcp", "targetPort": 5432}}}, "api": {"type": "container.v0", "image": "api", "env": {"DB": "{db.bindings.http.url}"}}}""", "resource 'db' has no binding 'http'")]
    [InlineData("""{"db": {"type": "container.v0", "image": "db", "bindings": {"tcp": {"scheme": "tcp", "targetPort": 5432}}}, "api": {"type": "container.v0", "image": "api", "args": ["{db.bindings.tcp.address}"]}}""", "resource 'api', argument 1: cannot resolve the expression {db.bindings.tcp.address}")]
    [InlineData("""{"db": {"type": "container.v0", "image": "db"}, "api": {"type": "container.v0", "image": "api", "env": {"DB": "{db.connectionString}"}}}""", "resource 'db' has no connection string")]
    [InlineData("""{"size": {"type": "parameter.v0", "value": "{size.inputs.value}", "inputs": {"value": {"type": "string"}}}, "api": {"type": "container.v0", "image": "api", "env": {"SIZE": "{size.value}"}}}""", "parameter 'size' has no default value; pass --parameter size=VALUE")]
    [InlineData("""{"a": {"type": "value.v0", "connectionString": "{b.connectionString}"}, "b": {"type": "value.v0", "connectionString": "{a.connectionString}"}, "api": {"type": "container.v0", "image": "api", "env": {"A": "{a.connectionString}"}}}""", "refers back to itself")]
    [InlineData("""{"redis": {"type": "executable.v0", "command": "redis-server", "workingDirectory": "."}}""", "resource 'redis' is an executable (executable.v0)")]
    [InlineData("""{"api": {"type": "container.v0", "image": "api", "bindMounts": [{"source": "../data", "target": "/data", "readOnly": false}]}}""", "resource 'api' bind-mounts a directory")]
    [InlineData("""{"api": {"type": "container.v0", "image": "api", "bindings": {"grpc": {"scheme": "tcp", "protocol": "tcp"}}}}""", "binding 'grpc' has neither a targetPort nor a port")]
    [InlineData("""{"api": {"type": "project.v0", "path": "Api.csproj", "args": ["--role", "taskmanager"]}}""", "resource 'api' is a Rill process but has no binding named 'health', 'rest' or 'http'")]
    public void A_manifest_that_cannot_be_deployed_is_refused_with_the_resource_named(string resources, string expected)
    {
        var manifest = AspireManifestReader.Parse($$"""{"resources": {{resources}}}""", "test.json");

        var error = Assert.Throws<ManifestException>(() => KustomizeBaseGenerator.Generate(manifest, new KubernetesGenerationOptions()));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_parameter_without_default_takes_the_value_given_as_an_option()
    {
        var manifest = AspireManifestReader.Parse("""{"resources": {"size": {"type": "parameter.v0", "value": "{size.inputs.value}", "inputs": {"value": {"type": "string"}}}, "api": {"type": "container.v0", "image": "api", "env": {"SIZE": "{size.value}"}}}}""", "test.json");

        var generated = KustomizeBaseGenerator.Generate(manifest, new KubernetesGenerationOptions { Parameters = new Dictionary<string, string> { ["size"] = "42" } });

        var configMap = Assert.IsType<k8s.Models.V1ConfigMap>(Assert.Single(generated.Documents, document => document.Kind == "ConfigMap").Object);
        Assert.Equal("42", configMap.Data["SIZE"]);
    }

    [Theory]
    [InlineData(0, 8, 70, "at least 1")]
    [InlineData(4, 2, 70, "is below the minimum")]
    [InlineData(2, 8, 0, "CPU target")]
    public void Options_out_of_range_are_refused_before_generating(int min, int max, int cpu, string expected)
    {
        var options = new KubernetesGenerationOptions { MinReplicas = min, MaxReplicas = max, CpuUtilizationPercent = cpu };

        Assert.Contains(KubernetesOptionsValidation.Problems(options), problem => problem.Contains(expected, StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => KustomizeBaseGenerator.Generate(AspireManifestReader.Read(RepositoryPaths.FixtureManifest), options));
    }

    [Theory]
    [InlineData("10Gi", true)]
    [InlineData("500Mi", true)]
    [InlineData("ten gigs", false)]
    [InlineData("0", false)]
    public void Volume_sizes_must_be_kubernetes_quantities(string size, bool valid)
    {
        var problems = KubernetesOptionsValidation.Problems(new KubernetesGenerationOptions { CheckpointVolumeSize = size });

        Assert.Equal(valid, problems.Count == 0);
    }
}
