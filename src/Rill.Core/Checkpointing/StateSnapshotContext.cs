using Rill.Serialization;

namespace Rill.Checkpointing;

/// <summary>
/// The synchronous part of one operator's snapshot: the operator puts its state here as bytes (key group by key
/// group, and named list states) on the task thread; writing the bytes to the checkpoint's file happens later, off the
/// task thread.
/// </summary>
public sealed class StateSnapshotContext(long checkpointId, CheckpointKind kind, string operatorId)
{
    private readonly List<(int KeyGroup, byte[] Bytes)> _keyGroups = [];
    private readonly List<(string Name, OperatorStateDistribution Distribution, IReadOnlyList<byte[]> Elements)> _listStates = [];

    public long CheckpointId { get; } = checkpointId;

    public CheckpointKind Kind { get; } = kind;

    public string OperatorId { get; } = operatorId;

    public bool IsEmpty => _keyGroups.Count == 0 && _listStates.All(l => l.Elements.Count == 0);

    public void AddKeyGroup(int keyGroup, byte[] bytes) => _keyGroups.Add((keyGroup, bytes));

    public void AddListState(string name, OperatorStateDistribution distribution, IReadOnlyList<byte[]> elements) =>
        _listStates.Add((name, distribution, elements));

    /// <summary>Serializes each element with the type's serializer into a list state.</summary>
    public void AddListState<T>(string name, OperatorStateDistribution distribution, IEnumerable<T> elements, TypeSerializer<T>? serializer = null)
    {
        serializer ??= TypeSerializers.For<T>();
        var output = new DataOutputSerializer();
        var bytes = new List<byte[]>();
        foreach (var element in elements)
        {
            output.Clear();
            serializer.Serialize(element, output);
            bytes.Add(output.WrittenSpan.ToArray());
        }

        AddListState(name, distribution, bytes);
    }

    /// <summary>The asynchronous part: writes the bytes and returns where they are.</summary>
    internal OperatorSubtaskState WriteTo(StateFileWriter writer)
    {
        var keyGroups = _keyGroups.Select(k => new KeyGroupState(k.KeyGroup, writer.Write(k.Bytes))).ToList();
        var lists = _listStates.Select(l => new OperatorListState(l.Name, l.Distribution, l.Elements.Select(e => writer.Write(e)).ToList())).ToList();
        return new OperatorSubtaskState(OperatorId, keyGroups, lists);
    }
}
