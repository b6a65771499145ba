namespace Rill.State;

internal sealed class HeapValueState<TKey, T>(HeapKeyedStateBackend<TKey> backend, StateTable<TKey, VoidNamespace, T> table, T defaultValue)
    : IValueState<T> where TKey : notnull
{
    public T Value => table.TryGet(backend.CurrentKeyGroup, backend.CurrentKey, default, out var value) ? value : defaultValue;

    public void Update(T value) => table.Put(backend.CurrentKeyGroup, backend.CurrentKey, default, value);

    public void Clear() => table.Remove(backend.CurrentKeyGroup, backend.CurrentKey, default);
}

internal sealed class HeapListState<TKey, T>(HeapKeyedStateBackend<TKey> backend, StateTable<TKey, VoidNamespace, List<T>> table)
    : IListState<T> where TKey : notnull
{
    public IReadOnlyList<T> Get() => table.TryGet(backend.CurrentKeyGroup, backend.CurrentKey, default, out var list) ? list : [];

    public void Add(T value) => GetOrCreate().Add(value);

    public void AddAll(IEnumerable<T> values)
    {
        if (table.TryGet(backend.CurrentKeyGroup, backend.CurrentKey, default, out var list))
        {
            list.AddRange(values);
            return;
        }

        // Adding nothing leaves no entry, as Update with nothing does: an empty list is never state (Flink's addAll too).
        var added = new List<T>(values);
        if (added.Count > 0)
        {
            table.Put(backend.CurrentKeyGroup, backend.CurrentKey, default, added);
        }
    }

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

    private List<T> GetOrCreate()
    {
        ref var list = ref table.GetOrAdd(backend.CurrentKeyGroup, backend.CurrentKey, default, out _);
        return list ??= [];
    }
}

internal sealed class HeapMapState<TKey, TMapKey, TValue>(HeapKeyedStateBackend<TKey> backend, StateTable<TKey, VoidNamespace, Dictionary<TMapKey, TValue>> table)
    : IMapState<TMapKey, TValue>
    where TKey : notnull
    where TMapKey : notnull
{
    private Dictionary<TMapKey, TValue>? Current =>
        table.TryGet(backend.CurrentKeyGroup, backend.CurrentKey, default, out var map) ? map : null;

    public bool TryGetValue(TMapKey key, out TValue value)
    {
        if (Current is { } map && map.TryGetValue(key, out value!))
        {
            return true;
        }

        value = default!;
        return false;
    }

    public TValue Get(TMapKey key) => TryGetValue(key, out var value) ? value : default!;

    public void Put(TMapKey key, TValue value)
    {
        ref var map = ref table.GetOrAdd(backend.CurrentKeyGroup, backend.CurrentKey, default, out _);
        (map ??= [])[key] = value;
    }

    public bool Contains(TMapKey key) => Current?.ContainsKey(key) ?? false;

    public void Remove(TMapKey key)
    {
        if (Current is { } map && map.Remove(key) && map.Count == 0)
        {
            Clear();
        }
    }

    public IEnumerable<KeyValuePair<TMapKey, TValue>> Entries() => Current is { } map ? map.ToList() : [];

    public bool IsEmpty => Current is null;

    public void Clear() => table.Remove(backend.CurrentKeyGroup, backend.CurrentKey, default);
}

internal sealed class HeapReducingState<TKey, T>(HeapKeyedStateBackend<TKey> backend, StateTable<TKey, VoidNamespace, T> table, Func<T, T, T> reduce)
    : IReducingState<T> where TKey : notnull
{
    public T? Get() => table.TryGet(backend.CurrentKeyGroup, backend.CurrentKey, default, out var value) ? value : default;

    public void Add(T value)
    {
        ref var slot = ref table.GetOrAdd(backend.CurrentKeyGroup, backend.CurrentKey, default, out var existed);
        slot = existed ? reduce(slot, value) : value;
    }

    public void Clear() => table.Remove(backend.CurrentKeyGroup, backend.CurrentKey, default);
}
