namespace Rill.Sources;

/// <summary>
/// Runs on the JobManager side for one operator (Flink's OperatorCoordinator); talks to the operator's
/// subtasks only through events, which is what lets the same code run embedded and distributed.
/// </summary>
public interface IOperatorCoordinator : IDisposable
{
    void Start();

    void HandleEventFromOperator(int subtask, OperatorEvent operatorEvent);

    /// <summary>The subtask is running and can receive events.</summary>
    void SubtaskReady(int subtask);

    /// <summary>The subtask failed; splits it held must be handed out again.</summary>
    void SubtaskFailed(int subtask);
}

public interface IOperatorCoordinatorContext
{
    void SendEventToOperator(int subtask, OperatorEvent operatorEvent);
}

/// <summary>Messages between a coordinator and its operator's subtasks.</summary>
public abstract record OperatorEvent;

public sealed record RequestSplitEvent : OperatorEvent;

public sealed record AddSplitsEvent(IReadOnlyList<ISourceSplit> Splits) : OperatorEvent;

public sealed record NoMoreSplitsEvent : OperatorEvent;
