namespace Rill.Api;

/// <summary>The outcome of a finished job: its id, run time and the accumulators summed over all subtasks.</summary>
public sealed class JobExecutionResult(Guid jobId, TimeSpan netRuntime, IReadOnlyDictionary<string, long> accumulators)
{
    public Guid JobId { get; } = jobId;

    public TimeSpan NetRuntime { get; } = netRuntime;

    public IReadOnlyDictionary<string, long> Accumulators { get; } = accumulators;

    /// <summary>The summed value of a counter, 0 when no subtask created it.</summary>
    public long GetAccumulatorResult(string name) => Accumulators.TryGetValue(name, out var value) ? value : 0;
}

/// <summary>A job that did not finish successfully. <see cref="Exception.InnerException"/> is the user's exception when user code failed.</summary>
public sealed class JobExecutionException(Guid jobId, string message, Exception? cause) : Exception(message, cause)
{
    public Guid JobId { get; } = jobId;
}
