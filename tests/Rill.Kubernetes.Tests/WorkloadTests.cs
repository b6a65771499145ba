using k8s.Models;
using Rill.Kubernetes.Generation;
using Rill.Kubernetes.Tests.TestSupport;

namespace Rill.Kubernetes.Tests;

/// <summary>What each workload gets beyond the manifest: volumes, identity, shutdown time, resources and labels.</summary>
public sealed class WorkloadTests
{
    [Theory]
    [MemberData(nameof(ManifestSources.All), MemberType = typeof(ManifestSources))]
    public void Job_manager_and_task_managers_share_a_read_write_many_checkpoint_volume_named_by_RILL_CHECKPOINT_DIR(string source)
    {
        using var generated = GeneratedFiles.From(source, new KubernetesGenerationOptions { StorageClass = "nfs-client", CheckpointVolumeSize = "25Gi" });

        var claim = Assert.Single(generated.OfType<V1PersistentVolumeClaim>());
        Assert.Equal(["ReadWriteMany"], claim.Spec.AccessModes);
        Assert.Equal("nfs-client", claim.Spec.StorageClassName);
        Assert.Equal(new ResourceQuantity("25Gi"), claim.Spec.Resources.Requests["storage"]);
        foreach (var workload in new[] { "jobmanager", "taskmanager" })
        {
            var template = generated.Deployment(workload).Spec.Template;
            var volume = Assert.Single(template.Spec.Volumes, volume => volume.PersistentVolumeClaim?.ClaimName == claim.Metadata.Name);
            var container = Assert.Single(template.Spec.Containers);
            var mount = Assert.Single(container.VolumeMounts, mount => mount.Name == volume.Name);
            Assert.Equal(mount.MountPath, generated.Environment(container)["RILL_CHECKPOINT_DIR"].Value);
        }
    }

    [Fact]
    public void A_checkpoint_directory_from_the_developer_machine_is_replaced_by_the_volume()
    {
        using var generated = GeneratedFiles.From("fixture");

        Assert.Contains(generated.Manifest.Find("taskmanager")!.Env, entry => entry.Key == "RILL_CHECKPOINT_DIR" && entry.Value.StartsWith("/tmp/", StringComparison.Ordinal));
        var container = generated.Container("taskmanager");
        Assert.Equal(RillProcessSettings.CheckpointDirectory, generated.Environment(container)["RILL_CHECKPOINT_DIR"].Value);
        Assert.Single(container.Env, variable => variable.Name == "RILL_CHECKPOINT_DIR");
    }

    [Fact]
    public void Rill_processes_listen_on_every_interface_and_advertise_their_pod_ip()
    {
        using var generated = GeneratedFiles.From("fixture");

        foreach (var workload in new[] { "jobmanager", "taskmanager" })
        {
            var environment = generated.Environment(generated.Container(workload));
            Assert.Equal("0.0.0.0", environment["RILL_BIND_ADDRESS"].Value);
            Assert.Equal("status.podIP", environment["RILL_ADVERTISED_ADDRESS"].ValueFrom.FieldRef.FieldPath);
        }
    }

