using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Rill.Serialization;

/// <summary>A forward-only reader over one serialized record or buffer segment.</summary>
public sealed class DataInputView
{
    private byte[] _buffer = [];
    private int _position;
    private int _limit;

    public void Reset(byte[] buffer, int offset, int length)
    {
        _buffer = buffer;
        _position = offset;
        _limit = offset + length;
    }

    public int Position => _position;

    public int Remaining => _limit - _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Take(int count)
    {
        if (count > _limit - _position)
        {
            throw new InvalidDataException($"Corrupt record: needed {count} bytes, {_limit - _position} remain.");
        }

        var span = new ReadOnlySpan<byte>(_buffer, _position, count);
        _position += count;
        return span;
    }

    public byte ReadByte() => Take(1)[0];

    public bool ReadBoolean() => ReadByte() != 0;

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public string? ReadString()
    {
        var length = ReadInt32();
        return length < 0 ? null : new string(MemoryMarshal.Cast<byte, char>(Take(checked(length * 2))));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T ReadUnmanaged<T>() where T : unmanaged => Unsafe.ReadUnaligned<T>(in Take(Unsafe.SizeOf<T>())[0]);
}
