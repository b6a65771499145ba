using Rill.Runtime.JobMaster;
using Rill.Runtime.Messages;
using Rill.Sources;
using Rill.Tasks;

namespace Rill.Runtime.TaskExecutor;

/// <summary>What the ResourceManager and JobMasters may ask of a TaskManager.</summary>
public interface ITaskExecutorGateway
{
    string TaskManagerId { get; }

    /// <summary>Where peers read this TaskManager's result partitions over TCP; null when exchanges stay in memory.</summary>
    System.Net.IPEndPoint? DataAddress { get; }

    /// <summary>The ResourceManager assigns a free slot to a job; the TaskManager then offers it to the job's JobMaster.</summary>
    Task RequestSlotAsync(SlotId slot, Guid jobId, Guid allocationId, IJobMasterGateway jobMaster);

    Task SubmitTaskAsync(TaskDeploymentDescriptor descriptor, Guid allocationId);

    Task CancelTaskAsync(Guid executionAttemptId);

    /// <summary><paramref name="sequence"/> orders events and checkpoint triggers of one attempt (0, 1, …), however the calls travel.</summary>
    Task SendOperatorEventAsync(Guid executionAttemptId, long sequence, string operatorId, OperatorEvent operatorEvent);

    /// <summary>Starts a checkpoint at a source subtask; numbered in the same sequence as operator events.</summary>
    Task TriggerCheckpointAsync(Guid executionAttemptId, long sequence, Checkpointing.CheckpointBarrier barrier);

    Task NotifyCheckpointCompleteAsync(Guid executionAttemptId, long checkpointId);

    Task NotifyCheckpointAbortedAsync(Guid executionAttemptId, long checkpointId);

    /// <summary>Drops the partitions of a job's attempts before <paramref name="attempt"/> (the job restarted).</summary>
    Task ReleasePartitionsAsync(Guid jobId, int attempt);

    /// <summary>Answers if the TaskManager is alive, with its metrics; the ResourceManager's failure detector calls it periodically.</summary>
    Task<TaskManagerMetrics?> HeartbeatAsync();

    /// <summary>Frees a slot and releases the job's partitions on this TaskManager once it holds no more of the job's slots.</summary>
    Task FreeSlotAsync(Guid allocationId);
}
