using Rill.Serialization;
using Rill.State;
using RocksDbSharp;

namespace Rill.StateBackend.RocksDb;

/// <summary>
/// List state: one RocksDB value per (key, namespace) holding the elements' serialized bytes back to back, so adding
/// an element appends bytes without reading the elements already there (Flink gets the same from a merge operator).
/// Snapshots turn it into the heap layout's serialized <c>List&lt;T&gt;</c>.
/// </summary>
internal sealed class RocksDbListTable<TKey, TNamespace, T>(RocksDbInstance instance, ColumnFamilyHandle columnFamily, KeyGroupRange range)
    : RocksDbTable<TKey, TNamespace, List<T>>(instance, columnFamily, range)
    where TKey : notnull
    where TNamespace : notnull
{
    private static readonly TypeSerializer<T> ElementSerializer = TypeSerializers.For<T>();
    private static readonly TypeSerializer<List<T>> ListSerializer = TypeSerializers.For<List<T>>();

    public override bool TryGet(int keyGroup, TKey key, TNamespace ns, out List<T> value)
    {
        if (Db.Get(Keys.Encode(keyGroup, key, ns), ColumnFamily) is not { } bytes)
        {
            value = null!;
            return false;
        }

        value = ReadElements(bytes);
        return true;
    }

    public override void Put(int keyGroup, TKey key, TNamespace ns, List<T> value)
    {
        ValueBuffer.Clear();
        foreach (var element in value)
        {
            ElementSerializer.Serialize(element, ValueBuffer);
        }

        Db.Put(Keys.Encode(keyGroup, key, ns), ValueBuffer.WrittenSpan, ColumnFamily, Instance.WriteOptions);
    }

    /// <summary>Appends elements to the list of (key, namespace); appending none stores nothing.</summary>
    public void Append(int keyGroup, TKey key, TNamespace ns, IEnumerable<T> elements)
    {
        ValueBuffer.Clear();
        foreach (var element in elements)
        {
            ElementSerializer.Serialize(element, ValueBuffer);
        }

        if (ValueBuffer.Length == 0)
        {
            return;
        }

        var rocksKey = Keys.Encode(keyGroup, key, ns);
        if (Db.Get(rocksKey, ColumnFamily) is { Length: > 0 } existing)
        {
            var added = ValueBuffer.WrittenSpan.ToArray();
            ValueBuffer.Clear();
            ValueBuffer.WriteBytes(existing);
            ValueBuffer.WriteBytes(added);
        }

        Db.Put(rocksKey, ValueBuffer.WrittenSpan, ColumnFamily, Instance.WriteOptions);
    }

    public override void Remove(int keyGroup, TKey key, TNamespace ns) => Db.Remove(Keys.Encode(keyGroup, key, ns), ColumnFamily, Instance.WriteOptions);

    public override IEnumerable<(int KeyGroup, TKey Key, TNamespace Namespace, List<T> Value)> Entries()
    {
        using var iterator = Db.NewIterator(ColumnFamily);
        for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
        {
            var rocksKey = iterator.Key();
            var (key, ns) = Keys.Decode(rocksKey, out _);
            yield return (StateKeyEncoder<TKey, TNamespace>.KeyGroupOf(rocksKey), key, ns, ReadElements(iterator.Value()));
        }
    }

    protected override void SnapshotKeyGroup(Iterator iterator, byte[] prefix, DataOutputSerializer output)
    {
        for (; IsWithin(iterator, prefix); iterator.Next())
        {
            output.WriteBytes(iterator.GetKeySpan()[StateKeyEncoder<TKey, TNamespace>.KeyGroupPrefixLength..]);
            ListSerializer.Serialize(ReadElements(iterator.Value()), output);
        }
    }

    protected override void RestoreEntry(int keyGroup, DataInputView input, WriteBatch batch)
    {
        var key = StateKeyEncoder<TKey, TNamespace>.KeySerializer.Deserialize(input);
        var ns = StateKeyEncoder<TKey, TNamespace>.NamespaceSerializer.Deserialize(input);
        ValueBuffer.Clear();
        foreach (var element in ListSerializer.Deserialize(input))
        {
            ElementSerializer.Serialize(element, ValueBuffer);
        }

        batch.Put(Keys.Encode(keyGroup, key, ns), ValueBuffer.WrittenSpan, ColumnFamily);
    }

    private List<T> ReadElements(byte[] bytes)
    {
        var list = new List<T>();
        View.Reset(bytes, 0, bytes.Length);
        while (View.Remaining > 0)
        {
            list.Add(ElementSerializer.Deserialize(View));
        }

        return list;
    }
}
