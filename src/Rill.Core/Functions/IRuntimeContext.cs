using Rill.State;

namespace Rill.Functions;

/// <summary>What a function can learn about and use from the subtask that runs it.</summary>
public interface IRuntimeContext
{
    string TaskName { get; }

    int IndexOfThisSubtask { get; }

    int NumberOfParallelSubtasks { get; }

    int MaxNumberOfParallelSubtasks { get; }

    int AttemptNumber { get; }

    /// <summary>A job-wide counter, summed over all subtasks into the job's result (Flink's accumulators).</summary>
    Accumulators.LongCounter GetLongCounter(string name);

    /// <summary>Keyed state; only available on a keyed stream.</summary>
    IValueState<T> GetState<T>(ValueStateDescriptor<T> descriptor);

    IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor);

    IMapState<TKey, TValue> GetMapState<TKey, TValue>(MapStateDescriptor<TKey, TValue> descriptor) where TKey : notnull;

    IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor);
}
