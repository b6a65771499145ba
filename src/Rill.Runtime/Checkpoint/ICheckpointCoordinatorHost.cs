using Rill.Checkpointing;
using Rill.Runtime.Scheduler;
using Rill.Sources;

namespace Rill.Runtime.Checkpoint;

/// <summary>What the checkpoint coordinator needs of its JobMaster (called on the JobMaster's main thread only).</summary>
internal interface ICheckpointCoordinatorHost
{
    /// <summary>Whether the job is running (checkpoints are only taken then).</summary>
    bool IsRunning { get; }

    IEnumerable<Execution> CurrentExecutions { get; }

    IReadOnlyDictionary<string, IOperatorCoordinator> OperatorCoordinators { get; }

    void TriggerTask(Execution execution, CheckpointBarrier barrier);

    void NotifyCheckpointComplete(Execution execution, long checkpointId);

    void NotifyCheckpointAborted(Execution execution, long checkpointId);

    /// <summary>Too many checkpoints failed in a row: the job fails (and restarts per its strategy).</summary>
    void FailJob(Exception cause);
}
