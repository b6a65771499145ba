namespace Rill.Checkpointing;

public enum CheckpointKind
{
    /// <summary>Periodic, owned by the job: subsumed checkpoints are deleted.</summary>
    Checkpoint,

    /// <summary>Triggered by a user, owned by the user: never deleted by the job.</summary>
    Savepoint,

    /// <summary>A savepoint after which the tasks stop (Flink's stop-with-savepoint, FLIP-34).</summary>
    SavepointTerminate,
}

public static class CheckpointKindExtensions
{
    public static bool IsSavepoint(this CheckpointKind kind) => kind != CheckpointKind.Checkpoint;
}
