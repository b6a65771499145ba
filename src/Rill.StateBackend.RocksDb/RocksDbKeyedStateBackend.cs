using Rill.State;

namespace Rill.StateBackend.RocksDb;

/// <summary>
/// Keyed state in an embedded RocksDB (Flink's EmbeddedRocksDBStateBackend): state is serialized on every write and
/// deserialized on every read, so it may outgrow memory, at the price of speed. Each state is a column family; keys
/// lead with the key group, so snapshots (and with them checkpoints and rescaling) are cut per key group exactly as the
/// heap backend's, in the same bytes. Timers and session windows stay on the heap (see InternalTimerService).
/// </summary>
internal sealed class RocksDbKeyedStateBackend<TKey> : KeyedStateBackend<TKey> where TKey : notnull
{
    private readonly RocksDbInstance _instance;

    public RocksDbKeyedStateBackend(KeyGroupRange range, int maxParallelism, string directory)
        : base(range, maxParallelism)
    {
        _instance = new RocksDbInstance(directory);
    }

    /// <summary>The folder of this subtask's database (deleted on dispose).</summary>
    public string Directory => _instance.Directory;

    internal override KeyedStateTable<TKey, TNamespace, TValue> CreateTable<TNamespace, TValue>(string name) =>
        new RocksDbValueTable<TKey, TNamespace, TValue>(_instance, _instance.CreateColumnFamily(name), KeyGroupRange);

    internal override IValueState<T> CreateValueState<T>(ValueStateDescriptor<T> descriptor) =>
        new RocksDbValueState<TKey, T>(this, GetOrCreateTable<VoidNamespace, T>(descriptor.Name), descriptor.DefaultValue);

    internal override IListState<T> CreateListState<T>(ListStateDescriptor<T> descriptor) =>
        new RocksDbListState<TKey, T>(this, GetOrAddTable(descriptor.Name,
            () => new RocksDbListTable<TKey, VoidNamespace, T>(_instance, _instance.CreateColumnFamily(descriptor.Name), KeyGroupRange)));

    internal override IMapState<TMapKey, TValue> CreateMapState<TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor) =>
        new RocksDbMapState<TKey, TMapKey, TValue>(this, GetOrAddTable(descriptor.Name,
            () => new RocksDbMapTable<TKey, VoidNamespace, TMapKey, TValue>(_instance, _instance.CreateColumnFamily(descriptor.Name), KeyGroupRange)));

    internal override IReducingState<T> CreateReducingState<T>(ReducingStateDescriptor<T> descriptor) =>
        new RocksDbReducingState<TKey, T>(this, GetOrCreateTable<VoidNamespace, T>(descriptor.Name), descriptor.ReduceFunction);

    public override void Dispose()
    {
        _instance.Dispose();
        base.Dispose();
    }
}
