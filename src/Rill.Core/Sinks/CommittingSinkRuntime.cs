using Rill.Checkpointing;

namespace Rill.Sinks;

/// <summary>
/// The sink operator's checkpoint protocol for a two-phase-committing sink, with the committable type erased. Disposed
/// when the sink operator closes; it disposes the committer then, if that is <see cref="IDisposable"/> (as Flink closes
/// its committer), so a committer may keep a connection for its whole life instead of opening one per commit.
/// </summary>
internal interface ICommittingSinkRuntime<T> : IDisposable
{
    ISinkWriter<T> CreateWriter(SinkWriterContext context);

    /// <summary>Commits what the restored checkpoint had pre-committed (Flink's recoverAndCommit).</summary>
    void Restore(StateInitializationContext context);

    void Snapshot(StateSnapshotContext context);

    void CommitUpTo(long checkpointId);

    /// <summary>Creates the runtime when the sink is two-phase-committing (with writer state or without), else null.</summary>
    static ICommittingSinkRuntime<T>? TryCreate(ISink<T> sink)
    {
        var contracts = sink.GetType().GetInterfaces().Where(i => i.IsGenericType && i.GenericTypeArguments[0] == typeof(T)).ToList();
        if (contracts.FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IStatefulTwoPhaseCommittingSink<,,>)) is { } stateful)
        {
            var runtime = typeof(StatefulCommittingSinkRuntime<,,>).MakeGenericType(typeof(T), stateful.GenericTypeArguments[1], stateful.GenericTypeArguments[2]);
            return (ICommittingSinkRuntime<T>)Activator.CreateInstance(runtime, sink)!;
        }

        var contract = contracts.FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(ITwoPhaseCommittingSink<,>));
        return contract is null
            ? null
            : (ICommittingSinkRuntime<T>)Activator.CreateInstance(typeof(CommittingSinkRuntime<,>).MakeGenericType(typeof(T), contract.GenericTypeArguments[1]), sink)!;
    }
}

internal class CommittingSinkRuntime<T, TCommittable>(ITwoPhaseCommittingSink<T, TCommittable> sink) : ICommittingSinkRuntime<T>
{
    private const string StateName = "committables";
    private readonly SortedDictionary<long, IReadOnlyList<TCommittable>> _pending = [];
    private readonly ICommitter<TCommittable> _committer = sink.CreateCommitter();
    private ICommittingSinkWriter<T, TCommittable>? _writer;

    public ISinkWriter<T> CreateWriter(SinkWriterContext context) => _writer = NewWriter(context);

    protected virtual ICommittingSinkWriter<T, TCommittable> NewWriter(SinkWriterContext context) => sink.CreateCommittingWriter(context);

    public virtual void Restore(StateInitializationContext context)
    {
        var restored = context.ReadListState<TCommittable>(StateName);
        if (restored.Count > 0)
        {
            _committer.Commit(restored);
        }
    }

    public virtual void Snapshot(StateSnapshotContext context)
    {
        _pending[context.CheckpointId] = _writer!.PrepareCommit(context.CheckpointId);
        // Everything not yet committed goes into the checkpoint, also what an aborted earlier checkpoint pre-committed.
        context.AddListState(StateName, OperatorStateDistribution.Split, _pending.Values.SelectMany(c => c));
    }

    public void CommitUpTo(long checkpointId)
    {
        var due = _pending.Where(p => p.Key <= checkpointId).ToList();
        if (due.Count == 0)
        {
            return;
        }

        _committer.Commit(due.SelectMany(p => p.Value).ToList());
        foreach (var (id, _) in due)
        {
            _pending.Remove(id);
        }
    }

    /// <summary>Pre-committed but uncommitted committables stay in the checkpoint; only the committer's resources go.</summary>
    public void Dispose() => (_committer as IDisposable)?.Dispose();
}
