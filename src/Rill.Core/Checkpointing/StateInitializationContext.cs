using Rill.Serialization;

namespace Rill.Checkpointing;

/// <summary>
/// What an operator starts from: nothing (a fresh start), or its share of a checkpoint's state. Reads are lazy, so
/// an operator only pays for the state it has.
/// </summary>
public sealed class StateInitializationContext
{
    private readonly OperatorSubtaskState? _state;

    public StateInitializationContext(long? restoredCheckpointId, OperatorSubtaskState? state)
    {
        RestoredCheckpointId = restoredCheckpointId;
        _state = state;
    }

    public static StateInitializationContext Fresh { get; } = new(null, null);

    /// <summary>True when the job restored a checkpoint or savepoint (even if this operator had no state in it).</summary>
    public bool IsRestored => RestoredCheckpointId is not null;

    public long? RestoredCheckpointId { get; }

    /// <summary>The key groups handed to this subtask, with their bytes read from the state files.</summary>
    public IEnumerable<(int KeyGroup, byte[] Bytes)> ReadKeyGroups() =>
        (_state?.KeyGroups ?? []).Select(k => (k.KeyGroup, StateFileReader.Read(k.Slice)));

    /// <summary>This subtask's share of a list state (all elements for union state); empty when it has none.</summary>
    public IReadOnlyList<byte[]> ReadListState(string name) =>
        (_state?.ListStates ?? []).Where(l => l.Name == name).SelectMany(l => l.Elements).Select(StateFileReader.Read).ToList();

    public IReadOnlyList<T> ReadListState<T>(string name, TypeSerializer<T>? serializer = null)
    {
        serializer ??= TypeSerializers.For<T>();
        var view = new DataInputView();
        return ReadListState(name).Select(bytes =>
        {
            view.Reset(bytes, 0, bytes.Length);
            return serializer.Deserialize(view);
        }).ToList();
    }
}
