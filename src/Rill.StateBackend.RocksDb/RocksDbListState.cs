using Rill.State;

namespace Rill.StateBackend.RocksDb;

/// <summary>List state over a RocksDB list table: adds append bytes; Get returns a copy of the elements.</summary>
internal sealed class RocksDbListState<TKey, T>(KeyedStateBackend<TKey> backend, RocksDbListTable<TKey, VoidNamespace, T> table)
    : IListState<T> where TKey : notnull
{
    public IReadOnlyList<T> Get() => table.TryGet(backend.CurrentKeyGroup, backend.CurrentKey, default, out var list) ? list : [];

    public void Add(T value) => table.Append(backend.CurrentKeyGroup, backend.CurrentKey, default, [value]);

    public void AddAll(IEnumerable<T> values) => table.Append(backend.CurrentKeyGroup, backend.CurrentKey, default, values);

    public void Update(IEnumerable<T> values)
    {
        var list = new List<T>(values);
        if (list.Count == 0)
        {
            Clear();
        }
        else
        {
            table.Put(backend.CurrentKeyGroup, backend.CurrentKey, default, list);
        }
    }

    public void Clear() => table.Remove(backend.CurrentKeyGroup, backend.CurrentKey, default);
}
