using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Rill.Serialization;

/// <summary>A growable byte sink that serializers write into; reused per record so the hot path does not allocate.</summary>
public sealed class DataOutputSerializer
{
    private byte[] _buffer;
    private int _position;

    public DataOutputSerializer(int initialSize = 256) => _buffer = new byte[Math.Max(16, initialSize)];

    public int Length => _position;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _position);

    public void Clear() => _position = 0;

    /// <summary>
    /// Writes into <paramref name="target"/> from <paramref name="position"/> on. For callers that checked the
    /// space first (fixed-length records go straight into a network buffer without a copy).
    /// </summary>
    internal void Wrap(byte[] target, int position)
    {
        _buffer = target;
        _position = position;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> GetSpan(int size)
    {
        if (_position + size > _buffer.Length)
        {
            Grow(size);
        }

        return _buffer.AsSpan(_position, size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count) => _position += count;

    private void Grow(int size)
    {
        var next = new byte[Math.Max(_buffer.Length * 2, _position + size)];
        _buffer.AsSpan(0, _position).CopyTo(next);
        _buffer = next;
    }

    public void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        _position++;
    }

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(GetSpan(4), value);
        _position += 4;
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(GetSpan(8), value);
        _position += 8;
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(GetSpan(8), value);
        _position += 8;
    }

    public void WriteSingle(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(GetSpan(4), value);
        _position += 4;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _position += bytes.Length;
    }

    /// <summary>
    /// Writes a string as its UTF-16 code units (length-prefixed; null is length -1). Not UTF-8: that would turn
    /// unpaired surrogates into U+FFFD, so a record would change depending on whether an edge is chained.
    /// </summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteInt32(value.Length);
        WriteBytes(MemoryMarshal.AsBytes(value.AsSpan()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUnmanaged<T>(in T value) where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        Unsafe.WriteUnaligned(ref GetSpan(size)[0], value);
        _position += size;
    }
}
