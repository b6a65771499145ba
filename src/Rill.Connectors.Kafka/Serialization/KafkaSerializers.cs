using System.Text.Json.Serialization.Metadata;
using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Serialization;

/// <summary>Ready serializers for Kafka keys and values.</summary>
public static class KafkaSerializers
{
    /// <summary>UTF-8 text; null stays null.</summary>
    public static ISerializer<string> Utf8String { get; } = new Utf8StringSerializer();

    /// <summary>UTF-8 JSON of <typeparamref name="T"/> described by <paramref name="typeInfo"/> (e.g. <c>MyJsonContext.Default.Click</c>).</summary>
    public static ISerializer<T> Json<T>(JsonTypeInfo<T> typeInfo) => new JsonKafkaSerializer<T>(typeInfo);
}
