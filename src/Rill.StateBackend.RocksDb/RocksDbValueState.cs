using Rill.State;

namespace Rill.StateBackend.RocksDb;

/// <summary>Value state over a RocksDB table: every read deserializes a copy, so changing a value means calling Update.</summary>
internal sealed class RocksDbValueState<TKey, T>(KeyedStateBackend<TKey> backend, KeyedStateTable<TKey, VoidNamespace, T> table, T defaultValue)
    : IValueState<T> where TKey : notnull
{
    public T Value => table.TryGet(backend.CurrentKeyGroup, backend.CurrentKey, default, out var value) ? value : defaultValue;

    public void Update(T value) => table.Put(backend.CurrentKeyGroup, backend.CurrentKey, default, value);

    public void Clear() => table.Remove(backend.CurrentKeyGroup, backend.CurrentKey, default);
}
