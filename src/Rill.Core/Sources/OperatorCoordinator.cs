namespace Rill.Sources;

/// <summary>
/// Runs on the JobManager side for one operator (Flink's OperatorCoordinator); talks to the operator's
/// subtasks only through events, which is what lets the same code run embedded and distributed.
/// </summary>
public interface IOperatorCoordinator : IDisposable
{
    void Start();

    void HandleEventFromOperator(int subtask, OperatorEvent operatorEvent);

    /// <summary>
    /// The coordinator's part of checkpoint <paramref name="checkpointId"/>, taken right before the sources get the
    /// trigger: events sent before it reach the readers before their barrier, so the two parts agree.
    /// </summary>
    byte[] CheckpointCoordinator(long checkpointId);
}

public interface IOperatorCoordinatorContext
{
    void SendEventToOperator(int subtask, OperatorEvent operatorEvent);

    /// <summary>
    /// Runs <paramref name="action"/> on the coordinator thread (the JobMaster's main thread), from any thread; a failure
    /// fails the job like any coordinator failure.
    /// </summary>
    void RunInCoordinatorThread(Action action);
}

/// <summary>Messages between a coordinator and its operator's subtasks.</summary>
public abstract record OperatorEvent;

/// <summary>A source reader is open and can take splits (sent before its first split request).</summary>
public sealed record ReaderRegistrationEvent : OperatorEvent;

public sealed record RequestSplitEvent : OperatorEvent;

public sealed record AddSplitsEvent(IReadOnlyList<ISourceSplit> Splits) : OperatorEvent;

public sealed record NoMoreSplitsEvent : OperatorEvent;
