namespace Rill.Runtime.Messages;

public enum CheckpointStatus
{
    InProgress,
    Completed,
    Failed,
}

/// <summary>One checkpoint or savepoint as <c>GET /jobs/{id}/checkpoints</c> shows it (durations in ms; sync/async are the slowest subtask's).</summary>
public sealed record CheckpointStatsEntry(
    long Id,
    CheckpointStatus Status,
    Checkpointing.CheckpointKind Kind,
    DateTimeOffset TriggerTime,
    DateTimeOffset? LatestAckTime,
    long StateSize,
    long EndToEndDurationMs,
    long SyncDurationMs,
    long AsyncDurationMs,
    int NumSubtasks,
    int NumAcknowledgedSubtasks,
    string? ExternalPath,
    string? FailureMessage);

/// <summary>The checkpoint that a job (attempt) started from.</summary>
public sealed record RestoredCheckpointStats(long Id, DateTimeOffset RestoreTime, bool IsSavepoint, string ExternalPath);

/// <summary>A job's checkpoint statistics: counts, the latest of each kind and the recent history (Flink's CheckpointingStatistics).</summary>
public sealed record CheckpointStats(
    int Completed,
    int Failed,
    int InProgress,
    int Restored,
    CheckpointStatsEntry? LatestCompleted,
    CheckpointStatsEntry? LatestFailed,
    CheckpointStatsEntry? LatestSavepoint,
    RestoredCheckpointStats? LatestRestored,
    IReadOnlyList<CheckpointStatsEntry> History);
