using Rill.Checkpointing;

namespace Rill.Sinks;

/// <summary>
/// The checkpoint protocol of a two-phase-committing sink with writer state: committables as in
/// <see cref="CommittingSinkRuntime{T, TCommittable}"/>, plus the writers' states as union state, handed to the writer of
/// a restored job (after the restored committables were committed).
/// </summary>
internal sealed class StatefulCommittingSinkRuntime<T, TCommittable, TWriterState>(IStatefulTwoPhaseCommittingSink<T, TCommittable, TWriterState> sink)
    : CommittingSinkRuntime<T, TCommittable>(sink)
{
    private const string WriterStateName = "writer-state";
    private long? _restoredCheckpointId;
    private IReadOnlyList<TWriterState> _recoveredStates = [];
    private IStatefulCommittingSinkWriter<T, TCommittable, TWriterState>? _statefulWriter;

    public override void Restore(StateInitializationContext context)
    {
        base.Restore(context);
        _restoredCheckpointId = context.RestoredCheckpointId;
        _recoveredStates = context.ReadListState<TWriterState>(WriterStateName);
    }

    protected override ICommittingSinkWriter<T, TCommittable> NewWriter(SinkWriterContext context)
    {
        if (_restoredCheckpointId is { } restored)
        {
            return _statefulWriter = sink.RestoreCommittingWriter(context, restored, _recoveredStates);
        }

        var writer = sink.CreateCommittingWriter(context);
        _statefulWriter = writer as IStatefulCommittingSinkWriter<T, TCommittable, TWriterState>;
        return writer;
    }

    public override void Snapshot(StateSnapshotContext context)
    {
        base.Snapshot(context);
        if (_statefulWriter is not null)
        {
            context.AddListState(WriterStateName, OperatorStateDistribution.Union, _statefulWriter.SnapshotState(context.CheckpointId));
        }
    }
}
