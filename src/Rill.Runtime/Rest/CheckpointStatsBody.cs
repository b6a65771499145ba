using Rill.Checkpointing;
using Rill.Runtime.Messages;

namespace Rill.Runtime.Rest;

/// <summary>
/// Renders a job's checkpoint statistics as Flink's <c>CheckpointingStatistics</c> (snake_case keys inside, epoch
/// milliseconds, -1 for "not yet"), so dashboards and operators written against Flink read them unchanged.
/// </summary>
internal static class CheckpointStatsBody
{
    public static Dictionary<string, object?> Create(CheckpointStats stats) => new()
    {
        ["counts"] = new Dictionary<string, object?>
        {
            ["restored"] = stats.Restored,
            // Flink's total counts every triggered checkpoint, whatever became of it.
            ["total"] = stats.Completed + stats.Failed + stats.InProgress,
            ["in_progress"] = stats.InProgress,
            ["completed"] = stats.Completed,
            ["failed"] = stats.Failed,
        },
        ["latest"] = new Dictionary<string, object?>
        {
            ["completed"] = Entry(stats.LatestCompleted),
            ["savepoint"] = Entry(stats.LatestSavepoint),
            ["failed"] = Entry(stats.LatestFailed),
            ["restored"] = stats.LatestRestored is { } restored
                ? new Dictionary<string, object?>
                {
                    ["id"] = restored.Id,
                    ["restore_timestamp"] = restored.RestoreTime.ToUnixTimeMilliseconds(),
                    ["is_savepoint"] = restored.IsSavepoint,
                    ["external_path"] = restored.ExternalPath,
                }
                : null,
        },
        ["history"] = stats.History.Select(Entry).ToList(),
    };

    private static Dictionary<string, object?>? Entry(CheckpointStatsEntry? entry)
    {
        if (entry is null)
        {
            return null;
        }

        var body = new Dictionary<string, object?>
        {
            ["id"] = entry.Id,
            ["status"] = Status(entry.Status),
            ["is_savepoint"] = entry.Kind.IsSavepoint(),
            ["checkpoint_type"] = Type(entry.Kind),
            ["trigger_timestamp"] = entry.TriggerTime.ToUnixTimeMilliseconds(),
            ["latest_ack_timestamp"] = entry.LatestAckTime?.ToUnixTimeMilliseconds() ?? -1,
            ["state_size"] = entry.StateSize,
            // Every checkpoint is a full snapshot: what was written is the whole state.
            ["checkpointed_size"] = entry.StateSize,
            ["end_to_end_duration"] = entry.EndToEndDurationMs,
            ["sync_duration"] = entry.SyncDurationMs,
            ["async_duration"] = entry.AsyncDurationMs,
            ["num_subtasks"] = entry.NumSubtasks,
            ["num_acknowledged_subtasks"] = entry.NumAcknowledgedSubtasks,
            ["external_path"] = entry.ExternalPath,
            ["failure_message"] = entry.FailureMessage,
        };
        if (entry.Status == CheckpointStatus.Failed)
        {
            // The statistics keep no failure time; a failed checkpoint's duration runs up to its failure.
            body["failure_timestamp"] = entry.TriggerTime.ToUnixTimeMilliseconds() + entry.EndToEndDurationMs;
        }

        return body;
    }

    private static string Status(CheckpointStatus status) => status switch
    {
        CheckpointStatus.InProgress => "IN_PROGRESS",
        CheckpointStatus.Completed => "COMPLETED",
        _ => "FAILED",
    };

    private static string Type(CheckpointKind kind) => kind switch
    {
        CheckpointKind.Checkpoint => "CHECKPOINT",
        CheckpointKind.Savepoint => "SAVEPOINT",
        _ => "SYNC_SAVEPOINT",
    };
}
