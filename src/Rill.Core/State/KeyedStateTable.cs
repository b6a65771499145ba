using Rill.Serialization;

namespace Rill.State;

/// <summary>
/// One state's storage in any backend: a value per (key group, key, namespace). Operators that keep their own keyed
/// data (aggregates, window contents) go through this; on the heap backend they downcast to <see cref="StateTable{TKey,TNamespace,TValue}"/>
/// for its in-place <c>ref</c> access, which saves a second lookup and a copy per record.
/// </summary>
/// <remarks>
/// Snapshot writes, per key group, every entry as key | namespace | value with <see cref="TypeSerializers"/> for
/// <typeparamref name="TKey"/>, <typeparamref name="TNamespace"/> and <typeparamref name="TValue"/> (the heap layout), whatever
/// the table stores internally, so a checkpoint restores into a table of any backend.
/// </remarks>
internal abstract class KeyedStateTable<TKey, TNamespace, TValue> : IStateTable, IKeyedStateSnapshotParticipant
    where TKey : notnull
    where TNamespace : notnull
{
    public abstract bool TryGet(int keyGroup, TKey key, TNamespace ns, out TValue value);

    public abstract void Put(int keyGroup, TKey key, TNamespace ns, TValue value);

    public abstract void Remove(int keyGroup, TKey key, TNamespace ns);

    public abstract int Count { get; }

    /// <summary>Every entry, key group by key group (the order a snapshot writes them).</summary>
    public abstract IEnumerable<(int KeyGroup, TKey Key, TNamespace Namespace, TValue Value)> Entries();

    public abstract void Snapshot(Func<int, DataOutputSerializer> outputForKeyGroup);

    public abstract void Restore(int keyGroup, DataInputView input);
}

/// <summary>What the backend needs of a state table without knowing its types.</summary>
internal interface IStateTable
{
    int Count { get; }
}
