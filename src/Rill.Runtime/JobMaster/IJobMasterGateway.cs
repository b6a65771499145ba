using Rill.Runtime.Messages;
using Rill.Runtime.TaskExecutor;
using Rill.Sources;

namespace Rill.Runtime.JobMaster;

/// <summary>A slot a TaskManager offers to a job.</summary>
public sealed record SlotOffer(Guid AllocationId, SlotId Slot);

/// <summary>A subtask attempt's new state, reported by the TaskManager running it.</summary>
public sealed record TaskExecutionState(
    Guid ExecutionAttemptId,
    ExecutionState State,
    Exception? Failure = null,
    IReadOnlyDictionary<string, long>? Accumulators = null,
    Metrics.TaskIOMetricsSnapshot? Metrics = null);

/// <summary>What TaskManagers and the Dispatcher may ask of the JobMaster of one job.</summary>
public interface IJobMasterGateway
{
    Guid JobId { get; }

    /// <summary>Returns the offers the JobMaster accepted.</summary>
    Task<IReadOnlyList<SlotOffer>> OfferSlotsAsync(ITaskExecutorGateway taskExecutor, IReadOnlyList<SlotOffer> offers);

    Task UpdateTaskExecutionStateAsync(TaskExecutionState state);

    Task SendOperatorEventToCoordinatorAsync(Guid executionAttemptId, string operatorId, OperatorEvent operatorEvent);

    Task<JobDetails> RequestJobDetailsAsync();

    /// <summary>A TaskManager is gone (heartbeat timeout or lost connection): its slots and subtasks are lost.</summary>
    Task DisconnectTaskManagerAsync(string taskManagerId, Exception cause);

    Task CancelAsync();

    /// <summary>A TaskManager is leaving (SIGTERM): the job gives its slots back; a reactive job first rescales without them.</summary>
    Task ReleaseTaskManagerAsync(string taskManagerId);

    /// <summary>A subtask's part of a checkpoint is written.</summary>
    Task AcknowledgeCheckpointAsync(Guid executionAttemptId, long checkpointId, Checkpointing.TaskStateSnapshot state);

    Task DeclineCheckpointAsync(Guid executionAttemptId, long checkpointId, string reason);

    /// <summary>Takes a savepoint (and with <paramref name="terminate"/> stops the job after it); returns its directory.</summary>
    Task<string> TriggerSavepointAsync(string? targetDirectory, bool terminate);
}
