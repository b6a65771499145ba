using Rill.Checkpointing;
using Rill.State;

namespace Rill.Operators;

/// <summary>
/// Gives an operator that runs on a keyed stream (a Map or Process after KeyBy) keyed state, as Flink's
/// setKeyContextElement does: the current key is set from each record before the user function sees it. The state is
/// checkpointed and restored like any keyed operator's.
/// </summary>
internal abstract class KeyContext<TIn> : IDisposable
{
    public abstract void InitializeState(OperatorContext context, StateInitializationContext restore);

    public abstract IKeyedStateAccess Open(OperatorContext context);

    public abstract void SetKey(TIn value);

    public abstract void Snapshot(StateSnapshotContext context);

    public abstract void Dispose();
}

/// <remarks>
/// The backend is created on first use: most functions after KeyBy keep no state, and an on-disk backend costs a
/// database and a folder per subtask.
/// </remarks>
internal sealed class KeyContext<TIn, TKey>(Func<TIn, TKey> keySelector) : KeyContext<TIn> where TKey : notnull
{
    private OperatorContext? _context;
    private KeyedStateBackend<TKey>? _backend;
    private TKey _pendingKey = default!;
    private bool _hasPendingKey;

    public override void InitializeState(OperatorContext context, StateInitializationContext restore)
    {
        _context = context;
        var keyGroups = restore.ReadKeyGroups().ToList();
        if (keyGroups.Count > 0)
        {
            Backend().Restore(keyGroups);
        }
    }

    public override IKeyedStateAccess Open(OperatorContext context)
    {
        _context ??= context;
        return new KeyedStateAccess<TKey>(Backend);
    }

    public override void SetKey(TIn value)
    {
        var key = keySelector(value);
        if (_backend is { } backend)
        {
            backend.SetCurrentKey(key);
        }
        else
        {
            // State may first be asked for while processing this record: the backend then starts at this key.
            _pendingKey = key;
            _hasPendingKey = true;
        }
    }

    public override void Snapshot(StateSnapshotContext context) => _backend?.Snapshot(context);

    public override void Dispose() => _backend?.Dispose();

    private KeyedStateBackend<TKey> Backend()
    {
        if (_backend is null)
        {
            _backend = StateBackendLoader.CreateKeyedStateBackend<TKey>(_context ?? throw new InvalidOperationException("Keyed state used before the operator was opened."));
            if (_hasPendingKey)
            {
                _backend.SetCurrentKey(_pendingKey);
            }
        }

        return _backend;
    }
}
