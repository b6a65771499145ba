using Rill.Serialization;
using Rill.State;
using RocksDbSharp;

namespace Rill.StateBackend.RocksDb;

/// <summary>
/// A state in its own column family of the subtask's RocksDB, keyed as <see cref="StateKeyEncoder{TKey,TNamespace}"/>
/// says. Snapshots scan one key group at a time and write the heap backend's layout; each kind of table says how its
/// stored bytes become that layout and back.
/// </summary>
internal abstract class RocksDbTable<TKey, TNamespace, TValue>(RocksDbInstance instance, ColumnFamilyHandle columnFamily, KeyGroupRange range)
    : KeyedStateTable<TKey, TNamespace, TValue>
    where TKey : notnull
    where TNamespace : notnull
{
    protected RocksDbInstance Instance { get; } = instance;

    protected RocksDbSharp.RocksDb Db => Instance.Db;

    protected ColumnFamilyHandle ColumnFamily { get; } = columnFamily;

    protected StateKeyEncoder<TKey, TNamespace> Keys { get; } = new();

    /// <summary>Reused to read stored values (state is used from the task thread only).</summary>
    protected DataInputView View { get; } = new();

    /// <summary>Reused to write values before they are stored.</summary>
    protected DataOutputSerializer ValueBuffer { get; } = new();

    public override int Count
    {
        get
        {
            var count = 0;
            using var iterator = Db.NewIterator(ColumnFamily);
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                count++;
            }

            return count;
        }
    }

    public override void Snapshot(Func<int, DataOutputSerializer> outputForKeyGroup)
    {
        using var iterator = Db.NewIterator(ColumnFamily);
        for (var keyGroup = range.StartKeyGroup; keyGroup <= range.EndKeyGroup; keyGroup++)
        {
            var prefix = StateKeyEncoder<TKey, TNamespace>.KeyGroupPrefix(keyGroup);
            iterator.Seek(prefix);
            if (IsWithin(iterator, prefix))
            {
                SnapshotKeyGroup(iterator, prefix, outputForKeyGroup(keyGroup));
            }
        }
    }

    /// <summary>Writes, from the iterator's position, every entry whose key starts with <paramref name="prefix"/> (one key group).</summary>
    protected abstract void SnapshotKeyGroup(Iterator iterator, byte[] prefix, DataOutputSerializer output);

    public override void Restore(int keyGroup, DataInputView input)
    {
        using var batch = new WriteBatch();
        while (input.Remaining > 0)
        {
            RestoreEntry(keyGroup, input, batch);
        }

        Db.Write(batch, Instance.WriteOptions);
    }

    /// <summary>Reads one entry of the heap layout (key | namespace | value) and adds what to store to the batch.</summary>
    protected abstract void RestoreEntry(int keyGroup, DataInputView input, WriteBatch batch);

    protected static bool IsWithin(Iterator iterator, ReadOnlySpan<byte> prefix) => iterator.Valid() && iterator.GetKeySpan().StartsWith(prefix);
}
