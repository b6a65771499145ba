using Rill.Accumulators;
using Rill.Api;
using Rill.Metrics;
using Rill.State;
using Rill.Tasks;

namespace Rill.Operators;

/// <summary>What the task gives each operator: identity, time, mode, counters and (for keyed operators) key groups.</summary>
public sealed class OperatorContext
{
    internal OperatorContext(TaskInfo task, string operatorName, string operatorId, RuntimeExecutionMode mode,
        IProcessingTimeService processingTime, AccumulatorRegistry accumulators, TaskIOMetrics metrics, Action<Action> postToMailbox,
        ExecutionOptions options)
    {
        Task = task;
        OperatorName = operatorName;
        OperatorId = operatorId;
        RuntimeMode = mode;
        ProcessingTime = processingTime;
        Accumulators = accumulators;
        Metrics = metrics;
        PostToMailbox = postToMailbox;
        Options = options;
        KeyGroupRange = KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(task.MaxParallelism, task.Parallelism, task.SubtaskIndex);
    }

    public TaskInfo Task { get; }

    public string OperatorName { get; }

    public string OperatorId { get; }

    public RuntimeExecutionMode RuntimeMode { get; }

    public bool IsBatch => RuntimeMode == RuntimeExecutionMode.Batch;

    public IProcessingTimeService ProcessingTime { get; }

    public AccumulatorRegistry Accumulators { get; }

    public TaskIOMetrics Metrics { get; }

    /// <summary>Runs an action on the task thread (timers, coordinator events), between records.</summary>
    public Action<Action> PostToMailbox { get; }

    public ExecutionOptions Options { get; }

    public KeyGroupRange KeyGroupRange { get; }

    /// <summary>Sends an event to this operator's coordinator on the JobManager side.</summary>
    public Action<Sources.OperatorEvent> SendToCoordinator { get; internal set; } = _ => throw new InvalidOperationException("This operator has no coordinator.");
}
