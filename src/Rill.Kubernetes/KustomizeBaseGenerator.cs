using k8s;
using k8s.Models;
using Rill.Kubernetes.Expressions;
using Rill.Kubernetes.Generation;
using Rill.Kubernetes.Manifest;
using Rill.Kubernetes.Topology;

namespace Rill.Kubernetes;

/// <summary>
/// Turns an Aspire manifest into a kustomize base. Per project or container resource: a Deployment (a StatefulSet when
/// the container keeps data in volumes), a Service from its bindings, a ConfigMap with its plain environment. Per secret
/// parameter: a Secret. For the Rill processes (found by their role, see <see cref="RillProcess"/>): the shared
/// checkpoint volume, the job manager's ServiceAccount, Role and RoleBinding, and in reactive mode an autoscaler on the
/// task managers. The manifest is read generically: only the roles are Rill-specific.
/// </summary>
public static class KustomizeBaseGenerator
{
    public static KustomizeBase Generate(AspireManifest manifest, KubernetesGenerationOptions options)
    {
        if (KubernetesOptionsValidation.Problems(options) is [var first, ..])
        {
            throw new ArgumentException(first, nameof(options));
        }

        var resolver = new ExpressionResolver(manifest, options);
        var roles = manifest.Resources.ToDictionary(resource => resource.Name, RillProcess.Role, StringComparer.OrdinalIgnoreCase);
        var deployable = manifest.Resources.Where(resource => resource.Type is ManifestResourceType.Project or ManifestResourceType.Container).ToList();
        CheckDeployable(manifest);

        var documents = new List<IKubernetesObject<V1ObjectMeta>>();
        if (options.Namespace is { } ns)
        {
            documents.Add(Namespaces.For(ns, options));
        }

        documents.AddRange(manifest.Resources.Where(resource => resource.IsSecretParameter).Select(parameter => Secrets.For(parameter, options)));

        var rillProcesses = deployable.Where(resource => roles[resource.Name] != RillRole.None).ToList();
        if (rillProcesses.Count > 0)
        {
            documents.Add(CheckpointStorage.Claim(options));
        }

        // Reactive mode is the job manager's scheduler; either role saying so is enough to scale task managers by load.
        var reactive = rillProcesses.Any(RillProcess.IsReactive);
        foreach (var resource in deployable)
        {
            var role = roles[resource.Name];
            var name = ExpressionResolver.ObjectName(resource);
            var environment = ContainerEnvironment.For(resource, role, resolver);
            if (role == RillRole.JobManager)
            {
                documents.AddRange(JobManagerAccess.For(name, options).Cast<IKubernetesObject<V1ObjectMeta>>());
            }

            if (ConfigMaps.For(resource, role, environment, options) is { } configMap)
            {
                documents.Add(configMap);
            }

            documents.AddRange(Workloads.For(resource, role, environment, role == RillRole.JobManager ? name : null, CheckpointStorage.ClaimName(options), options)
                .Cast<IKubernetesObject<V1ObjectMeta>>());
            if (Services.For(resource, role, options) is { } service)
            {
                documents.Add(service);
            }

            if (role == RillRole.TaskManager && reactive)
            {
                documents.Add(TaskManagerAutoscaler.For(name, options));
            }
        }

        var generated = documents.Select(document => new GeneratedDocument(document)).ToList();
        if (generated.GroupBy(document => document.FileName, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1) is { } clash)
        {
            throw new ManifestException($"two generated objects would both be {clash.Key}; rename one of the resources behind them.");
        }

        return new KustomizeBase(generated, options.Namespace);
    }

    private static void CheckDeployable(AspireManifest manifest)
    {
        foreach (var resource in manifest.Resources)
        {
            if (resource.Type == ManifestResourceType.Executable)
            {
                throw new ManifestException($"resource '{resource.Name}' is an executable (executable.v0) with no container image, so it cannot run in Kubernetes; publish the manifest with the containers infrastructure flavour.");
            }

            if (resource.BindMountCount > 0)
            {
                throw new ManifestException($"resource '{resource.Name}' bind-mounts a directory of the developer's machine, which a cluster does not have; use a volume instead.");
            }
        }
    }
}
