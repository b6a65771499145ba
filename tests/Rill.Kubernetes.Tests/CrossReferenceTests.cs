using System.Text.RegularExpressions;
using k8s.Models;
using Rill.Kubernetes.Generation;
using Rill.Kubernetes.Manifest;
using Rill.Kubernetes.Tests.TestSupport;

namespace Rill.Kubernetes.Tests;

/// <summary>
/// The objects fit together as a cluster would wire them (checked on the files, without an API server): Services select
/// pods, addresses in the environment name Services and their ports, the autoscaler scales the task managers, probes
/// use ports the containers declare, and secrets reach containers only through Secrets.
/// </summary>
public sealed partial class CrossReferenceTests
{
    [Theory]
    [MemberData(nameof(ManifestSources.All), MemberType = typeof(ManifestSources))]
    public void Every_service_selector_matches_the_labels_of_a_pod_template(string source)
    {
        using var generated = GeneratedFiles.From(source);

        var services = generated.OfType<V1Service>().ToList();
        Assert.NotEmpty(services);
        foreach (var service in services)
        {
            Assert.NotEmpty(service.Spec.Selector);
            var selected = generated.PodTemplates().Where(template =>
                service.Spec.Selector.All(label => template.Template.Metadata.Labels.TryGetValue(label.Key, out var value) && value == label.Value)).ToList();
            var (workload, template) = Assert.Single(selected);
            Assert.Equal(service.Metadata.Name, workload);
            var declared = template.Spec.Containers.SelectMany(container => container.Ports ?? []).ToList();
            Assert.All(service.Spec.Ports, port => Assert.Contains(declared, declaredPort => declaredPort.Name == port.TargetPort.Value));
        }
    }

