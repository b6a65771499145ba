using System.Diagnostics;
using Rill.Metrics;

namespace Rill.Runtime.Observability;

/// <summary>
/// Records the runtime's spans on the <c>Rill</c> activity source. Deployments, checkpoints and rescales span several
/// calls on a component's main thread, so they are recorded when they end, with the time they started: a span left
/// open as <see cref="Activity.Current"/> between those calls would become the parent of unrelated work.
/// </summary>
internal static class RuntimeActivities
{
    /// <param name="error">Null for success; otherwise why it failed (the span's status description).</param>
    public static void Record(string name, DateTimeOffset startedAt, ActivityContext parent, IEnumerable<KeyValuePair<string, object?>> tags, string? error = null)
    {
        // Null when nobody listens: then recording costs nothing.
        using var activity = RillTelemetry.ActivitySource.StartActivity(name, ActivityKind.Internal, parent, tags, startTime: startedAt);
        if (activity is not null && error is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error);
        }
    }

    public static KeyValuePair<string, object?>[] JobTags(Guid jobId, string jobName) =>
    [
        new(MetricTags.JobId, jobId.ToString("N")),
        new(MetricTags.JobName, jobName),
    ];
}
