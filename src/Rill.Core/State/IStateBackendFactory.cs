namespace Rill.State;

/// <summary>
/// Creates a backend's keyed state for operator subtasks (Flink's StateBackend). Backends other than the heap ship
/// in assemblies of their own that mark their factory with <see cref="StateBackendFactoryAttribute"/>, so Rill.Core
/// never depends on their native code.
/// </summary>
internal interface IStateBackendFactory
{
    KeyedStateBackend<TKey> CreateKeyedStateBackend<TKey>(KeyedStateBackendParameters parameters) where TKey : notnull;
}