    [Theory]
    [MemberData(nameof(ManifestSources.All), MemberType = typeof(ManifestSources))]
    public void Every_env_reference_to_another_resource_resolves_to_a_service_dns_name_and_port(string source)
    {
        using var generated = GeneratedFiles.From(source);

        var checkedValues = 0;
        foreach (var resource in generated.Manifest.Resources.Where(resource => resource.Type is ManifestResourceType.Project or ManifestResourceType.Container))
        {
            var container = generated.Container(resource.Name.ToLowerInvariant());
            var environment = generated.Environment(container);
            var values = resource.Env.Select(entry => (Manifest: entry.Value, Generated: Assert.Contains(entry.Key, environment).Value, Where: $"{resource.Name} env {entry.Key}"))
                .Concat(resource.Args.Select((arg, i) => (Manifest: arg, Generated: container.Args[i], Where: $"{resource.Name} argument {i + 1}")));
            foreach (var (manifestValue, generatedValue, where) in values)
            {
                var endpoints = ManifestReferences.Endpoints(generated.Manifest, manifestValue).ToList();
                if (endpoints.Count == 0)
                {
                    continue;
                }

                Assert.True(generatedValue is not null, $"{where} is not a plain value in the generated container");
                Assert.DoesNotMatch(@"\{[A-Za-z][A-Za-z0-9_-]*\.", generatedValue);
                var addresses = HostAndPort().Matches(generatedValue).Select(match => (Host: match.Groups[1].Value, Port: int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();
                foreach (var endpoint in endpoints)
                {
                    var service = Assert.Single(generated.OfType<V1Service>(), service => service.Metadata.Name == endpoint.Resource.Name.ToLowerInvariant());
                    var servicePorts = service.Spec.Ports.Select(port => port.Port).ToList();
                    var containerPorts = generated.Container(service.Metadata.Name).Ports.Select(port => port.ContainerPort).ToList();
                    switch (endpoint.Property.Split('.')[^1])
                    {
                        case "host":
                            Assert.Contains(service.Metadata.Name, generatedValue);
                            break;
                        case "port":
                            Assert.Contains(servicePorts, port => generatedValue.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
                            break;
                        case "targetPort":
                            Assert.Contains(containerPorts, port => generatedValue.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
                            break;
                        default: // url, hostAndPort, connectionString: the Service's DNS name with one of its ports
                            Assert.True(addresses.Any(address => address.Host == service.Metadata.Name && servicePorts.Contains(address.Port)),
                                $"{where} = '{generatedValue}' has no {service.Metadata.Name}:PORT with a port of Service {service.Metadata.Name} ({string.Join(", ", servicePorts)})");
                            break;
                    }

                    checkedValues++;
                }
            }
        }

        Assert.True(checkedValues > 0, "the manifest has no references between resources to check");
    }

    [Theory]
    [MemberData(nameof(ManifestSources.All), MemberType = typeof(ManifestSources))]
    public void The_autoscaler_scales_the_taskmanager_deployment_within_the_configured_bounds(string source)
    {
        var options = new KubernetesGenerationOptions { MinReplicas = 3, MaxReplicas = 12, CpuUtilizationPercent = 65 };
        using var generated = GeneratedFiles.From(source, options);

        var autoscaler = Assert.Single(generated.OfType<V2HorizontalPodAutoscaler>());
        Assert.Equal("apps/v1", autoscaler.Spec.ScaleTargetRef.ApiVersion);
        Assert.Equal("Deployment", autoscaler.Spec.ScaleTargetRef.Kind);
        var target = generated.Deployment(autoscaler.Spec.ScaleTargetRef.Name);
        Assert.Equal(Components.TaskManager, target.Spec.Template.Metadata.Labels[Labels.Component]);
        Assert.Equal(3, autoscaler.Spec.MinReplicas);
        Assert.Equal(12, autoscaler.Spec.MaxReplicas);
        Assert.Equal(3, target.Spec.Replicas);
        var cpu = Assert.Single(autoscaler.Spec.Metrics);
        Assert.Equal("cpu", cpu.Resource.Name);
        Assert.Equal("Utilization", cpu.Resource.Target.Type);
        Assert.Equal(65, cpu.Resource.Target.AverageUtilization);
        // Utilization is a share of the request: without one the autoscaler cannot compute it.
        Assert.True(Assert.Single(target.Spec.Template.Spec.Containers).Resources.Requests.ContainsKey("cpu"));
    }

    [Theory]
    [MemberData(nameof(ManifestSources.All), MemberType = typeof(ManifestSources))]
    public void Probes_hit_health_endpoints_on_ports_the_containers_declare(string source)
    {
        using var generated = GeneratedFiles.From(source);

        foreach (var (workload, template) in generated.PodTemplates())
        {
            var container = Assert.Single(template.Spec.Containers);
            var component = template.Metadata.Labels[Labels.Component];
            var probes = new[] { container.StartupProbe, container.ReadinessProbe, container.LivenessProbe }.Where(probe => probe is not null).ToList();
            foreach (var probe in probes)
            {
                var port = probe.HttpGet?.Port ?? probe.TcpSocket?.Port ?? throw new Xunit.Sdk.XunitException($"{workload}: a probe that is neither HTTP nor TCP");
                Assert.Contains(container.Ports, declared => declared.Name == port.Value || declared.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == port.Value);
            }

            if (component is Components.JobManager or Components.TaskManager)
            {
                Assert.Equal("/health", container.ReadinessProbe.HttpGet.Path);
                Assert.Equal("/alive", container.LivenessProbe.HttpGet.Path);
                Assert.Equal("HTTP", container.ReadinessProbe.HttpGet.Scheme);
                Assert.Equal(container.ReadinessProbe.HttpGet.Port.Value, container.LivenessProbe.HttpGet.Port.Value);
            }
            else if (component == Components.BackingService && container.Ports is { Count: > 0 })
            {
                Assert.NotNull(container.ReadinessProbe.TcpSocket);
                Assert.NotNull(container.LivenessProbe.TcpSocket);
            }
        }

        // The job manager is probed on its REST binding (named rest by the AppHost, http in the fixture); a task manager on
        // its health binding (else http).
        Assert.Contains(generated.Container("jobmanager").ReadinessProbe.HttpGet.Port.Value, new[] { "rest", "http" });
        Assert.Contains(generated.Container("taskmanager").ReadinessProbe.HttpGet.Port.Value, new[] { "health", "http" });
    }

    [Theory]
    [MemberData(nameof(ManifestSources.All), MemberType = typeof(ManifestSources))]
    public void No_secret_reaches_a_config_map_and_every_secret_comes_from_a_generated_secret(string source)
    {
        using var generated = GeneratedFiles.From(source);

        var secretParameters = generated.Manifest.Resources.Where(resource => resource.IsSecretParameter).ToList();
        Assert.NotEmpty(secretParameters);
        var secrets = generated.OfType<V1Secret>().ToList();
        Assert.Equal(secretParameters.Select(parameter => parameter.Name.ToLowerInvariant()).Order(), secrets.Select(secret => secret.Metadata.Name).Order());
        // Values never go into the files: an overlay supplies them (KustomizeTests renders one).
        Assert.All(secrets, secret => Assert.True(secret.Data is null && secret.StringData is null, $"Secret {secret.Metadata.Name} holds a value"));

        var usesChecked = 0;
        foreach (var resource in generated.Manifest.Resources.Where(resource => resource.Type is ManifestResourceType.Project or ManifestResourceType.Container))
        {
            var container = generated.Container(resource.Name.ToLowerInvariant());
            var configMapKeys = (container.EnvFrom ?? []).SelectMany(source => Assert.Single(generated.OfType<V1ConfigMap>(), map => map.Metadata.Name == source.ConfigMapRef.Name).Data.Keys).ToHashSet();
            var env = (container.Env ?? []).ToDictionary(variable => variable.Name);
            foreach (var (key, value) in resource.Env.Where(entry => ManifestReferences.UsesSecret(generated.Manifest, entry.Value)))
            {
                Assert.DoesNotContain(key, configMapKeys);
                var variable = Assert.Contains(key, env);
                var secretNames = variable.ValueFrom?.SecretKeyRef is { } direct
                    ? [direct.Name]
                    : SecretExpansion().Matches(variable.Value).Select(match => Assert.Contains(match.Groups[1].Value, env).ValueFrom.SecretKeyRef.Name).ToList();
                Assert.NotEmpty(secretNames);
                Assert.All(secretNames, name => Assert.Contains(secrets, secret => secret.Metadata.Name == name));
                usesChecked++;
            }
        }

        Assert.True(usesChecked > 0, "no environment variable of the manifest uses a secret");
    }

    [Fact]
    public void A_secret_default_in_the_manifest_is_written_to_no_file()
    {
        const string secretValue = "s3cret-default-from-the-apphost";
        var manifest = File.ReadAllText(RepositoryPaths.FixtureManifest).Replace(
            "\"secret\": true,\n          \"default\": {\n            \"generate\": {\n              \"minLength\": 32,",
            $"\"secret\": true,\n          \"default\": {{\n            \"value\": \"{secretValue}\",\n            \"generate\": {{\n              \"minLength\": 32,",
            StringComparison.Ordinal);
        Assert.Contains(secretValue, manifest);
        using var directory = new TempDirectory();
        File.WriteAllText(directory.Combine("aspire-manifest.json"), manifest);
        using var generated = new GeneratedFiles(directory.Combine("aspire-manifest.json"));

        Assert.Equal(secretValue, generated.Manifest.Find("rill-auth-token")!.Input!.DefaultValue);
        Assert.All(Directory.GetFiles(generated.Directory), file => Assert.DoesNotContain(secretValue, File.ReadAllText(file)));
    }

    [GeneratedRegex(@"(?<![\w.-])([a-z][a-z0-9-]*):([0-9]+)")]
    private static partial Regex HostAndPort();

    [GeneratedRegex(@"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex SecretExpansion();
}
