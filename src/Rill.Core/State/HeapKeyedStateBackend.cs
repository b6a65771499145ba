namespace Rill.State;

/// <summary>
/// Keyed state on the heap for one operator instance. The operator sets the current key (and so its key group)
/// before calling user code; state handles read it from here.
/// </summary>
public sealed class HeapKeyedStateBackend<TKey> where TKey : notnull
{
    private readonly Dictionary<string, IStateTable> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> _handles = new(StringComparer.Ordinal);

    public HeapKeyedStateBackend(KeyGroupRange range, int maxParallelism)
    {
        KeyGroupRange = range;
        MaxParallelism = maxParallelism;
    }

    public KeyGroupRange KeyGroupRange { get; }

    public int MaxParallelism { get; }

    public TKey CurrentKey { get; private set; } = default!;

    public int CurrentKeyGroup { get; private set; }

    public void SetCurrentKey(TKey key)
    {
        var keyGroup = KeyGroupRangeAssignment.AssignToKeyGroup(key, MaxParallelism);
        if (!KeyGroupRange.Contains(keyGroup))
        {
            throw new InvalidOperationException(
                $"Key '{key}' belongs to key group {keyGroup}, outside this subtask's {KeyGroupRange}: the key selector is not deterministic.");
        }

        CurrentKey = key;
        CurrentKeyGroup = keyGroup;
    }

    internal StateTable<TKey, TNamespace, TValue> GetOrCreateTable<TNamespace, TValue>(string name)
        where TNamespace : notnull
    {
        if (_tables.TryGetValue(name, out var existing))
        {
            return existing as StateTable<TKey, TNamespace, TValue>
                ?? throw new InvalidOperationException($"State '{name}' was already registered with another type.");
        }

        var table = new StateTable<TKey, TNamespace, TValue>(KeyGroupRange);
        _tables[name] = table;
        return table;
    }

    public IValueState<T> GetState<T>(ValueStateDescriptor<T> descriptor) =>
        Handle(descriptor.Name, () => new HeapValueState<TKey, T>(this, GetOrCreateTable<VoidNamespace, T>(descriptor.Name), descriptor.DefaultValue));

    public IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor) =>
        Handle(descriptor.Name, () => new HeapListState<TKey, T>(this, GetOrCreateTable<VoidNamespace, List<T>>(descriptor.Name)));

    public IMapState<TMapKey, TValue> GetMapState<TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor) where TMapKey : notnull =>
        Handle(descriptor.Name, () => new HeapMapState<TKey, TMapKey, TValue>(this, GetOrCreateTable<VoidNamespace, Dictionary<TMapKey, TValue>>(descriptor.Name)));

    public IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor) =>
        Handle(descriptor.Name, () => new HeapReducingState<TKey, T>(this, GetOrCreateTable<VoidNamespace, T>(descriptor.Name), descriptor.ReduceFunction));

    private TState Handle<TState>(string name, Func<TState> create) where TState : class
    {
        if (_handles.TryGetValue(name, out var existing))
        {
            return existing as TState ?? throw new InvalidOperationException($"State '{name}' was already registered as another kind of state.");
        }

        var handle = create();
        _handles[name] = handle;
        return handle;
    }

    /// <summary>Number of entries in a state table, for tests and metrics.</summary>
    public int CountEntries(string stateName) => _tables.TryGetValue(stateName, out var table) ? table.Count : 0;
}
