namespace Rill.State;

/// <summary>
/// Keyed state as objects on the heap (Flink's HashMapStateBackend): one <see cref="StateTable{TKey,TNamespace,TValue}"/>
/// per state, a dictionary per key group. The fastest backend; its size is bounded by memory.
/// </summary>
public sealed class HeapKeyedStateBackend<TKey> : KeyedStateBackend<TKey> where TKey : notnull
{
    public HeapKeyedStateBackend(KeyGroupRange range, int maxParallelism)
        : base(range, maxParallelism)
    {
    }

    internal override KeyedStateTable<TKey, TNamespace, TValue> CreateTable<TNamespace, TValue>(string name) =>
        new StateTable<TKey, TNamespace, TValue>(KeyGroupRange);

    internal override IValueState<T> CreateValueState<T>(ValueStateDescriptor<T> descriptor) =>
        new HeapValueState<TKey, T>(this, HeapTable<T>(descriptor.Name), descriptor.DefaultValue);

    internal override IListState<T> CreateListState<T>(ListStateDescriptor<T> descriptor) =>
        new HeapListState<TKey, T>(this, HeapTable<List<T>>(descriptor.Name));

    internal override IMapState<TMapKey, TValue> CreateMapState<TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor) =>
        new HeapMapState<TKey, TMapKey, TValue>(this, HeapTable<Dictionary<TMapKey, TValue>>(descriptor.Name));

    internal override IReducingState<T> CreateReducingState<T>(ReducingStateDescriptor<T> descriptor) =>
        new HeapReducingState<TKey, T>(this, HeapTable<T>(descriptor.Name), descriptor.ReduceFunction);

    // Every table of this backend is a StateTable (CreateTable makes nothing else), so the cast cannot fail.
    private StateTable<TKey, VoidNamespace, TValue> HeapTable<TValue>(string name) =>
        (StateTable<TKey, VoidNamespace, TValue>)GetOrCreateTable<VoidNamespace, TValue>(name);
}
