using Rill.Checkpointing;
using Rill.State;

namespace Rill.Operators;

/// <summary>
/// Base of operators on a keyed stream: owns the keyed state backend (the job's choice, heap by default) for this
/// subtask's key-group range and sets the current key (and so its key group) before each record reaches user code.
/// </summary>
public abstract class KeyedOperatorBase<TKey, TIn, TOut>(Func<TIn, TKey> keySelector) : OneInputStreamOperator<TIn, TOut>
    where TKey : notnull
{
    protected Func<TIn, TKey> KeySelector { get; } = keySelector;

    public KeyedStateBackend<TKey> KeyedState { get; private set; } = null!;

    internal IKeyedStateAccess KeyedStateAccess { get; private set; } = null!;

    public override void InitializeState(StateInitializationContext context)
    {
        KeyedState = StateBackendLoader.CreateKeyedStateBackend<TKey>(Context);
        KeyedStateAccess = new KeyedStateAccess<TKey>(() => KeyedState);
        KeyedState.Restore(context.ReadKeyGroups());
    }

    public override void Open()
    {
        if (KeyedState is null)
        {
            InitializeState(StateInitializationContext.Fresh); // a test harness that opens the operator directly
        }
    }

    public override void SnapshotState(StateSnapshotContext context) => KeyedState.Snapshot(context);

    /// <summary>Releases the backend (an on-disk one deletes its folder); subclasses that override Close call this last.</summary>
    public override void Close() => KeyedState?.Dispose();

    protected void SetKeyContextElement(TIn value) => KeyedState.SetCurrentKey(KeySelector(value));
}
