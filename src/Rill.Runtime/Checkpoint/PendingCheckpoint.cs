using Rill.Checkpointing;
using Rill.Runtime.Scheduler;

namespace Rill.Runtime.Checkpoint;

/// <summary>A triggered checkpoint waiting for the acknowledgements of the tasks that were running when it started.</summary>
internal sealed class PendingCheckpoint(long id, CheckpointKind kind, string location, DateTimeOffset triggerTime,
    IReadOnlyCollection<Execution> toAcknowledge, IReadOnlyDictionary<string, byte[]> coordinatorStates)
{
    private readonly Dictionary<Guid, Execution> _waitingFor = toAcknowledge.ToDictionary(e => e.AttemptId);

    public long Id { get; } = id;

    public CheckpointKind Kind { get; } = kind;

    public string Location { get; } = location;

    public DateTimeOffset TriggerTime { get; } = triggerTime;

    public int NumSubtasks { get; } = toAcknowledge.Count;

    public IReadOnlyDictionary<string, byte[]> CoordinatorStates { get; } = coordinatorStates;

    /// <summary>Acknowledged state per (vertex, subtask).</summary>
    public Dictionary<(string VertexId, int Subtask), TaskStateSnapshot> Acknowledged { get; } = [];

    public DateTimeOffset? LatestAckTime { get; private set; }

    public bool IsFullyAcknowledged => _waitingFor.Count == 0;

    public TaskCompletionSource<CompletedCheckpoint> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Cancels the timeout once the checkpoint ends either way, so no timer outlives it.</summary>
    public CancellationTokenSource TimeoutCancellation { get; } = new();

    /// <summary>False for an attempt this checkpoint does not wait for (or one that already acknowledged).</summary>
    public bool Acknowledge(Guid attemptId, TaskStateSnapshot state)
    {
        if (!_waitingFor.Remove(attemptId, out var execution))
        {
            return false;
        }

        Acknowledged[(execution.Vertex.JobVertex.Id, execution.Vertex.SubtaskIndex)] = state;
        LatestAckTime = DateTimeOffset.UtcNow;
        return true;
    }

    public bool WaitsFor(Guid attemptId) => _waitingFor.ContainsKey(attemptId);
}
