using System.Text;
using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Serialization;

/// <summary>Strings as UTF-8 bytes, without a byte order mark; null stays null (a record without key or a tombstone).</summary>
public sealed class Utf8StringSerializer : ISerializer<string>
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Declared for non-null strings, so it fits ISerializer<T> of a string stream without nullability warnings; a null
    // that reaches it anyway (a null element or key) still becomes "no bytes".
    public byte[]? Serialize(string data, SerializationContext context) => data is null ? null : Utf8.GetBytes(data);
}
