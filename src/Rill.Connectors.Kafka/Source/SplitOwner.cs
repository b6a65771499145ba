using System.Text;
using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Source;

/// <summary>
/// Which reader owns a partition (Flink's KafkaSourceEnumerator.getSplitOwner): the topic's partitions go round-robin from a
/// start index derived from the topic name. The hash is FNV-1a over the UTF-8 name, not string.GetHashCode, which differs
/// between processes.
/// </summary>
internal static class SplitOwner
{
    public static int Of(TopicPartition partition, int readers)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(partition.Topic))
        {
            hash = (hash ^ b) * 16777619u;
        }

        var start = (int)((hash * 31) & 0x7FFFFFFF) % readers;
        return (start + partition.Partition.Value) % readers;
    }
}
