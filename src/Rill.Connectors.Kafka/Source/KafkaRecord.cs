using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Source;

/// <summary>A consumed record as a deserializer sees it: raw key and value, where it came from, its timestamp and headers.</summary>
public readonly record struct KafkaRecord(string Topic, int Partition, long Offset, long TimestampMillis, byte[]? Key, byte[]? Value, Headers? Headers)
{
    internal static KafkaRecord From(ConsumeResult<byte[]?, byte[]?> result) =>
        new(result.Topic, result.Partition.Value, result.Offset.Value, result.Message.Timestamp.UnixTimestampMs, result.Message.Key, result.Message.Value, result.Message.Headers);
}
