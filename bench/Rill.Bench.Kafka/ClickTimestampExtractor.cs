using Confluent.Kafka;
using Streamiz.Kafka.Net.Processors;

namespace Rill.Bench.Kafka;

/// <summary>
/// Streamiz's event time: the <c>timestampMillis</c> field of the CSV line (the record timestamp is the produce time).
/// Also used for the repartition topic, whose values are still the CSV lines.
/// </summary>
public sealed class ClickTimestampExtractor : ITimestampExtractor
{
    public long Extract(ConsumeResult<object, object> record, long partitionTime) =>
        record.Message.Value is string line
            ? ClickLine.TimestampOf(line)
            : throw new InvalidOperationException($"Expected a string value (a CSV line) at {record.TopicPartitionOffset}, got {record.Message.Value?.GetType().Name ?? "null"}.");
}
