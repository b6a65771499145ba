namespace Rill.Sinks;

/// <summary>
/// A sink that commits in two phases with checkpoints (Flink's TwoPhaseCommittingSink): the writer pre-commits at each
/// checkpoint (closes what it wrote into committables), and the committer makes them visible once the checkpoint is
/// complete. After a restore, the committables the checkpoint held are committed again, so commits must be idempotent;
/// what was written after the checkpoint is never committed. Without checkpointing the plain <see cref="ISink{T}"/>
/// writer is used.
/// </summary>
public interface ITwoPhaseCommittingSink<in T, TCommittable> : ISink<T>
{
    ICommittingSinkWriter<T, TCommittable> CreateCommittingWriter(SinkWriterContext context);

    ICommitter<TCommittable> CreateCommitter();
}

public interface ICommittingSinkWriter<in T, TCommittable> : ISinkWriter<T>
{
    /// <summary>
    /// Pre-commit at the snapshot of checkpoint <paramref name="checkpointId"/>: closes what was written since the last
    /// call into committables (none when nothing was written). The id lets a writer name what it opens next after the
    /// checkpoint (e.g. Kafka transactional ids), so that a restore knows which names may linger.
    /// </summary>
    IReadOnlyList<TCommittable> PrepareCommit(long checkpointId);
}

public interface ICommitter<TCommittable>
{
    /// <summary>Makes the committables visible. Idempotent: committing one that is already committed does nothing.</summary>
    void Commit(IReadOnlyList<TCommittable> committables);
}
