using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Serialization;

/// <summary>
/// Values as UTF-8 JSON through System.Text.Json. It takes a <see cref="JsonTypeInfo{T}"/>, so a source-generated
/// <c>JsonSerializerContext</c> works (trimming and AOT safe), as does <c>JsonSerializerOptions.GetTypeInfo</c>.
/// </summary>
public sealed class JsonKafkaSerializer<T>(JsonTypeInfo<T> typeInfo) : ISerializer<T>
{
    private readonly JsonTypeInfo<T> _typeInfo = typeInfo ?? throw new ArgumentNullException(nameof(typeInfo));

    public byte[] Serialize(T data, SerializationContext context) => JsonSerializer.SerializeToUtf8Bytes(data, _typeInfo);
}
