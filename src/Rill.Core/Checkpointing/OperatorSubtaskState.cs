namespace Rill.Checkpointing;

/// <summary>How an operator list state is redistributed when the parallelism changes (Flink's split and union).</summary>
public enum OperatorStateDistribution
{
    /// <summary>Every element goes to exactly one subtask (e.g. a source's split positions).</summary>
    Split,

    /// <summary>Every subtask gets all elements of all subtasks.</summary>
    Union,
}

/// <summary>One key group's state in a state file.</summary>
public sealed record KeyGroupState(int KeyGroup, StateSlice Slice);

/// <summary>One named operator list state: its elements, each a slice of a state file.</summary>
public sealed record OperatorListState(string Name, OperatorStateDistribution Distribution, IReadOnlyList<StateSlice> Elements);

/// <summary>
/// The state of one operator in one subtask, as written by a checkpoint, or as handed to a subtask on restore (then
/// the key groups of its range and its share of the list states, gathered from any number of old subtasks).
/// </summary>
public sealed record OperatorSubtaskState(string OperatorId, IReadOnlyList<KeyGroupState> KeyGroups, IReadOnlyList<OperatorListState> ListStates)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public long StateSize => KeyGroups.Sum(k => (long)k.Slice.Length) + ListStates.Sum(l => l.Elements.Sum(e => (long)e.Length));

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => KeyGroups.Count == 0 && ListStates.All(l => l.Elements.Count == 0);
}

/// <summary>What one subtask acknowledges for a checkpoint: every chained operator's state and how long it took.</summary>
public sealed record TaskStateSnapshot(IReadOnlyList<OperatorSubtaskState> Operators, long SyncDurationMs, long AsyncDurationMs)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public long StateSize => Operators.Sum(o => o.StateSize);
}

/// <summary>The state a subtask attempt starts from: the checkpoint's id and each chained operator's share.</summary>
public sealed record TaskRestore(long CheckpointId, IReadOnlyList<OperatorSubtaskState> Operators)
{
    public OperatorSubtaskState? For(string operatorId) => Operators.FirstOrDefault(o => o.OperatorId == operatorId);
}
