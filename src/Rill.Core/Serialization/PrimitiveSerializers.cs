namespace Rill.Serialization;

internal sealed class Int32Serializer : TypeSerializer<int>
{
    public override void Serialize(int value, DataOutputSerializer target) => target.WriteInt32(value);
    public override int Deserialize(DataInputView source) => source.ReadInt32();
    public override int FixedLength => 4;
}

internal sealed class Int64Serializer : TypeSerializer<long>
{
    public override void Serialize(long value, DataOutputSerializer target) => target.WriteInt64(value);
    public override long Deserialize(DataInputView source) => source.ReadInt64();
    public override int FixedLength => 8;
}

internal sealed class DoubleSerializer : TypeSerializer<double>
{
    public override void Serialize(double value, DataOutputSerializer target) => target.WriteDouble(value);
    public override double Deserialize(DataInputView source) => source.ReadDouble();
    public override int FixedLength => 8;
}

internal sealed class BooleanSerializer : TypeSerializer<bool>
{
    public override void Serialize(bool value, DataOutputSerializer target) => target.WriteBoolean(value);
    public override bool Deserialize(DataInputView source) => source.ReadBoolean();
    public override int FixedLength => 1;
}

internal sealed class StringSerializer : TypeSerializer<string>
{
    public override void Serialize(string value, DataOutputSerializer target) => target.WriteString(value);
    public override string Deserialize(DataInputView source) => source.ReadString()!;
}

/// <summary>Structs without references are copied byte for byte: the fastest possible path for value-type records.</summary>
internal sealed class UnmanagedSerializer<T> : TypeSerializer<T> where T : unmanaged
{
    public override void Serialize(T value, DataOutputSerializer target) => target.WriteUnmanaged(value);
    public override T Deserialize(DataInputView source) => source.ReadUnmanaged<T>();
    public override int FixedLength => System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
}

internal sealed class ValueTupleSerializer<T1, T2>(TypeSerializer<T1> first, TypeSerializer<T2> second) : TypeSerializer<(T1, T2)>
{
    public override void Serialize((T1, T2) value, DataOutputSerializer target)
    {
        first.Serialize(value.Item1, target);
        second.Serialize(value.Item2, target);
    }

    public override (T1, T2) Deserialize(DataInputView source) => (first.Deserialize(source), second.Deserialize(source));
}

internal sealed class ValueTupleSerializer<T1, T2, T3>(TypeSerializer<T1> first, TypeSerializer<T2> second, TypeSerializer<T3> third)
    : TypeSerializer<(T1, T2, T3)>
{
    public override void Serialize((T1, T2, T3) value, DataOutputSerializer target)
    {
        first.Serialize(value.Item1, target);
        second.Serialize(value.Item2, target);
        third.Serialize(value.Item3, target);
    }

    public override (T1, T2, T3) Deserialize(DataInputView source) =>
        (first.Deserialize(source), second.Deserialize(source), third.Deserialize(source));
}

internal sealed class NullableSerializer<T>(TypeSerializer<T> inner) : TypeSerializer<T?> where T : struct
{
    public override void Serialize(T? value, DataOutputSerializer target)
    {
        target.WriteBoolean(value.HasValue);
        if (value.HasValue)
        {
            inner.Serialize(value.Value, target);
        }
    }

    public override T? Deserialize(DataInputView source) => source.ReadBoolean() ? inner.Deserialize(source) : null;
}
