using Rill.Checkpointing;
using Rill.Serialization;

namespace Rill.State;

/// <summary>
/// Keyed state of one operator subtask, whatever stores it (Flink's AbstractKeyedStateBackend). The operator sets the
/// current key (and so its key group) before calling user code; state handles read it from here.
/// </summary>
/// <remarks>
/// A base class rather than an interface because the snapshot format lives here, once: each key group is one blob of
/// (state name, length, bytes) per state, and each state writes its entries as key | namespace | value with
/// <see cref="TypeSerializers"/>. Every backend writes the same bytes by construction, so a checkpoint of one backend
/// restores into another, and redistribution by key group works the same for all.
/// </remarks>
public abstract class KeyedStateBackend<TKey> : IDisposable where TKey : notnull
{
    private readonly Dictionary<string, IStateTable> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> _handles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IKeyedStateSnapshotParticipant> _participants = new(StringComparer.Ordinal);

    // Restored bytes of state nobody has registered yet (state is registered lazily, often on the first record); they
    // go back into every snapshot unchanged until claimed, so state is never lost for not being touched.
    private readonly Dictionary<string, List<(int KeyGroup, byte[] Bytes)>> _unclaimed = new(StringComparer.Ordinal);

    protected KeyedStateBackend(KeyGroupRange range, int maxParallelism)
    {
        CheckRange(range, maxParallelism);
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

    public IValueState<T> GetState<T>(ValueStateDescriptor<T> descriptor) => Handle(descriptor.Name, () => CreateValueState(descriptor));

    public IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor) => Handle(descriptor.Name, () => CreateListState(descriptor));

    public IMapState<TMapKey, TValue> GetMapState<TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor) where TMapKey : notnull =>
        Handle(descriptor.Name, () => CreateMapState(descriptor));

    public IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor) => Handle(descriptor.Name, () => CreateReducingState(descriptor));

    /// <summary>Names of restored states that nothing has registered (yet).</summary>
    public IReadOnlyCollection<string> UnclaimedStates => _unclaimed.Keys;

    /// <summary>Number of (key, namespace) entries of a state, for tests and metrics.</summary>
    public int CountEntries(string stateName) => _tables.TryGetValue(stateName, out var table) ? table.Count : 0;

    /// <summary>Releases what the backend holds outside the managed heap (files, native memory).</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);

    internal abstract IValueState<T> CreateValueState<T>(ValueStateDescriptor<T> descriptor);

    internal abstract IListState<T> CreateListState<T>(ListStateDescriptor<T> descriptor);

    internal abstract IMapState<TMapKey, TValue> CreateMapState<TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor) where TMapKey : notnull;

    internal abstract IReducingState<T> CreateReducingState<T>(ReducingStateDescriptor<T> descriptor);

    /// <summary>A plain table of this backend: one value per (key, namespace).</summary>
    internal abstract KeyedStateTable<TKey, TNamespace, TValue> CreateTable<TNamespace, TValue>(string name) where TNamespace : notnull;

    /// <summary>The table of a state, created (and so registered for snapshots and restored data) on first use.</summary>
    internal KeyedStateTable<TKey, TNamespace, TValue> GetOrCreateTable<TNamespace, TValue>(string name)
        where TNamespace : notnull => GetOrAddTable(name, () => CreateTable<TNamespace, TValue>(name));

    /// <summary>
    /// The table of a state, created by <paramref name="create"/> on first use. Backends use this for tables of their
    /// own kind (a list or map stored differently); the table is then also what <see cref="GetOrCreateTable"/> returns.
    /// </summary>
    internal TTable GetOrAddTable<TTable>(string name, Func<TTable> create) where TTable : class, IStateTable, IKeyedStateSnapshotParticipant
    {
        if (_tables.TryGetValue(name, out var existing))
        {
            return existing as TTable
                ?? throw new InvalidOperationException($"State '{name}' was already registered with another type.");
        }

        var table = create();
        _tables[name] = table;
        Register(name, table);
        return table;
    }

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

    private static void CheckRange(KeyGroupRange range, int maxParallelism)
    {
        if (range.StartKeyGroup < 0 || range.EndKeyGroup >= maxParallelism || range.NumberOfKeyGroups < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(range), range, $"The key-group range must lie within [0, {maxParallelism - 1}].");
        }
    }
}
