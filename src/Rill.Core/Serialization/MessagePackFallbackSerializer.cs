using MessagePack;
using MessagePack.Resolvers;

namespace Rill.Serialization;

/// <summary>
/// The general fallback for classes, records with references and anything else without a fast path:
/// MessagePack's contractless resolver needs no attributes on user types.
/// </summary>
internal sealed class MessagePackFallbackSerializer<T> : TypeSerializer<T>
{
    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolverAllowPrivate.Instance);

    public override void Serialize(T value, DataOutputSerializer target)
    {
        var bytes = MessagePackSerializer.Serialize(value, Options);
        target.WriteInt32(bytes.Length);
        target.WriteBytes(bytes);
    }

    public override T Deserialize(DataInputView source)
    {
        var length = source.ReadInt32();
        var memory = source.Take(length).ToArray();
        return MessagePackSerializer.Deserialize<T>(memory, Options);
    }
}
