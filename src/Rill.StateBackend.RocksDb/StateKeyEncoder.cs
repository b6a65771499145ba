using Rill.Serialization;

namespace Rill.StateBackend.RocksDb;

/// <summary>
/// RocksDB keys of a state: 2-byte big-endian key group, serialized key, serialized namespace (and, for map state,
/// the serialized map key). The key group leads so that one key group's entries are one contiguous range of the
/// column family, which a snapshot reads with one prefix scan, as the heap backend reads one dictionary.
/// </summary>
/// <remarks>
/// Lookups compare bytes, so keys and namespaces must serialize deterministically (as Flink requires of keys). The
/// serializers are self-delimiting, so no key|namespace is a prefix of another: the entries of one (key, namespace)
/// of map state are contiguous too.
/// </remarks>
internal sealed class StateKeyEncoder<TKey, TNamespace>
{
    public static readonly TypeSerializer<TKey> KeySerializer = TypeSerializers.For<TKey>();
    public static readonly TypeSerializer<TNamespace> NamespaceSerializer = TypeSerializers.For<TNamespace>();

    public const int KeyGroupPrefixLength = 2;

    private readonly DataOutputSerializer _buffer = new(64);
    private readonly DataInputView _view = new();

    /// <summary>The key group | key | namespace bytes, valid until the next call (the buffer is reused).</summary>
    public ReadOnlySpan<byte> Encode(int keyGroup, TKey key, TNamespace ns) => Begin(keyGroup, key, ns).WrittenSpan;

    /// <summary>Starts a key in the reused buffer; map state appends the map key to it.</summary>
    public DataOutputSerializer Begin(int keyGroup, TKey key, TNamespace ns)
    {
        _buffer.Clear();
        WriteKeyGroup(keyGroup, _buffer);
        KeySerializer.Serialize(key, _buffer);
        NamespaceSerializer.Serialize(ns, _buffer);
        return _buffer;
    }

    public static void WriteKeyGroup(int keyGroup, DataOutputSerializer output)
    {
        output.WriteByte((byte)(keyGroup >> 8));
        output.WriteByte((byte)keyGroup);
    }

    public static byte[] KeyGroupPrefix(int keyGroup) => [(byte)(keyGroup >> 8), (byte)keyGroup];

    public static int KeyGroupOf(ReadOnlySpan<byte> rocksKey) => (rocksKey[0] << 8) | rocksKey[1];

    /// <summary>
    /// Reads key and namespace back from a stored key. <paramref name="end"/> is where they end in it (what follows is
    /// a map key, if any), so key | namespace is <c>rocksKey[2..end]</c>.
    /// </summary>
    public (TKey Key, TNamespace Namespace) Decode(byte[] rocksKey, out int end)
    {
        _view.Reset(rocksKey, KeyGroupPrefixLength, rocksKey.Length - KeyGroupPrefixLength);
        var key = KeySerializer.Deserialize(_view);
        var ns = NamespaceSerializer.Deserialize(_view);
        end = _view.Position;
        return (key, ns);
    }
}
