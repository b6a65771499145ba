using Rill.Checkpointing;

namespace Rill.Runtime.Checkpoint;

/// <summary>One operator's state in a completed checkpoint: one entry per subtask (empty for a subtask without state).</summary>
public sealed record OperatorState(string OperatorId, string OperatorName, int Parallelism, int MaxParallelism, IReadOnlyList<OperatorSubtaskState> Subtasks)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool HasKeyedState => Subtasks.Any(s => s.KeyGroups.Count > 0);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => Subtasks.All(s => s.IsEmpty);
}

/// <summary>
/// A checkpoint or savepoint every task acknowledged: where its files are and which operator state is where (what its
/// <c>_metadata</c> file holds). Coordinator state (a source's unassigned splits) is small and kept inline.
/// </summary>
public sealed record CompletedCheckpoint(
    Guid JobId,
    long CheckpointId,
    DateTimeOffset Timestamp,
    CheckpointKind Kind,
    string Location,
    IReadOnlyList<OperatorState> Operators,
    IReadOnlyDictionary<string, byte[]> CoordinatorStates)
{
    public const string MetadataFileName = "_metadata";

    [System.Text.Json.Serialization.JsonIgnore]
    public string MetadataPath => Path.Combine(Location, MetadataFileName);

    [System.Text.Json.Serialization.JsonIgnore]
    public long StateSize => Operators.Sum(o => o.Subtasks.Sum(s => s.StateSize)) + CoordinatorStates.Values.Sum(v => (long)v.Length);
}