    [Theory]
    [MemberData(nameof(ManifestSources.All), MemberType = typeof(ManifestSources))]
    public void The_job_manager_may_get_list_watch_create_and_delete_pods_and_no_other_pod_has_a_token(string source)
    {
        using var generated = GeneratedFiles.From(source);

        var jobManager = generated.Deployment("jobmanager").Spec.Template.Spec;
        var account = Assert.Single(generated.OfType<V1ServiceAccount>(), account => account.Metadata.Name == jobManager.ServiceAccountName);
        var binding = Assert.Single(generated.OfType<V1RoleBinding>(), binding => binding.Subjects.Any(subject => subject.Kind == "ServiceAccount" && subject.Name == account.Metadata.Name));
        Assert.Equal("Role", binding.RoleRef.Kind);
        var role = Assert.Single(generated.OfType<V1Role>(), role => role.Metadata.Name == binding.RoleRef.Name);
        var rule = Assert.Single(role.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Equal(["create", "delete", "get", "list", "watch"], rule.Verbs.Order());
        Assert.All(generated.PodTemplates().Where(template => template.Workload != "jobmanager"), template =>
        {
            Assert.Null(template.Template.Spec.ServiceAccountName);
            Assert.False(template.Template.Spec.AutomountServiceAccountToken);
        });
    }

    [Theory]
    [MemberData(nameof(ManifestSources.All), MemberType = typeof(ManifestSources))]
    public void Redis_and_kafka_are_stateful_sets_whose_volume_claims_are_mounted_where_the_manifest_says(string source)
    {
        using var generated = GeneratedFiles.From(source);

        foreach (var name in new[] { "redis", "kafka" })
        {
            var resource = generated.Manifest.Find(name)!;
            var set = Assert.Single(generated.OfType<V1StatefulSet>(), set => set.Metadata.Name == name);
            Assert.Equal(name, set.Spec.ServiceName);
            var container = Assert.Single(set.Spec.Template.Spec.Containers);
            Assert.Equal(resource.Volumes.Select(volume => volume.Target).Order(), container.VolumeMounts.Select(mount => mount.MountPath).Order());
            Assert.All(container.VolumeMounts, mount => Assert.Contains(set.Spec.VolumeClaimTemplates, claim => claim.Metadata.Name == mount.Name));
            Assert.All(set.Spec.VolumeClaimTemplates, claim => Assert.Equal(["ReadWriteOnce"], claim.Spec.AccessModes));
        }

        Assert.DoesNotContain(generated.OfType<V1Deployment>(), deployment => deployment.Metadata.Name is "redis" or "kafka");
    }

    [Fact]
    public void A_task_manager_gets_the_grace_period_to_stop_with_a_savepoint_and_the_job_manager_is_never_doubled()
    {
        using var generated = GeneratedFiles.From("fixture", new KubernetesGenerationOptions { TaskManagerTerminationGracePeriodSeconds = 90 });

        Assert.Equal(90, generated.Deployment("taskmanager").Spec.Template.Spec.TerminationGracePeriodSeconds);
        var jobManager = generated.Deployment("jobmanager");
        Assert.Equal(1, jobManager.Spec.Replicas);
        Assert.Equal("Recreate", jobManager.Spec.Strategy.Type);
    }

    [Theory]
    [MemberData(nameof(ManifestSources.All), MemberType = typeof(ManifestSources))]
    public void Every_container_has_resource_requests_and_limits_and_every_object_the_recommended_labels(string source)
    {
        using var generated = GeneratedFiles.From(source);

        Assert.All(generated.PodTemplates(), template =>
        {
            var container = Assert.Single(template.Template.Spec.Containers);
            Assert.Equal(["cpu", "memory"], container.Resources.Requests.Keys.Order());
            Assert.Equal(["cpu", "memory"], container.Resources.Limits.Keys.Order());
            Assert.All(container.Resources.Requests, request => Assert.True(request.Value.ToDecimal() <= container.Resources.Limits[request.Key].ToDecimal()));
        });
        foreach (var item in generated.Objects.Where(item => item is not V1Namespace))
        {
            foreach (var label in new[] { Labels.Name, Labels.Instance, Labels.Component, Labels.PartOf, Labels.ManagedBy })
            {
                Assert.True(item.Metadata.Labels?.ContainsKey(label) == true, $"{item.Kind} {item.Metadata.Name} has no {label} label");
            }

            Assert.Equal("rill", item.Metadata.Labels![Labels.PartOf]);
        }
    }

    [Fact]
    public void Project_images_use_the_registry_and_tag_and_containers_keep_the_apphost_image()
    {
        using var generated = GeneratedFiles.From("fixture", new KubernetesGenerationOptions { ImageRegistry = "ghcr.io/acme/", ImageTag = "1.2.3" });

        Assert.Equal("ghcr.io/acme/kafkaclickcounts:1.2.3", generated.Container("jobmanager").Image);
        Assert.Equal("ghcr.io/acme/kafkaclickcounts:1.2.3", generated.Container("taskmanager").Image);
        Assert.Equal(generated.Manifest.Find("redis")!.Image, generated.Container("redis").Image);
        Assert.Equal(generated.Manifest.Find("kafka")!.Image, generated.Container("kafka").Image);
    }

    [Fact]
    public void Without_reactive_mode_there_is_no_autoscaler_and_task_managers_keep_their_count()
    {
        using var directory = new TempDirectory();
        var manifest = File.ReadAllText(RepositoryPaths.FixtureManifest).Replace("\"reactive\"", "\"default\"", StringComparison.Ordinal);
        File.WriteAllText(directory.Combine("aspire-manifest.json"), manifest);

        using var generated = new GeneratedFiles(directory.Combine("aspire-manifest.json"), new KubernetesGenerationOptions { MinReplicas = 4 });

        Assert.Empty(generated.OfType<V2HorizontalPodAutoscaler>());
        Assert.Equal(4, generated.Deployment("taskmanager").Spec.Replicas);
    }
}
