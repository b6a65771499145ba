using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Sink;

/// <summary>
/// Builds a <see cref="KafkaRecordSerializer{T}"/>: a topic (<see cref="SetTopic"/>, or <see cref="SetTopicSelector"/>
/// per record) and a value serializer are required, a key serializer is optional (without one records have no key and
/// Kafka spreads them over the partitions).
/// </summary>
public sealed class KafkaRecordSerializerBuilder<T>
{
    private string? _topic;
    private Func<T, string>? _topicSelector;
    private Func<T, string, byte[]?>? _key;
    private Func<T, string, byte[]?>? _value;

    internal KafkaRecordSerializerBuilder()
    {
    }

    /// <summary>Every record goes to <paramref name="topic"/>.</summary>
    public KafkaRecordSerializerBuilder<T> SetTopic(string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        _topic = topic;
        return this;
    }

    /// <summary>Each record goes to the topic <paramref name="selector"/> returns for it.</summary>
    public KafkaRecordSerializerBuilder<T> SetTopicSelector(Func<T, string> selector)
    {
        _topicSelector = selector ?? throw new ArgumentNullException(nameof(selector));
        return this;
    }

    /// <summary>The key bytes of each record (null: no key).</summary>
    public KafkaRecordSerializerBuilder<T> SetKeySerializer(Func<T, byte[]?> key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = (element, _) => key(element);
        return this;
    }

    /// <summary>The whole element serialized as the key.</summary>
    public KafkaRecordSerializerBuilder<T> SetKeySerializer(ISerializer<T> serializer) => SetKeySerializer(static e => e, serializer);

    /// <summary>A part of the element (e.g. <c>c =&gt; c.UserId</c>) serialized as the key, e.g. with <c>KafkaSerializers.Utf8String</c>.</summary>
    public KafkaRecordSerializerBuilder<T> SetKeySerializer<TKey>(Func<T, TKey> selectKey, ISerializer<TKey> serializer)
    {
        ArgumentNullException.ThrowIfNull(selectKey);
        ArgumentNullException.ThrowIfNull(serializer);
        _key = KafkaRecordSerializer<T>.Part(selectKey, serializer, MessageComponentType.Key);
        return this;
    }

    /// <summary>The value bytes of each record (null: a tombstone).</summary>
    public KafkaRecordSerializerBuilder<T> SetValueSerializer(Func<T, byte[]?> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = (element, _) => value(element);
        return this;
    }

    /// <summary>The whole element serialized as the value, e.g. with <c>KafkaSerializers.Json(MyContext.Default.Click)</c>.</summary>
    public KafkaRecordSerializerBuilder<T> SetValueSerializer(ISerializer<T> serializer) => SetValueSerializer(static e => e, serializer);

    /// <summary>A part of the element serialized as the value.</summary>
    public KafkaRecordSerializerBuilder<T> SetValueSerializer<TValue>(Func<T, TValue> selectValue, ISerializer<TValue> serializer)
    {
        ArgumentNullException.ThrowIfNull(selectValue);
        ArgumentNullException.ThrowIfNull(serializer);
        _value = KafkaRecordSerializer<T>.Part(selectValue, serializer, MessageComponentType.Value);
        return this;
    }

    public KafkaRecordSerializer<T> Build()
    {
        if ((_topic is null) == (_topicSelector is null))
        {
            throw new InvalidOperationException("A Kafka record serializer needs exactly one of SetTopic (one topic for all records) or SetTopicSelector (a topic per record).");
        }

        if (_value is null)
        {
            throw new InvalidOperationException("A Kafka record serializer needs a value serializer: SetValueSerializer(...), e.g. KafkaSerializers.Utf8String or KafkaSerializers.Json(typeInfo).");
        }

        return new KafkaRecordSerializer<T>(_topic, _topicSelector, _key, _value);
    }
}
