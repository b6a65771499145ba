namespace Rill.Sinks;

/// <summary>
/// A two-phase-committing sink whose writers also keep state in checkpoints (Flink's StatefulSink combined with
/// TwoPhaseCommittingSink). Writer states are union state: after a restore, every new writer sees the states of all
/// writers of the restored checkpoint, whatever the old and new parallelism, so it can clean up after writers that no
/// longer exist (e.g. abort the Kafka transactions of subtask indexes above the new parallelism).
/// </summary>
public interface IStatefulTwoPhaseCommittingSink<in T, TCommittable, TWriterState> : ITwoPhaseCommittingSink<T, TCommittable>
{
    /// <summary>
    /// The writer of a restored job. <paramref name="recoveredStates"/> holds what every writer of checkpoint
    /// <paramref name="restoredCheckpointId"/> returned from <see cref="IStatefulCommittingSinkWriter{T, TCommittable, TWriterState}.SnapshotState"/>
    /// (empty when the checkpoint had no state for this sink). The restored committables were committed before this is called.
    /// </summary>
    IStatefulCommittingSinkWriter<T, TCommittable, TWriterState> RestoreCommittingWriter(SinkWriterContext context, long restoredCheckpointId, IReadOnlyList<TWriterState> recoveredStates);
}

public interface IStatefulCommittingSinkWriter<in T, TCommittable, TWriterState> : ICommittingSinkWriter<T, TCommittable>
{
    /// <summary>The writer's state for checkpoint <paramref name="checkpointId"/>, taken right after <see cref="ICommittingSinkWriter{T, TCommittable}.PrepareCommit"/>.</summary>
    IReadOnlyList<TWriterState> SnapshotState(long checkpointId);
}
