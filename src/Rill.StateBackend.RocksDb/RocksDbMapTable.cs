using Rill.Serialization;
using Rill.State;
using RocksDbSharp;

namespace Rill.StateBackend.RocksDb;

/// <summary>
/// Map state with one RocksDB entry per map entry (key group | key | namespace | map key → value), as Flink does:
/// reading, writing or removing one map key touches one RocksDB key, whatever the size of the map, and a map larger
/// than memory works. The entries of one (key, namespace) are contiguous, so iterating or clearing a map is a prefix
/// scan, and a snapshot gathers each map into the heap layout's serialized <c>Dictionary</c>.
/// </summary>
internal sealed class RocksDbMapTable<TKey, TNamespace, TMapKey, TMapValue>(RocksDbInstance instance, ColumnFamilyHandle columnFamily, KeyGroupRange range)
    : RocksDbTable<TKey, TNamespace, Dictionary<TMapKey, TMapValue>>(instance, columnFamily, range)
    where TKey : notnull
    where TNamespace : notnull
    where TMapKey : notnull
{
    private static readonly TypeSerializer<TMapKey> MapKeySerializer = TypeSerializers.For<TMapKey>();
    private static readonly TypeSerializer<TMapValue> MapValueSerializer = TypeSerializers.For<TMapValue>();
    private static readonly TypeSerializer<Dictionary<TMapKey, TMapValue>> MapSerializer = TypeSerializers.For<Dictionary<TMapKey, TMapValue>>();

    private readonly DataInputView _entryView = new();

    public bool TryGetEntry(int keyGroup, TKey key, TNamespace ns, TMapKey mapKey, out TMapValue value)
    {
        if (Db.Get(EncodeEntry(keyGroup, key, ns, mapKey), ColumnFamily) is not { } bytes)
        {
            value = default!;
            return false;
        }

        View.Reset(bytes, 0, bytes.Length);
        value = MapValueSerializer.Deserialize(View);
        return true;
    }

    public bool ContainsEntry(int keyGroup, TKey key, TNamespace ns, TMapKey mapKey) =>
        Db.HasKey(EncodeEntry(keyGroup, key, ns, mapKey), ColumnFamily);

    public void PutEntry(int keyGroup, TKey key, TNamespace ns, TMapKey mapKey, TMapValue value)
    {
        ValueBuffer.Clear();
        MapValueSerializer.Serialize(value, ValueBuffer);
        Db.Put(EncodeEntry(keyGroup, key, ns, mapKey), ValueBuffer.WrittenSpan, ColumnFamily, Instance.WriteOptions);
    }

    public void RemoveEntry(int keyGroup, TKey key, TNamespace ns, TMapKey mapKey) =>
        Db.Remove(EncodeEntry(keyGroup, key, ns, mapKey), ColumnFamily, Instance.WriteOptions);

    /// <summary>Whether (key, namespace) has any entry: a map with none is no state at all, as on the heap.</summary>
    public bool HasEntries(int keyGroup, TKey key, TNamespace ns)
    {
        var prefix = Keys.Encode(keyGroup, key, ns);
        using var iterator = Db.NewIterator(ColumnFamily);
        iterator.Seek(prefix);
        return IsWithin(iterator, prefix);
    }

    /// <summary>The map of (key, namespace) as a copy, in the order of the map keys' bytes.</summary>
    public List<KeyValuePair<TMapKey, TMapValue>> GetEntries(int keyGroup, TKey key, TNamespace ns)
    {
        var prefix = Keys.Encode(keyGroup, key, ns).ToArray();
        var entries = new List<KeyValuePair<TMapKey, TMapValue>>();
        using var iterator = Db.NewIterator(ColumnFamily);
        for (iterator.Seek(prefix); IsWithin(iterator, prefix); iterator.Next())
        {
            entries.Add(ReadEntry(iterator.Key(), prefix.Length, iterator.Value()));
        }

        return entries;
    }

    public override bool TryGet(int keyGroup, TKey key, TNamespace ns, out Dictionary<TMapKey, TMapValue> value)
    {
        var entries = GetEntries(keyGroup, key, ns);
        value = entries.Count > 0 ? new Dictionary<TMapKey, TMapValue>(entries) : null!;
        return entries.Count > 0;
    }

    public override void Put(int keyGroup, TKey key, TNamespace ns, Dictionary<TMapKey, TMapValue> value)
    {
        using var batch = new WriteBatch();
        DeleteAll(keyGroup, key, ns, batch);
        AddEntries(keyGroup, key, ns, value, batch);
        Db.Write(batch, Instance.WriteOptions);
    }

    public override void Remove(int keyGroup, TKey key, TNamespace ns)
    {
        using var batch = new WriteBatch();
        DeleteAll(keyGroup, key, ns, batch);
        Db.Write(batch, Instance.WriteOptions);
    }

    /// <summary>Number of maps, i.e. of (key, namespace) with entries, as the heap counts them.</summary>
    public override int Count => Entries().Count();

    public override IEnumerable<(int KeyGroup, TKey Key, TNamespace Namespace, Dictionary<TMapKey, TMapValue> Value)> Entries()
    {
        using var iterator = Db.NewIterator(ColumnFamily);
        iterator.SeekToFirst();
        while (iterator.Valid())
        {
            var first = iterator.Key();
            var (key, ns) = Keys.Decode(first, out var end);
            var prefix = first.AsSpan(0, end).ToArray();
            var map = ReadMap(iterator, prefix);
            yield return (StateKeyEncoder<TKey, TNamespace>.KeyGroupOf(first), key, ns, map);
        }
    }

    protected override void SnapshotKeyGroup(Iterator iterator, byte[] prefix, DataOutputSerializer output)
    {
        while (IsWithin(iterator, prefix))
        {
            var first = iterator.Key();
            Keys.Decode(first, out var end);
            output.WriteBytes(first.AsSpan(StateKeyEncoder<TKey, TNamespace>.KeyGroupPrefixLength, end - StateKeyEncoder<TKey, TNamespace>.KeyGroupPrefixLength));
            MapSerializer.Serialize(ReadMap(iterator, first.AsSpan(0, end).ToArray()), output);
        }
    }

    protected override void RestoreEntry(int keyGroup, DataInputView input, WriteBatch batch)
    {
        var key = StateKeyEncoder<TKey, TNamespace>.KeySerializer.Deserialize(input);
        var ns = StateKeyEncoder<TKey, TNamespace>.NamespaceSerializer.Deserialize(input);
        AddEntries(keyGroup, key, ns, MapSerializer.Deserialize(input), batch);
    }

    /// <summary>Reads the entries from the iterator's position that share <paramref name="prefix"/> (one map); leaves the iterator after them.</summary>
    private Dictionary<TMapKey, TMapValue> ReadMap(Iterator iterator, byte[] prefix)
    {
        var map = new Dictionary<TMapKey, TMapValue>();
        for (; IsWithin(iterator, prefix); iterator.Next())
        {
            var (mapKey, value) = ReadEntry(iterator.Key(), prefix.Length, iterator.Value());
            map[mapKey] = value;
        }

        return map;
    }

    private KeyValuePair<TMapKey, TMapValue> ReadEntry(byte[] rocksKey, int mapKeyOffset, byte[] value)
    {
        _entryView.Reset(rocksKey, mapKeyOffset, rocksKey.Length - mapKeyOffset);
        var mapKey = MapKeySerializer.Deserialize(_entryView);
        _entryView.Reset(value, 0, value.Length);
        return new(mapKey, MapValueSerializer.Deserialize(_entryView));
    }

    private void AddEntries(int keyGroup, TKey key, TNamespace ns, Dictionary<TMapKey, TMapValue> map, WriteBatch batch)
    {
        foreach (var (mapKey, value) in map)
        {
            ValueBuffer.Clear();
            MapValueSerializer.Serialize(value, ValueBuffer);
            batch.Put(EncodeEntry(keyGroup, key, ns, mapKey), ValueBuffer.WrittenSpan, ColumnFamily);
        }
    }

    private void DeleteAll(int keyGroup, TKey key, TNamespace ns, WriteBatch batch)
    {
        var prefix = Keys.Encode(keyGroup, key, ns).ToArray();
        using var iterator = Db.NewIterator(ColumnFamily);
        for (iterator.Seek(prefix); IsWithin(iterator, prefix); iterator.Next())
        {
            batch.Delete(iterator.GetKeySpan(), ColumnFamily);
        }
    }

    private ReadOnlySpan<byte> EncodeEntry(int keyGroup, TKey key, TNamespace ns, TMapKey mapKey)
    {
        var buffer = Keys.Begin(keyGroup, key, ns);
        MapKeySerializer.Serialize(mapKey, buffer);
        return buffer.WrittenSpan;
    }
}
