namespace Rill.State;

/// <summary>The default backend: keyed state as objects on the heap.</summary>
internal sealed class HeapStateBackendFactory : IStateBackendFactory
{
    public static readonly HeapStateBackendFactory Instance = new();

    public KeyedStateBackend<TKey> CreateKeyedStateBackend<TKey>(KeyedStateBackendParameters parameters) where TKey : notnull =>
        new HeapKeyedStateBackend<TKey>(parameters.KeyGroupRange, parameters.MaxParallelism);
}
