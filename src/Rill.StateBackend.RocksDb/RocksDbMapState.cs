using Rill.State;

namespace Rill.StateBackend.RocksDb;

/// <summary>Map state over a RocksDB map table: each map key is its own RocksDB entry.</summary>
internal sealed class RocksDbMapState<TKey, TMapKey, TValue>(KeyedStateBackend<TKey> backend, RocksDbMapTable<TKey, VoidNamespace, TMapKey, TValue> table)
    : IMapState<TMapKey, TValue>
    where TKey : notnull
    where TMapKey : notnull
{
    public bool TryGetValue(TMapKey key, out TValue value) => table.TryGetEntry(backend.CurrentKeyGroup, backend.CurrentKey, default, key, out value);

    public TValue Get(TMapKey key) => TryGetValue(key, out var value) ? value : default!;

    public void Put(TMapKey key, TValue value) => table.PutEntry(backend.CurrentKeyGroup, backend.CurrentKey, default, key, value);

    public bool Contains(TMapKey key) => table.ContainsEntry(backend.CurrentKeyGroup, backend.CurrentKey, default, key);

    public void Remove(TMapKey key) => table.RemoveEntry(backend.CurrentKeyGroup, backend.CurrentKey, default, key);

    public IEnumerable<KeyValuePair<TMapKey, TValue>> Entries() => table.GetEntries(backend.CurrentKeyGroup, backend.CurrentKey, default);

    public bool IsEmpty => !table.HasEntries(backend.CurrentKeyGroup, backend.CurrentKey, default);

    public void Clear() => table.Remove(backend.CurrentKeyGroup, backend.CurrentKey, default);
}
