using Confluent.Kafka;

namespace Rill.Bench.Kafka;

/// <summary>Reads whole topics with plain Confluent.Kafka consumers: every partition assigned, from the earliest offset, no group.</summary>
public static class TopicReader
{
    public static ConsumerConfig Config(string bootstrapServers) => ConsumerTuning.Apply(new ConsumerConfig
    {
        BootstrapServers = bootstrapServers,
        // Assign() needs no group, but the client insists on an id; nothing is ever committed under it.
        GroupId = "rill-bench-reader-" + Guid.NewGuid().ToString("N")[..8],
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
    });

    public static List<TopicPartitionOffset> FromBeginning(string topic, int partitions) =>
        Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)).ToList();

    /// <summary>
    /// The log start and end of every partition. A log start above 0 means the development broker dropped the
    /// oldest records (it keeps about 5 MiB per partition).
    /// </summary>
    public static List<WatermarkOffsets> Watermarks<TKey, TValue>(IConsumer<TKey, TValue> consumer, string topic, int partitions) =>
        Enumerable.Range(0, partitions)
            .Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)))
            .ToList();

    /// <summary>
    /// Consumes every record between the watermarks queried at the start, calling <paramref name="onRecord"/> for each,
    /// and returns the number of records read and the partitions' log starts. The topic must not grow meanwhile.
    /// </summary>
    public static (long Records, long[] LogStarts) ReadToEnd<TKey, TValue>(
        IConsumer<TKey, TValue> consumer, string topic, int partitions, Action<ConsumeResult<TKey, TValue>> onRecord, TimeSpan timeout)
    {
        var watermarks = Watermarks(consumer, topic, partitions);
        var remaining = watermarks.Select(w => w.High.Value - w.Low.Value).ToArray();
        var left = remaining.Sum();
        consumer.Assign(FromBeginning(topic, partitions));
        var deadline = DateTime.UtcNow + timeout;
        long records = 0;
        while (left > 0)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Read {records} records of {topic} in {timeout.TotalSeconds:0} s; {left} more were expected.");
                }

                continue;
            }

            records++;
            var partition = result.Partition.Value;
            if (remaining[partition] > 0)
            {
                remaining[partition]--;
                left--;
            }

            onRecord(result);
        }

        consumer.Unassign();
        return (records, watermarks.Select(w => w.Low.Value).ToArray());
    }
}
