using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Source;

/// <summary>
/// Where reading starts or (bounded) stops, per partition (Flink's OffsetsInitializer). The enumerator resolves it to a
/// concrete offset when it discovers a partition, so a split always carries a real position.
/// </summary>
public abstract class OffsetsInitializer
{
    private protected OffsetsInitializer()
    {
    }

    /// <summary>The first offset still in the log.</summary>
    public static OffsetsInitializer Earliest() => new Watermark(latest: false);

    /// <summary>The offset after the last record at the time the partition is discovered.</summary>
    public static OffsetsInitializer Latest() => new Watermark(latest: true);

    /// <summary>The group's committed offsets (the source's group id); partitions without one start at <paramref name="fallback"/> (earliest by default).</summary>
    public static OffsetsInitializer Committed(OffsetsInitializer? fallback = null) => new CommittedOffsets(fallback ?? Earliest());

    /// <summary>The first record with a timestamp at or after <paramref name="timestampMillis"/>; the end of the log when there is none (as in Kafka).</summary>
    public static OffsetsInitializer Timestamp(long timestampMillis) => new TimestampOffsets(timestampMillis);

    /// <summary>Given offsets; partitions not listed start at <paramref name="fallback"/> (earliest by default).</summary>
    public static OffsetsInitializer Offsets(IReadOnlyDictionary<TopicPartition, long> offsets, OffsetsInitializer? fallback = null) =>
        new SpecificOffsets(offsets, fallback ?? Earliest());

    internal virtual bool UsesCommittedOffsets => false;

    internal abstract IReadOnlyDictionary<TopicPartition, long> Resolve(IReadOnlyCollection<TopicPartition> partitions, IConsumer<byte[]?, byte[]?> consumer, TimeSpan timeout);

    private sealed class Watermark(bool latest) : OffsetsInitializer
    {
        internal override IReadOnlyDictionary<TopicPartition, long> Resolve(IReadOnlyCollection<TopicPartition> partitions, IConsumer<byte[]?, byte[]?> consumer, TimeSpan timeout) =>
            partitions.ToDictionary(p => p, p =>
            {
                var offsets = consumer.QueryWatermarkOffsets(p, timeout);
                return latest ? offsets.High.Value : offsets.Low.Value;
            });

        public override string ToString() => latest ? "latest" : "earliest";
    }

    private sealed class CommittedOffsets(OffsetsInitializer fallback) : OffsetsInitializer
    {
        internal override bool UsesCommittedOffsets => true;

        internal override IReadOnlyDictionary<TopicPartition, long> Resolve(IReadOnlyCollection<TopicPartition> partitions, IConsumer<byte[]?, byte[]?> consumer, TimeSpan timeout)
        {
            var committed = consumer.Committed(partitions, timeout).Where(c => c.Offset.Value >= 0).ToDictionary(c => c.TopicPartition, c => c.Offset.Value);
            var missing = partitions.Where(p => !committed.ContainsKey(p)).ToList();
            if (missing.Count > 0)
            {
                foreach (var (partition, offset) in fallback.Resolve(missing, consumer, timeout))
                {
                    committed[partition] = offset;
                }
            }

            return committed;
        }

        public override string ToString() => $"committed (else {fallback})";
    }

    private sealed class TimestampOffsets(long timestampMillis) : OffsetsInitializer
    {
        internal override IReadOnlyDictionary<TopicPartition, long> Resolve(IReadOnlyCollection<TopicPartition> partitions, IConsumer<byte[]?, byte[]?> consumer, TimeSpan timeout)
        {
            var found = consumer.OffsetsForTimes(partitions.Select(p => new TopicPartitionTimestamp(p, new Confluent.Kafka.Timestamp(timestampMillis, TimestampType.CreateTime))), timeout)
                .ToDictionary(r => r.TopicPartition, r => r.Offset.Value);
            return partitions.ToDictionary(p => p, p => found.TryGetValue(p, out var offset) && offset >= 0 ? offset : consumer.QueryWatermarkOffsets(p, timeout).High.Value);
        }

        public override string ToString() => $"timestamp {timestampMillis}";
    }

    private sealed class SpecificOffsets(IReadOnlyDictionary<TopicPartition, long> offsets, OffsetsInitializer fallback) : OffsetsInitializer
    {
        internal override IReadOnlyDictionary<TopicPartition, long> Resolve(IReadOnlyCollection<TopicPartition> partitions, IConsumer<byte[]?, byte[]?> consumer, TimeSpan timeout)
        {
            var missing = partitions.Where(p => !offsets.ContainsKey(p)).ToList();
            var resolved = missing.Count == 0 ? new Dictionary<TopicPartition, long>() : fallback.Resolve(missing, consumer, timeout).ToDictionary();
            foreach (var partition in partitions.Where(offsets.ContainsKey))
            {
                resolved[partition] = offsets[partition];
            }

            return resolved;
        }

        public override string ToString() => $"{offsets.Count} given offsets (else {fallback})";
    }
}
