using Rill.State;

namespace Rill.Operators;

/// <summary>
/// Gives an operator that runs on a keyed stream (a Map or Process after KeyBy) keyed state, as Flink's
/// setKeyContextElement does: the current key is set from each record before the user function sees it.
/// </summary>
internal abstract class KeyContext<TIn>
{
    public abstract IKeyedStateAccess Open(OperatorContext context);

    public abstract void SetKey(TIn value);
}

internal sealed class KeyContext<TIn, TKey>(Func<TIn, TKey> keySelector) : KeyContext<TIn> where TKey : notnull
{
    private HeapKeyedStateBackend<TKey> _backend = null!;

    public override IKeyedStateAccess Open(OperatorContext context)
    {
        _backend = new HeapKeyedStateBackend<TKey>(context.KeyGroupRange, context.Task.MaxParallelism);
        return new KeyedStateAccess<TKey>(_backend);
    }

    public override void SetKey(TIn value) => _backend.SetCurrentKey(keySelector(value));
}
