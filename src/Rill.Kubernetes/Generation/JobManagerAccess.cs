using k8s.Models;

namespace Rill.Kubernetes.Generation;

/// <summary>
/// The job manager's identity in the cluster: a ServiceAccount whose Role lets it get, list, watch, create and delete
/// pods in its namespace, so that it can start and stop task managers itself (active mode) instead of waiting for them.
/// </summary>
public static class JobManagerAccess
{
    public static readonly string[] PodVerbs = ["get", "list", "watch", "create", "delete"];

    public static IReadOnlyList<object> For(string jobManager, KubernetesGenerationOptions options)
    {
        var labels = Labels.For(jobManager, Components.JobManager, options);
        var role = $"{jobManager}-pods";
        return
        [
            KubernetesObjects.Typed(new V1ServiceAccount(), KubernetesObjects.Metadata(jobManager, labels)),
            KubernetesObjects.Typed(new V1Role
            {
                Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = PodVerbs }],
            }, KubernetesObjects.Metadata(role, labels)),
            KubernetesObjects.Typed(new V1RoleBinding
            {
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = role },
                Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = jobManager }],
            }, KubernetesObjects.Metadata(role, labels)),
        ];
    }
}
