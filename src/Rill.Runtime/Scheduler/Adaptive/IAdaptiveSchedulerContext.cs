using Rill.Graph;
using Rill.Runtime.Checkpoint;
using Rill.Runtime.Messages;

namespace Rill.Runtime.Scheduler.Adaptive;

/// <summary>What the adaptive scheduler's states may do with their JobMaster (all on its main thread).</summary>
internal interface IAdaptiveSchedulerContext
{
    JobGraph Job { get; }

    /// <summary>Slots the job holds, without those of TaskManagers that asked to leave.</summary>
    int AvailableSlots { get; }

    bool HasLeavingTaskManagers { get; }

    /// <summary>Asks for every slot there is (reactive mode's unbounded resource needs).</summary>
    void DeclareUnboundedResources();

    /// <summary>Rescales the job graph, builds a new execution graph (a new attempt) and deploys it, restoring <paramref name="restore"/>.</summary>
    void Deploy(IReadOnlyDictionary<string, int> parallelism, CompletedCheckpoint? restore);

    bool AllTasksTerminal { get; }

    bool AllTasksFinished { get; }

    void CancelAllTasks();

    /// <summary>A savepoint after which the tasks stop (they end FINISHED once it is complete).</summary>
    Task<CompletedCheckpoint> TriggerStopWithSavepointAsync();

    /// <summary>The newest completed checkpoint, else what the job started from.</summary>
    CompletedCheckpoint? LatestRestorePoint { get; }

    /// <summary>Asks the restart strategy: the delay before the next attempt, or null when the job must fail.</summary>
    TimeSpan? RestartDelayAfter(Exception failure);

    /// <summary>Gives the slots of leaving TaskManagers back (they can exit now).</summary>
    void ReleaseLeavingTaskManagers();

    void SetStatus(JobStatus status);

    void Complete(JobStatus status, Exception? failure);

    /// <summary>Runs <paramref name="action"/> on the main thread after <paramref name="delay"/>.</summary>
    void RunLater(TimeSpan delay, Action action);
}
