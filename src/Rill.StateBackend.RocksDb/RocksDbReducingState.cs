using Rill.State;

namespace Rill.StateBackend.RocksDb;

/// <summary>Reducing state over a RocksDB table: each Add reads the reduced value, reduces, and writes it back.</summary>
internal sealed class RocksDbReducingState<TKey, T>(KeyedStateBackend<TKey> backend, KeyedStateTable<TKey, VoidNamespace, T> table, Func<T, T, T> reduce)
    : IReducingState<T> where TKey : notnull
{
    public T? Get() => table.TryGet(backend.CurrentKeyGroup, backend.CurrentKey, default, out var value) ? value : default;

    public void Add(T value)
    {
        var keyGroup = backend.CurrentKeyGroup;
        var key = backend.CurrentKey;
        table.Put(keyGroup, key, default, table.TryGet(keyGroup, key, default, out var reduced) ? reduce(reduced, value) : value);
    }

    public void Clear() => table.Remove(backend.CurrentKeyGroup, backend.CurrentKey, default);
}
