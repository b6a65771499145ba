using System.Diagnostics.Metrics;
using Rill.Metrics;

namespace Rill.Runtime.Observability;

/// <summary>
/// The JobManager's metrics on the <c>Rill</c> meter, with Flink's names: slots and TaskManagers (ResourceManager),
/// checkpoints (per job) and rescales (reactive mode). Gauges read values the components keep in plain fields, so a
/// collection never waits for a component's main thread.
/// </summary>
internal static class RuntimeMetrics
{
    public static readonly LiveSources<ResourceManager.ResourceManager> ResourceManagers = new();

    public static readonly LiveSources<Checkpoint.CheckpointMetrics> Checkpoints = new();

    public static readonly Counter<long> CompletedCheckpoints = RillTelemetry.Meter.CreateCounter<long>("numberOfCompletedCheckpoints", "{checkpoint}",
        "Checkpoints and savepoints that completed.");

    public static readonly Counter<long> FailedCheckpoints = RillTelemetry.Meter.CreateCounter<long>("numberOfFailedCheckpoints", "{checkpoint}",
        "Checkpoints and savepoints that failed or were aborted.");

    public static readonly Counter<long> Rescales = RillTelemetry.Meter.CreateCounter<long>("numRescales", "{rescale}",
        "Times the adaptive scheduler (reactive mode) ran a job at a new parallelism.");

    static RuntimeMetrics()
    {
        var meter = RillTelemetry.Meter;
        meter.CreateObservableGauge("taskSlotsTotal", () => ResourceManagers.Snapshot.Select(r => new Measurement<int>(r.SlotsTotal)), "{slot}",
            "Slots of all registered TaskManagers.");
        meter.CreateObservableGauge("taskSlotsAvailable", () => ResourceManagers.Snapshot.Select(r => new Measurement<int>(r.SlotsAvailable)), "{slot}",
            "Slots no job holds (a leaving TaskManager's slots do not count).");
        meter.CreateObservableGauge("numRegisteredTaskManagers", () => ResourceManagers.Snapshot.Select(r => new Measurement<int>(r.RegisteredTaskManagers)),
            "{taskmanager}", "TaskManagers registered with the ResourceManager.");
        meter.CreateObservableGauge("lastCheckpointDuration", () => Checkpoints.Snapshot.Where(c => c.LastDurationMs >= 0)
            .Select(c => new Measurement<long>(c.LastDurationMs, c.Tags)), "ms", "End-to-end duration of the job's latest completed checkpoint or savepoint.");
        meter.CreateObservableGauge("lastCheckpointSize", () => Checkpoints.Snapshot.Where(c => c.LastSizeBytes >= 0)
            .Select(c => new Measurement<long>(c.LastSizeBytes, c.Tags)), "By", "State size of the job's latest completed checkpoint or savepoint.");
    }
}
