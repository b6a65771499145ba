using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Source;

/// <summary>Records the fetcher consumed, in order, then the partitions that reached their stopping offset after them.</summary>
internal sealed record FetchedBatch(List<ConsumeResult<byte[]?, byte[]?>> Records, List<TopicPartition> FinishedPartitions);
