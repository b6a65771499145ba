using k8s.Models;

namespace Rill.Kubernetes.Generation;

/// <summary>
/// Reactive mode's scaling loop in Kubernetes: the autoscaler adds or removes task manager pods by CPU use, and the job
/// follows (a new task manager's slots trigger a rescale up; a leaving one, after SIGTERM, a stop-with-savepoint and a
/// rescale without it). Every rescale restarts the job from a savepoint, so scaling down goes one pod per minute.
/// </summary>
public static class TaskManagerAutoscaler
{
    public static V2HorizontalPodAutoscaler For(string taskManager, KubernetesGenerationOptions options) =>
        KubernetesObjects.Typed(new V2HorizontalPodAutoscaler
        {
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = taskManager },
                MinReplicas = options.MinReplicas,
                MaxReplicas = options.MaxReplicas,
                Metrics =
                [
                    new V2MetricSpec
                    {
                        Type = "Resource",
                        Resource = new V2ResourceMetricSource
                        {
                            Name = "cpu",
                            Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = options.CpuUtilizationPercent },
                        },
                    },
                ],
                Behavior = new V2HorizontalPodAutoscalerBehavior
                {
                    ScaleDown = new V2HPAScalingRules
                    {
                        StabilizationWindowSeconds = 300,
                        Policies = [new V2HPAScalingPolicy { Type = "Pods", Value = 1, PeriodSeconds = 60 }],
                    },
                },
            },
        }, KubernetesObjects.Metadata(taskManager, Labels.For(taskManager, Components.TaskManager, options)));
}
