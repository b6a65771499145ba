using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Rill.Connectors.Kafka.Source;

/// <summary>Ready deserializers of record values: UTF-8 strings (strict), JSON (System.Text.Json, source-generated) and raw bytes.</summary>
public static class KafkaDeserializers
{
    /// <summary>Strict UTF-8: invalid bytes make the record malformed instead of turning into U+FFFD.</summary>
    public static IKafkaRecordDeserializer<string> Utf8String { get; } = new ValueDeserializer<string>(Utf8);

    public static IKafkaRecordDeserializer<byte[]> RawBytes { get; } = new ValueDeserializer<byte[]>(value => value);

    /// <summary>JSON values through a source-generated <paramref name="typeInfo"/> (trimming- and AOT-safe); a null value or JSON <c>null</c> is malformed.</summary>
    public static IKafkaRecordDeserializer<T> Json<T>(JsonTypeInfo<T> typeInfo) => new ValueDeserializer<T>(value =>
    {
        T? result;
        try
        {
            result = JsonSerializer.Deserialize(value, typeInfo);
        }
        catch (JsonException e)
        {
            throw new MalformedRecordException($"invalid JSON for {typeof(T).Name}: {e.Message}");
        }

        return result ?? throw new MalformedRecordException($"JSON null is not a {typeof(T).Name}");
    });

    /// <summary>A deserializer of the value alone, from a function that throws <see cref="MalformedRecordException"/> for bad input.</summary>
    public static IKafkaRecordDeserializer<T> ValueOnly<T>(Func<byte[], T> deserialize) => new ValueDeserializer<T>(deserialize);

    /// <summary>A deserializer that sees the whole record (key, headers, partition, offset).</summary>
    public static IKafkaRecordDeserializer<T> FromRecord<T>(Func<KafkaRecord, T> deserialize) => new RecordDeserializer<T>(deserialize);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes strict UTF-8 or throws <see cref="MalformedRecordException"/> with the position of the first bad byte.</summary>
    public static string Utf8(byte[] value)
    {
        try
        {
            return StrictUtf8.GetString(value);
        }
        catch (DecoderFallbackException e)
        {
            throw new MalformedRecordException($"invalid UTF-8 at byte {e.Index}");
        }
    }

    private sealed class ValueDeserializer<T>(Func<byte[], T> deserialize) : IKafkaRecordDeserializer<T>
    {
        public T Deserialize(in KafkaRecord record) =>
            record.Value is { } value ? deserialize(value) : throw new MalformedRecordException("the record has no value (a tombstone)");
    }

    private sealed class RecordDeserializer<T>(Func<KafkaRecord, T> deserialize) : IKafkaRecordDeserializer<T>
    {
        public T Deserialize(in KafkaRecord record) => deserialize(record);
    }
}
