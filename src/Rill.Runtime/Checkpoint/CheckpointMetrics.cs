using Rill.Checkpointing;
using Rill.Metrics;
using Rill.Runtime.Messages;
using Rill.Runtime.Observability;

namespace Rill.Runtime.Checkpoint;

/// <summary>
/// One job's checkpoints on the <c>Rill</c> meter and activity source: Flink's lastCheckpointDuration and
/// lastCheckpointSize gauges, the completed and failed counters, and a span per checkpoint or savepoint from its trigger
/// to its end. Fed by the <see cref="CheckpointCoordinator"/> on the JobMaster's main thread; the gauges read plain
/// fields from any thread.
/// </summary>
internal sealed class CheckpointMetrics : IDisposable
{
    private readonly IDisposable _registration;
    private long _lastDurationMs = -1;
    private long _lastSizeBytes = -1;

    public CheckpointMetrics(Guid jobId, string jobName)
    {
        Tags = RuntimeActivities.JobTags(jobId, jobName);
        _registration = RuntimeMetrics.Checkpoints.Add(this);
    }

    public KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>-1 until a checkpoint completed.</summary>
    public long LastDurationMs => Volatile.Read(ref _lastDurationMs);

    /// <summary>-1 until a checkpoint completed.</summary>
    public long LastSizeBytes => Volatile.Read(ref _lastSizeBytes);

    /// <summary>A checkpoint or savepoint ended (completed, failed or aborted).</summary>
    public void Report(CheckpointStatsEntry entry)
    {
        if (entry.Status == CheckpointStatus.Completed)
        {
            Volatile.Write(ref _lastDurationMs, entry.EndToEndDurationMs);
            Volatile.Write(ref _lastSizeBytes, entry.StateSize);
            RuntimeMetrics.CompletedCheckpoints.Add(1, Tags);
        }
        else
        {
            RuntimeMetrics.FailedCheckpoints.Add(1, Tags);
        }

        RuntimeActivities.Record(entry.Kind.IsSavepoint() ? "savepoint" : "checkpoint", entry.TriggerTime, default,
        [
            .. Tags,
            new(MetricTags.CheckpointId, entry.Id),
            new("checkpoint_kind", entry.Kind.ToString()),
            new("state_size", entry.StateSize),
            new("subtasks_acknowledged", entry.NumAcknowledgedSubtasks),
            new("subtasks", entry.NumSubtasks),
        ], entry.FailureMessage);
    }

    public void Dispose() => _registration.Dispose();
}
