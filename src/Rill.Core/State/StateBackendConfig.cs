namespace Rill.State;

/// <summary>Where a job keeps its keyed state (Flink's state.backend.* options); checkpoints look the same whichever it is.</summary>
public sealed record StateBackendConfig
{
    /// <summary><see cref="StateBackends.Heap"/> or <see cref="StateBackends.RocksDb"/>; null: the launcher's <c>--state-backend</c> (<c>RILL_STATE_BACKEND</c>), else heap.</summary>
    public string? Name { get; init; }

    /// <summary>Base directory of the on-disk backends' working folders (one per subtask, deleted when it ends); null: <see cref="DefaultLocalDirectory"/>.</summary>
    public string? LocalDirectory { get; init; }

    public string EffectiveName => Name ?? StateBackends.Heap;

    /// <summary>
    /// <c>RILL_STATE_LOCAL_DIR</c>, else the temp directory. Read by each TaskManager for itself, since the folders are
    /// on the machine that runs the subtask (a fast local disk, not the shared checkpoint volume).
    /// </summary>
    public static string DefaultLocalDirectory =>
        Environment.GetEnvironmentVariable("RILL_STATE_LOCAL_DIR") is { Length: > 0 } configured ? configured : Path.Combine(Path.GetTempPath(), "rill-state");

    /// <summary>
    /// The backend's factory, found while the program builds its graph: in a session cluster only then can the
    /// backend's assembly be found among the application's, and an unknown name fails the submission, not every task.
    /// </summary>
    internal IStateBackendFactory? Factory { get; init; }
}
