namespace Rill.State;

/// <summary>Names of the keyed state backends, for <see cref="Api.StreamExecutionEnvironment.SetStateBackend"/> and <c>--state-backend</c>.</summary>
public static class StateBackends
{
    /// <summary>State as objects on the heap (Flink's HashMapStateBackend): fastest, bounded by memory. The default.</summary>
    public const string Heap = "heap";

    /// <summary>State in an embedded RocksDB per subtask on local disk (Flink's EmbeddedRocksDBStateBackend); needs the Rill.StateBackend.RocksDb package.</summary>
    public const string RocksDb = "rocksdb";
}
