namespace Rill.Checkpointing;

/// <summary>Where a task reports its part of a checkpoint (the JobMaster's checkpoint coordinator, in- or out-of-process).</summary>
public interface ICheckpointResponder
{
    void Acknowledge(Guid executionAttemptId, long checkpointId, TaskStateSnapshot state);

    void Decline(Guid executionAttemptId, long checkpointId, string reason);
}
