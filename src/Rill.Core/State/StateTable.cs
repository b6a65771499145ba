using System.Runtime.InteropServices;
using Rill.Serialization;

namespace Rill.State;

/// <summary>
/// Heap storage of one state: a map per key group from (key, namespace) to value. Keeping key groups apart is
/// what lets a snapshot be cut per key group and redistributed when parallelism changes.
/// </summary>
internal sealed class StateTable<TKey, TNamespace, TValue> : KeyedStateTable<TKey, TNamespace, TValue>
    where TKey : notnull
    where TNamespace : notnull
{
    private static readonly TypeSerializer<TKey> KeySerializer = TypeSerializers.For<TKey>();
    private static readonly TypeSerializer<TNamespace> NamespaceSerializer = TypeSerializers.For<TNamespace>();
    private static readonly TypeSerializer<TValue> ValueSerializer = TypeSerializers.For<TValue>();

    private readonly KeyGroupRange _range;
    private readonly Dictionary<(TKey, TNamespace), TValue>?[] _byKeyGroup;
    private int _largestCapacity;

    public StateTable(KeyGroupRange range)
    {
        _range = range;
        _byKeyGroup = new Dictionary<(TKey, TNamespace), TValue>?[range.NumberOfKeyGroups];
    }

    private Dictionary<(TKey, TNamespace), TValue> MapFor(int keyGroup)
    {
        var index = keyGroup - _range.StartKeyGroup;
        return _byKeyGroup[index] ??= new Dictionary<(TKey, TNamespace), TValue>();
    }

    public ref TValue GetOrAdd(int keyGroup, TKey key, TNamespace ns, out bool existed)
    {
        var map = MapFor(keyGroup);
        if (map.Count == map.Capacity && map.Count >= 16)
        {
            // Key groups tend to fill up alike, so a full map skips ahead towards the capacity other key groups
            // needed instead of growing through every size (each step allocates the table anew). At most 4x, so one
            // huge key group (skewed keys) cannot make every other key group allocate its size.
            var target = Math.Max((map.Count * 2) + 1, Math.Min(_largestCapacity, map.Count * 4));
            _largestCapacity = Math.Max(_largestCapacity, map.EnsureCapacity(target));
        }

        return ref CollectionsMarshal.GetValueRefOrAddDefault(map, (key, ns), out existed)!;
    }

    public override bool TryGet(int keyGroup, TKey key, TNamespace ns, out TValue value)
    {
        var map = _byKeyGroup[keyGroup - _range.StartKeyGroup];
        if (map is null)
        {
            value = default!;
            return false;
        }

        return map.TryGetValue((key, ns), out value!);
    }

    public override void Put(int keyGroup, TKey key, TNamespace ns, TValue value) => GetOrAdd(keyGroup, key, ns, out _) = value;

    public override void Remove(int keyGroup, TKey key, TNamespace ns) => _byKeyGroup[keyGroup - _range.StartKeyGroup]?.Remove((key, ns));

    public override int Count => _byKeyGroup.Sum(m => m?.Count ?? 0);

    public override void Snapshot(Func<int, DataOutputSerializer> outputForKeyGroup)
    {
        for (var i = 0; i < _byKeyGroup.Length; i++)
        {
            if (_byKeyGroup[i] is not { Count: > 0 } map)
            {
                continue;
            }

            var output = outputForKeyGroup(i + _range.StartKeyGroup);
            foreach (var ((key, ns), value) in map)
            {
                KeySerializer.Serialize(key, output);
                NamespaceSerializer.Serialize(ns, output);
                ValueSerializer.Serialize(value, output);
            }
        }
    }

    public override void Restore(int keyGroup, DataInputView input)
    {
        while (input.Remaining > 0)
        {
            var key = KeySerializer.Deserialize(input);
            var ns = NamespaceSerializer.Deserialize(input);
            Put(keyGroup, key, ns, ValueSerializer.Deserialize(input));
        }
    }

    public override IEnumerable<(int KeyGroup, TKey Key, TNamespace Namespace, TValue Value)> Entries()
    {
        for (var i = 0; i < _byKeyGroup.Length; i++)
        {
            if (_byKeyGroup[i] is not { } map)
            {
                continue;
            }

            foreach (var ((key, ns), value) in map)
            {
                yield return (i + _range.StartKeyGroup, key, ns, value);
            }
        }
    }
}

/// <summary>The namespace of state that is not scoped to a window.</summary>
public readonly record struct VoidNamespace
{
    public static readonly VoidNamespace Instance = default;
}
