using Rill.Serialization;
using Rill.State;
using RocksDbSharp;

namespace Rill.StateBackend.RocksDb;

/// <summary>
/// One value per (key, namespace), stored as its <see cref="TypeSerializers"/> bytes: value, reducing and aggregating
/// state, window contents. The stored bytes are the heap layout's value bytes, so a snapshot copies entries without
/// reading them.
/// </summary>
internal sealed class RocksDbValueTable<TKey, TNamespace, TValue>(RocksDbInstance instance, ColumnFamilyHandle columnFamily, KeyGroupRange range)
    : RocksDbTable<TKey, TNamespace, TValue>(instance, columnFamily, range)
    where TKey : notnull
    where TNamespace : notnull
{
    private static readonly TypeSerializer<TValue> ValueSerializer = TypeSerializers.For<TValue>();

    public override bool TryGet(int keyGroup, TKey key, TNamespace ns, out TValue value)
    {
        if (Db.Get(Keys.Encode(keyGroup, key, ns), ColumnFamily) is not { } bytes)
        {
            value = default!;
            return false;
        }

        View.Reset(bytes, 0, bytes.Length);
        value = ValueSerializer.Deserialize(View);
        return true;
    }

    public override void Put(int keyGroup, TKey key, TNamespace ns, TValue value)
    {
        ValueBuffer.Clear();
        ValueSerializer.Serialize(value, ValueBuffer);
        Db.Put(Keys.Encode(keyGroup, key, ns), ValueBuffer.WrittenSpan, ColumnFamily, Instance.WriteOptions);
    }

    public override void Remove(int keyGroup, TKey key, TNamespace ns) => Db.Remove(Keys.Encode(keyGroup, key, ns), ColumnFamily, Instance.WriteOptions);

    public override IEnumerable<(int KeyGroup, TKey Key, TNamespace Namespace, TValue Value)> Entries()
    {
        using var iterator = Db.NewIterator(ColumnFamily);
        for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
        {
            var rocksKey = iterator.Key();
            var (key, ns) = Keys.Decode(rocksKey, out _);
            var bytes = iterator.Value();
            View.Reset(bytes, 0, bytes.Length);
            yield return (StateKeyEncoder<TKey, TNamespace>.KeyGroupOf(rocksKey), key, ns, ValueSerializer.Deserialize(View));
        }
    }

    protected override void SnapshotKeyGroup(Iterator iterator, byte[] prefix, DataOutputSerializer output)
    {
        for (; IsWithin(iterator, prefix); iterator.Next())
        {
            output.WriteBytes(iterator.GetKeySpan()[StateKeyEncoder<TKey, TNamespace>.KeyGroupPrefixLength..]);
            output.WriteBytes(iterator.GetValueSpan());
        }
    }

    protected override void RestoreEntry(int keyGroup, DataInputView input, WriteBatch batch)
    {
        var key = StateKeyEncoder<TKey, TNamespace>.KeySerializer.Deserialize(input);
        var ns = StateKeyEncoder<TKey, TNamespace>.NamespaceSerializer.Deserialize(input);
        ValueBuffer.Clear();
        ValueSerializer.Serialize(ValueSerializer.Deserialize(input), ValueBuffer);

        // Serialized anew rather than copied: lookups compare key bytes with what this process's serializers write,
        // which need not be what wrote the checkpoint.
        batch.Put(Keys.Encode(keyGroup, key, ns), ValueBuffer.WrittenSpan, ColumnFamily);
    }
}
