using Rill.Accumulators;
using Rill.Functions;
using Rill.State;

namespace Rill.Operators;

/// <summary>The runtime context handed to user functions; keyed state only when the operator is keyed.</summary>
internal sealed class StreamingRuntimeContext(OperatorContext context, IKeyedStateAccess? keyedState) : IRuntimeContext
{
    public string TaskName => context.Task.TaskName;

    public int IndexOfThisSubtask => context.Task.SubtaskIndex;

    public int NumberOfParallelSubtasks => context.Task.Parallelism;

    public int MaxNumberOfParallelSubtasks => context.Task.MaxParallelism;

    public int AttemptNumber => context.Task.AttemptNumber;

    public LongCounter GetLongCounter(string name) => context.Accumulators.GetLongCounter(name);

    public IValueState<T> GetState<T>(ValueStateDescriptor<T> descriptor) => Keyed.GetState(descriptor);

    public IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor) => Keyed.GetListState(descriptor);

    public IMapState<TKey, TValue> GetMapState<TKey, TValue>(MapStateDescriptor<TKey, TValue> descriptor) where TKey : notnull =>
        Keyed.GetMapState(descriptor);

    public IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor) => Keyed.GetReducingState(descriptor);

    private IKeyedStateAccess Keyed => keyedState
        ?? throw new InvalidOperationException($"Keyed state is only available on a keyed stream (operator '{context.OperatorName}'); use KeyBy first.");
}

/// <summary>The state calls of a keyed backend without its key type.</summary>
internal interface IKeyedStateAccess
{
    IValueState<T> GetState<T>(ValueStateDescriptor<T> descriptor);

    IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor);

    IMapState<TKey, TValue> GetMapState<TKey, TValue>(MapStateDescriptor<TKey, TValue> descriptor) where TKey : notnull;

    IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor);
}

/// <summary>State calls go to the backend the operator has when they are made (a keyed Map creates its backend on first use).</summary>
internal sealed class KeyedStateAccess<TKey>(Func<KeyedStateBackend<TKey>> backend) : IKeyedStateAccess where TKey : notnull
{
    public IValueState<T> GetState<T>(ValueStateDescriptor<T> descriptor) => backend().GetState(descriptor);

    public IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor) => backend().GetListState(descriptor);

    public IMapState<TMapKey, TValue> GetMapState<TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor) where TMapKey : notnull =>
        backend().GetMapState(descriptor);

    public IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor) => backend().GetReducingState(descriptor);
}
