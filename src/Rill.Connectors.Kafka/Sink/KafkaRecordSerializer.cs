using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Sink;

/// <summary>
/// Turns a stream element into a Kafka record: its topic (fixed or chosen per element), key (optional) and value. The
/// element's timestamp becomes the record's timestamp, as in Flink. Build one with <see cref="Builder"/>.
/// </summary>
public sealed class KafkaRecordSerializer<T>
{
    private readonly string? _topic;
    private readonly Func<T, string>? _topicSelector;
    private readonly Func<T, string, byte[]?>? _key;
    private readonly Func<T, string, byte[]?> _value;

    internal KafkaRecordSerializer(string? topic, Func<T, string>? topicSelector, Func<T, string, byte[]?>? key, Func<T, string, byte[]?> value)
    {
        _topic = topic;
        _topicSelector = topicSelector;
        _key = key;
        _value = value;
    }

    public static KafkaRecordSerializerBuilder<T> Builder() => new();

    internal KafkaProducerRecord Serialize(T element, long? timestamp)
    {
        var topic = _topic ?? _topicSelector!(element);
        if (string.IsNullOrEmpty(topic))
        {
            throw new KafkaSinkException($"The Kafka sink's topic selector chose no topic for the record {element}.");
        }

        return new KafkaProducerRecord(topic, _key?.Invoke(element, topic), _value(element, topic), timestamp);
    }

    /// <summary>Adapts a Confluent serializer of the element, or of a part selected from it, to a key or value function.</summary>
    internal static Func<T, string, byte[]?> Part<TPart>(Func<T, TPart> select, ISerializer<TPart> serializer, MessageComponentType component) =>
        (element, topic) => serializer.Serialize(select(element), new SerializationContext(component, topic));
}
