namespace Rill.Runtime.Messages;

/// <summary>Flink's JobStatus (the subset Rill reaches).</summary>
public enum JobStatus
{
    Initializing,
    Created,
    Running,
    Failing,
    Failed,
    Canceling,
    Canceled,
    Finished,
    Restarting,

    /// <summary>This JobManager stopped (lost leadership or shut down) before the job ended; a new leader may resume it. Not terminal.</summary>
    Suspended,
}

/// <summary>Flink's ExecutionState for one subtask attempt.</summary>
public enum ExecutionState
{
    Created,
    Scheduled,
    Deploying,
    Running,
    Finished,
    Canceling,
    Canceled,
    Failed,
}

public static class StatusExtensions
{
    public static bool IsGloballyTerminal(this JobStatus status) => status is JobStatus.Failed or JobStatus.Canceled or JobStatus.Finished;

    public static bool IsTerminal(this ExecutionState state) => state is ExecutionState.Finished or ExecutionState.Canceled or ExecutionState.Failed;

    /// <summary>Upper-case names, as Flink's REST API spells states.</summary>
    public static string ToFlinkName(this JobStatus status) => status.ToString().ToUpperInvariant();

    public static string ToFlinkName(this ExecutionState state) => state.ToString().ToUpperInvariant();
}
