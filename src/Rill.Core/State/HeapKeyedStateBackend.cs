using Rill.Checkpointing;
using Rill.Serialization;

namespace Rill.State;

/// <summary>
/// Keyed state on the heap for one operator instance. The operator sets the current key (and so its key group)
/// before calling user code; state handles read it from here.
/// </summary>
public sealed class HeapKeyedStateBackend<TKey> where TKey : notnull
{
    private readonly Dictionary<string, IStateTable> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> _handles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IKeyedStateSnapshotParticipant> _participants = new(StringComparer.Ordinal);

    // Restored bytes of state nobody has registered yet (state is registered lazily, often on the first record); they
    // go back into every snapshot unchanged until claimed, so state is never lost for not being touched.
    private readonly Dictionary<string, List<(int KeyGroup, byte[] Bytes)>> _unclaimed = new(StringComparer.Ordinal);

    public HeapKeyedStateBackend(KeyGroupRange range, int maxParallelism)
    {
        KeyGroupRange = range;
        MaxParallelism = maxParallelism;
    }

    public KeyGroupRange KeyGroupRange { get; }

    public int MaxParallelism { get; }

    public TKey CurrentKey { get; private set; } = default!;

    public int CurrentKeyGroup { get; private set; }

    public void SetCurrentKey(TKey key)
    {
        var keyGroup = KeyGroupRangeAssignment.AssignToKeyGroup(key, MaxParallelism);
        if (!KeyGroupRange.Contains(keyGroup))
        {
            throw new InvalidOperationException(
                $"Key '{key}' belongs to key group {keyGroup}, outside this subtask's {KeyGroupRange}: the key selector is not deterministic.");
        }

        CurrentKey = key;
        CurrentKeyGroup = keyGroup;
    }

    internal StateTable<TKey, TNamespace, TValue> GetOrCreateTable<TNamespace, TValue>(string name)
        where TNamespace : notnull
    {
        if (_tables.TryGetValue(name, out var existing))
        {
            return existing as StateTable<TKey, TNamespace, TValue>
                ?? throw new InvalidOperationException($"State '{name}' was already registered with another type.");
        }

        var table = new StateTable<TKey, TNamespace, TValue>(KeyGroupRange);
        _tables[name] = table;
        Register(name, table);
        return table;
    }

    public IValueState<T> GetState<T>(ValueStateDescriptor<T> descriptor) =>
        Handle(descriptor.Name, () => new HeapValueState<TKey, T>(this, GetOrCreateTable<VoidNamespace, T>(descriptor.Name), descriptor.DefaultValue));

    public IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor) =>
        Handle(descriptor.Name, () => new HeapListState<TKey, T>(this, GetOrCreateTable<VoidNamespace, List<T>>(descriptor.Name)));

    public IMapState<TMapKey, TValue> GetMapState<TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor) where TMapKey : notnull =>
        Handle(descriptor.Name, () => new HeapMapState<TKey, TMapKey, TValue>(this, GetOrCreateTable<VoidNamespace, Dictionary<TMapKey, TValue>>(descriptor.Name)));

    public IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor) =>
        Handle(descriptor.Name, () => new HeapReducingState<TKey, T>(this, GetOrCreateTable<VoidNamespace, T>(descriptor.Name), descriptor.ReduceFunction));

    private TState Handle<TState>(string name, Func<TState> create) where TState : class
    {
        if (_handles.TryGetValue(name, out var existing))
        {
            return existing as TState ?? throw new InvalidOperationException($"State '{name}' was already registered as another kind of state.");
        }

        var handle = create();
        _handles[name] = handle;
        return handle;
    }

    /// <summary>Adds keyed data to snapshots under a name unique in this operator; restored data of that name is read now.</summary>
    internal void Register(string name, IKeyedStateSnapshotParticipant participant)
    {
        if (!_participants.TryAdd(name, participant))
        {
            throw new InvalidOperationException($"Keyed state '{name}' is registered twice.");
        }

        if (_unclaimed.Remove(name, out var restored))
        {
            var view = new DataInputView();
            foreach (var (keyGroup, bytes) in restored)
            {
                view.Reset(bytes, 0, bytes.Length);
                participant.Restore(keyGroup, view);
            }
        }
    }

    /// <summary>The synchronous part of a snapshot: every key group's state as one byte array (name, length, bytes per participant).</summary>
    internal void Snapshot(StateSnapshotContext context)
    {
        var perParticipant = new List<(string Name, DataOutputSerializer?[] Outputs)>();
        foreach (var (name, participant) in _participants)
        {
            var outputs = new DataOutputSerializer?[KeyGroupRange.NumberOfKeyGroups];
            participant.Snapshot(keyGroup => outputs[keyGroup - KeyGroupRange.StartKeyGroup] ??= new DataOutputSerializer());
            perParticipant.Add((name, outputs));
        }

        var unclaimed = _unclaimed.SelectMany(u => u.Value.Select(v => (Name: u.Key, v.KeyGroup, v.Bytes))).ToLookup(u => u.KeyGroup);
        var blob = new DataOutputSerializer();
        for (var keyGroup = KeyGroupRange.StartKeyGroup; keyGroup <= KeyGroupRange.EndKeyGroup; keyGroup++)
        {
            blob.Clear();
            foreach (var (name, outputs) in perParticipant)
            {
                if (outputs[keyGroup - KeyGroupRange.StartKeyGroup] is { Length: > 0 } output)
                {
                    blob.WriteString(name);
                    blob.WriteInt32(output.Length);
                    blob.WriteBytes(output.WrittenSpan);
                }
            }

            foreach (var (name, _, bytes) in unclaimed[keyGroup])
            {
                blob.WriteString(name);
                blob.WriteInt32(bytes.Length);
                blob.WriteBytes(bytes);
            }

            if (blob.Length > 0)
            {
                context.AddKeyGroup(keyGroup, blob.WrittenSpan.ToArray());
            }
        }
    }

    /// <summary>Takes in restored key groups; each state's bytes wait until that state is registered.</summary>
    internal void Restore(IEnumerable<(int KeyGroup, byte[] Bytes)> keyGroups)
    {
        var view = new DataInputView();
        foreach (var (keyGroup, bytes) in keyGroups)
        {
            if (!KeyGroupRange.Contains(keyGroup))
            {
                throw new CheckpointException($"Restored key group {keyGroup} is outside this subtask's {KeyGroupRange}: the state was assigned wrongly.");
            }

            view.Reset(bytes, 0, bytes.Length);
            while (view.Remaining > 0)
            {
                var name = view.ReadString() ?? throw new CheckpointException($"Key group {keyGroup} has a state without a name: the checkpoint is corrupt.");
                var length = view.ReadInt32();
                var part = view.Take(length).ToArray();
                if (_participants.TryGetValue(name, out var participant))
                {
                    var partView = new DataInputView();
                    partView.Reset(part, 0, part.Length);
                    participant.Restore(keyGroup, partView);
                }
                else
                {
                    (_unclaimed.TryGetValue(name, out var list) ? list : _unclaimed[name] = []).Add((keyGroup, part));
                }
            }
        }
    }

    /// <summary>Names of restored states that nothing has registered (yet).</summary>
    public IReadOnlyCollection<string> UnclaimedStates => _unclaimed.Keys;

    /// <summary>Number of entries in a state table, for tests and metrics.</summary>
    public int CountEntries(string stateName) => _tables.TryGetValue(stateName, out var table) ? table.Count : 0;
}
